# Every typed match module and target, written the loose ways people write them (abbreviated
# units, lower-case names, decimal marks, aliases): the differential test runs this script for
# real, and the engine's canonical print must equal what iptables-save prints back.
ipset create blocklist hash:net
ipset create seen hash:ip timeout 60
iptables -N SCAN
iptables -A INPUT -m recent --set
iptables -A INPUT -m recent --name SSH --update --seconds 60 --hitcount 4 --rttl
iptables -A INPUT -m recent ! --rcheck --name x --mask 255.255.255.0 --rdest --reap --seconds 5
iptables -A INPUT -m recent --remove
iptables -A INPUT -m hashlimit --hashlimit-upto 5/sec --hashlimit-name a
iptables -A INPUT -m hashlimit --hashlimit 60/minute --hashlimit-name b --hashlimit-mode srcip,dstport --hashlimit-srcmask 24 --hashlimit-htable-expire 10000 --hashlimit-burst 3
iptables -A INPUT -m hashlimit --hashlimit-above 1000/hour --hashlimit-name c --hashlimit-htable-size 100 --hashlimit-htable-max 200 --hashlimit-htable-gcinterval 500
iptables -A INPUT -m hashlimit --hashlimit-upto 60/min --hashlimit-name y
iptables -A INPUT -m hashlimit ! --hashlimit-above 5/day --hashlimit-name z --hashlimit-burst 10001
iptables -A INPUT -p tcp -m connlimit --connlimit-above 3
iptables -A INPUT -p tcp -m connlimit --connlimit-upto 3 --connlimit-mask 24 --connlimit-daddr
iptables -A INPUT -p tcp -m connlimit ! --connlimit-above 3
iptables -A INPUT -m iprange ! --src-range 192.0.2.1-192.0.2.9 --dst-range 198.51.100.1-198.51.100.1
iptables -A INPUT -m iprange --src-range 192.0.2.9-192.0.2.1
iptables -A INPUT -m mac --mac-source 02:00:00:AA:bb:cc
iptables -A INPUT -m mac ! --mac-source 2:0:0:a:b:c
iptables -A INPUT -m addrtype --src-type LOCAL,UNICAST ! --dst-type broadcast --limit-iface-in
iptables -A INPUT -m addrtype --dst-type LOCAL --src-type BLACKHOLE,UNREACHABLE,PROHIBIT,THROW,NAT,XRESOLVE,UNSPEC,ANYCAST,MULTICAST
iptables -A INPUT -m mark --mark 5
iptables -A INPUT -m mark ! --mark 0x5/0xf0
iptables -A INPUT -m mark --mark 010/255
iptables -A INPUT -m connmark --mark 3/0xff
iptables -A INPUT -m length ! --length 100
iptables -A INPUT -m length --length 100:
iptables -A INPUT -m length --length :200
iptables -A INPUT -m length --length 5:5
iptables -A INPUT -m length --length 6:3
iptables -A INPUT -m ttl --ttl-eq 64
iptables -A INPUT -m ttl ! --ttl-eq 64
iptables -A INPUT -m ttl --ttl-gt 5
iptables -A INPUT -m ttl --ttl-lt 2
iptables -A INPUT -m pkttype ! --pkt-type MULTICAST
iptables -A INPUT -m pkttype --pkt-type host
iptables -A INPUT -m pkttype --pkt-type otherhost
iptables -A INPUT -m pkttype --pkt-type Broadcast
iptables -A FORWARD -m physdev --physdev-in eth+ --physdev-out br0 --physdev-is-bridged
iptables -A FORWARD -m physdev ! --physdev-is-in ! --physdev-is-out
iptables -A FORWARD -m physdev --physdev-is-bridged --physdev-out eth1 ! --physdev-in eth2 --physdev-is-in
iptables -A INPUT -m string --algo kmp --string abc --from 10 --to 100 --icase
iptables -A INPUT -m string --algo bm ! --hex-string "|41 42|C"
iptables -A INPUT -m string --algo bm --string 'a"b'
iptables -A INPUT -m string --algo bm --hex-string "|00 0a|abc|ff|" --to 65535 --from 0
iptables -A INPUT -m string --algo bm --string "a b\\c"
iptables -A INPUT -m time --timestart 9:00 --timestop 17:00 --utc
iptables -A INPUT -m time --datestart 2020-01-01 --kerneltz
iptables -A INPUT -m time --timestart 09:00
iptables -A INPUT -m time --weekdays Sun,Sa,1 --monthdays 31,1
iptables -A INPUT -m time --timestart 22:00 --timestop 02:00 --contiguous --weekdays Fri --datestart 2021-02-03T04:05
iptables -A INPUT -m time ! --weekdays Mon ! --monthdays 4 --timestop 23:59:59 --timestart 00:00
iptables -A INPUT -m time --timestart 22:00 --timestop 02:00 --contiguous --kerneltz
iptables -A OUTPUT -m owner --uid-owner 0 ! --gid-owner 0 --socket-exists
iptables -A OUTPUT -m owner --uid-owner 0-10 --gid-owner 5 --suppl-groups
iptables -A OUTPUT -m owner ! --socket-exists ! --uid-owner 7
iptables -A OUTPUT -m owner --gid-owner 1-1
iptables -A INPUT -m set --match-set blocklist src -j DROP
iptables -A INPUT -m set ! --match-set blocklist src,dst --return-nomatch ! --update-counters
iptables -A INPUT -m conntrack --ctstate NEW --ctproto tcp --ctorigsrc 192.0.2.0/24 ! --ctorigdst 192.0.2.1 --ctstatus ASSURED --ctdir ORIGINAL --ctorigdstport 22 --ctexpire 10:20
iptables -A INPUT -m conntrack --ctexpire 5 --ctstatus EXPECTED,SEEN_REPLY,CONFIRMED,NONE --ctorigsrcport 10:20 --ctdir REPLY --ctreplsrc 192.0.2.3/32 --ctrepldst 10.0.0.0/8
iptables -A INPUT -m conntrack --ctstate DNAT,SNAT,NEW
iptables -A INPUT -j NFLOG
iptables -A INPUT -j NFLOG --nflog-group 0 --nflog-threshold 1 --nflog-prefix x
iptables -A INPUT -j NFLOG --nflog-size 50 --nflog-threshold 3 --nflog-group 7 --nflog-prefix "two words"
iptables -A INPUT -p tcp --dport 22 -m recent --rcheck --seconds 60 --hitcount 4 --name SSH -j SCAN
iptables -A SCAN -j SET --add-set seen src --exist --timeout 5
iptables -A SCAN -j SET --del-set blocklist src,dst
iptables -A INPUT -p tcp -j TCPMSS --set-mss 1400
iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 198.51.100.5
iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 198.51.100.5-198.51.100.9:80-90 --random --persistent
iptables -t nat -A PREROUTING -p tcp -j DNAT --to 198.51.100.5:80
iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 198.51.100.9-198.51.100.5
iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 80-90 --random
iptables -t nat -A PREROUTING -p tcp -j REDIRECT
iptables -t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1024-2000 --random-fully
iptables -t nat -A POSTROUTING -j SNAT --to-source 203.0.113.1-203.0.113.5 --random --random-fully --persistent
iptables -t nat -A OUTPUT -p udp -j DNAT --to-destination :53
iptables -t mangle -A PREROUTING -j MARK --set-mark 5
iptables -t mangle -A PREROUTING -j MARK --set-mark 5/0xff
iptables -t mangle -A PREROUTING -j MARK --and-mark 0xf
iptables -t mangle -A PREROUTING -j MARK --or-mark 0x10
iptables -t mangle -A PREROUTING -j MARK --xor-mark 3
iptables -t mangle -A PREROUTING -j CONNMARK --set-mark 5
iptables -t mangle -A PREROUTING -j CONNMARK --save-mark
iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark --mask 0xff
iptables -t mangle -A PREROUTING -j CONNMARK --save-mark --nfmask 0xf --ctmask 0xf0
iptables -t mangle -A PREROUTING -j CONNMARK --and-mark 7
iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1400
iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
iptables -t mangle -A PREROUTING -j TRACE
iptables -t raw -A PREROUTING -j CT --notrack
iptables -t raw -A PREROUTING -j NOTRACK
iptables -t raw -A PREROUTING -j CT --zone 5
iptables -t raw -A OUTPUT -j TRACE
ip6tables -A INPUT -m hl --hl-eq 5
ip6tables -A INPUT -m hl ! --hl-eq 6
ip6tables -A INPUT -m hl --hl-lt 7
ip6tables -A INPUT -m recent --set --name six --mask ffff:ffff:ffff:ffff::
ip6tables -A INPUT -m hashlimit --hashlimit-upto 10/min --hashlimit-name v6 --hashlimit-srcmask 64
ip6tables -A INPUT -p tcp -m connlimit --connlimit-above 8 --connlimit-mask 64
ip6tables -A INPUT -m iprange --src-range 2001:db8::1-2001:db8::ff
ip6tables -A INPUT -m conntrack --ctorigsrc 2001:db8::/32 --ctreplsrc 2001:db8::1
ip6tables -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination [2001:db8::5]:80
ip6tables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 2001:db8::5
ip6tables -t nat -A POSTROUTING -j SNAT --to-source 2001:db8::1-2001:db8::9
ip6tables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 2000-3000
