# Rules for many modules and targets, as a script (the differential test runs it for real).
# Written in canonical form; extensions.sh covers the loose spellings.
iptables -N ufw-user-input
iptables -N LOGDROP
iptables -A INPUT -j ufw-user-input
iptables -A INPUT -m recent --rcheck --seconds 86400 --name portscan --mask 255.255.255.255 --rsource -j DROP
iptables -A INPUT -p tcp --dport 22 -m hashlimit --hashlimit-above 10/min --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name ssh -j DROP
iptables -A INPUT -p tcp --syn --dport 80 -m connlimit --connlimit-above 20 --connlimit-mask 32 --connlimit-saddr -j REJECT --reject-with tcp-reset
iptables -A INPUT -m iprange --src-range 192.0.2.10-192.0.2.20 -j ACCEPT
iptables -A INPUT -m mac --mac-source 02:00:00:aa:bb:cc -j DROP
iptables -A OUTPUT -m owner --uid-owner 0 -j ACCEPT
iptables -A INPUT -m addrtype --dst-type LOCAL -j ACCEPT
iptables -A INPUT -m mark --mark 0x1/0xff -j ACCEPT
iptables -A INPUT -m connmark --mark 0x7 -j ACCEPT
iptables -A INPUT -m length --length 0:64 -j ACCEPT
iptables -A INPUT -m ttl --ttl-lt 5 -j DROP
iptables -A INPUT -m pkttype --pkt-type broadcast -j DROP
iptables -A FORWARD -m physdev --physdev-in veth0 -j ACCEPT
iptables -A INPUT -m string --string "GET /admin" --algo bm -j DROP
iptables -A INPUT -m time --timestart 09:00:00 --timestop 17:00:00 --weekdays Mon,Tue --datestop 2038-01-19T03:14:07 -j ACCEPT
iptables -A INPUT -f -j DROP
iptables -A INPUT ! -s 192.0.2.0/24 ! -i eth0 -p udp ! --dport 53 -j DROP
iptables -A INPUT -p 47 -j ACCEPT
iptables -A INPUT -m conntrack --ctstate NEW --ctproto 6 -j ACCEPT
iptables -A INPUT -j NFLOG --nflog-prefix "dropped here" --nflog-group 5
iptables -A ufw-user-input -p tcp --dport 22 -j ACCEPT
iptables -A ufw-user-input -j RETURN
iptables -A LOGDROP -m limit --limit 5/min -j LOG --log-prefix "DROP " --log-level 4 --log-tcp-options
iptables -A LOGDROP -j DROP
iptables -A INPUT -g LOGDROP
iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
iptables -t mangle -A PREROUTING -j MARK --set-xmark 0x2/0xffffffff
iptables -t raw -A PREROUTING -p udp --dport 53 -j CT --notrack
iptables -t raw -A OUTPUT -j TRACE
iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 8443 -j DNAT --to-destination 198.51.100.5:443
iptables -t nat -A POSTROUTING -s 198.51.100.0/24 -o eth0 -j SNAT --to-source 203.0.113.1
iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
iptables -t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 8080
iptables -A INPUT -p icmp --icmp-type any -j ACCEPT
iptables -A INPUT -p tcp --tcp-option 8 -j ACCEPT
iptables -A INPUT -p tcp -m multiport ! --sports 1:1023 -j ACCEPT
