# An IPv6 firewall with an ICMPv6 chain, as a script.
ip6tables -P INPUT DROP
ip6tables -P FORWARD DROP
ip6tables -N ICMP6
ip6tables -A INPUT -i lo -j ACCEPT
ip6tables -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ip6tables -A INPUT -m conntrack --ctstate INVALID -j DROP
ip6tables -A INPUT -p ipv6-icmp -j ICMP6
ip6tables -A ICMP6 -p icmpv6 --icmpv6-type neighbour-solicitation -m hl --hl-eq 255 -j ACCEPT
ip6tables -A ICMP6 -p icmpv6 --icmpv6-type neighbor-advertisement -m hl --hl-eq 255 -j ACCEPT
ip6tables -A ICMP6 -p icmpv6 --icmpv6-type router-advertisement -j ACCEPT
ip6tables -A ICMP6 -p icmpv6 --icmpv6-type echo-request -m limit --limit 10/second -j ACCEPT
ip6tables -A ICMP6 -p icmpv6 --icmpv6-type packet-too-big -j ACCEPT
ip6tables -A ICMP6 -p icmpv6 --icmpv6-type port-unreachable -j ACCEPT
ip6tables -A ICMP6 -j RETURN
ip6tables -A INPUT -s 2001:db8:1::7 -p tcp --dport ssh -m comment --comment "admin ssh" -j ACCEPT
ip6tables -A INPUT -s 2001:db8:100::/48,2001:db8:200::/48 -p tcp -m multiport --dports 80,443 -j ACCEPT
ip6tables -A INPUT -d 2001:db8::1/128 -p udp --sport 53 -j ACCEPT
ip6tables -A INPUT -p tcp -j REJECT --reject-with tcp-reset
ip6tables -A INPUT -j REJECT --reject-with icmp6-adm-prohibited
ip6tables -A INPUT -j REJECT
ip6tables -A INPUT -m frag --fragmore -j DROP
ip6tables -A OUTPUT -o eth0 -p tcp --dport 25 -j REJECT --reject-with icmp6-port-unreachable
