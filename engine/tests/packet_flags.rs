//! Real TCP packets carry ECE and CWR (ECN, RFC 3168): every packet form takes them, no rule can
//! test them (iptables' `--tcp-flags` names only the six classic flags), and the simulator
//! matches as the kernel does, on the masked flags only.

use portcullis_engine::import::import;
use portcullis_engine::model::{Family, TcpFlags};
use portcullis_engine::simulate::{simulate, Packet, PacketJson, Verdict};

const RULES: &str = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
    -A INPUT -p tcp -m tcp --dport 1 --syn -j DROP\n\
    -A INPUT -p tcp -m tcp --dport 2 --tcp-flags ALL SYN -j DROP\n\
    -A INPUT -p tcp -m tcp --dport 3 --tcp-flags FIN,SYN,RST,PSH,ACK,URG SYN,ACK -j DROP\nCOMMIT\n";

fn verdict(packet: &Packet) -> Option<Verdict> {
    let parsed = import(RULES, Some(Family::V4));
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    simulate(&parsed.value.rulesets[0], packet).verdict()
}

#[test]
fn ece_and_cwr_are_read_in_every_packet_form_and_printed_back() {
    let text = Packet::parse("tcp 203.0.113.7:40000 -> 198.51.100.1:1 in eth0 syn,ece,cwr new").expect("text form");
    assert_eq!(text.tcp_flags.bits(), 0xc2);
    assert!(text.to_string().contains(" syn,ece,cwr"), "{text}");
    assert_eq!(Packet::parse(&text.to_string()).expect("reads back"), text);
    let json: PacketJson = serde_json::from_str(r#"{"src":"203.0.113.7","dst":"198.51.100.1","proto":"tcp","dport":1,"flags":"SYN,ECE,CWR","in":"eth0"}"#).expect("json");
    assert_eq!(Packet::from_json(&json).expect("json form").tcp_flags, text.tcp_flags);
    let error = Packet::parse("tcp 203.0.113.7 -> 198.51.100.1:1 syn,xyz").unwrap_err().0;
    assert!(error.contains("xyz"), "{error}");
}

#[test]
fn masks_never_see_ece_or_cwr_as_in_the_kernel() {
    for port in [1, 2] {
        // An ECN-setup SYN (SYN, ECE, CWR) is a SYN to `--syn` and to `--tcp-flags ALL SYN`.
        let ecn_syn = Packet::parse(&format!("tcp 203.0.113.7:40000 -> 198.51.100.1:{port} in eth0 syn,ece,cwr new")).expect("packet");
        assert_eq!(verdict(&ecn_syn), Some(Verdict::Drop), "port {port}");
    }
    let ecn_syn_ack = Packet::parse("tcp 203.0.113.7:40000 -> 198.51.100.1:3 in eth0 syn,ack,ece established").expect("packet");
    assert_eq!(verdict(&ecn_syn_ack), Some(Verdict::Drop));
    let plain_ack = Packet::parse("tcp 203.0.113.7:40000 -> 198.51.100.1:3 in eth0 ack,cwr established").expect("packet");
    assert_eq!(verdict(&plain_ack), Some(Verdict::Accept));
}

#[test]
fn rules_still_refuse_ece_and_cwr_as_iptables_does() {
    assert!(TcpFlags::parse("ECE").is_err());
    let parsed = import("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --tcp-flags ECE ECE -j DROP\nCOMMIT\n", Some(Family::V4));
    assert!(parsed.has_errors(), "iptables refuses `--tcp-flags ECE ECE`");
}
