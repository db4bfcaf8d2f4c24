# Lines copied from the seed tutorials with their placeholders left in, as beginners paste them.
iptables -A INPUT -p tcp -s YOUR_IP_ADDRESS -m tcp --dport 22 -j ACCEPT
iptables -A INPUT -j ACCEPT -p tcp --dport [port number]
iptables -A INPUT -j ACCEPT --source
iptables -D INPUT [number of the rule]
iptables -L -n
iptables-save > /etc/sysconfig/iptables
iptables -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
