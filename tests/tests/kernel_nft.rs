//! The nft export in the kernel: loaded with `nft -f` as a user would, judged by witness
//! counters around its chains (see `Lab::nft_probe`). The SSH limit's meter must drop the
//! connection past the limit from one source while another source still gets in, mirroring the
//! iptables test of the same limit in `kernel.rs`.

use std::net::IpAddr;

use portcullis_e2e::fixtures::{slice_design, ADMIN_V4, ADMIN_V6};
use portcullis_e2e::kernel::{Lab, Verdict};
use portcullis_e2e::packet::{Probe, TcpFlags};
use portcullis_e2e::require::{can_run, Need};
use portcullis_engine::design::{Access, Protections, ServiceId, SshLimit};
use portcullis_engine::export::nft;
use portcullis_engine::model::Family;

fn ip(text: &str) -> IpAddr {
    text.parse().expect("test address")
}

fn expect(lab: &Lab, probe: Probe, verdict: Verdict, why: &str) {
    let seen = lab.nft_probe(&probe).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(seen, verdict, "{why}: {probe:?}");
}

#[test]
fn the_nft_ssh_meter_drops_the_connection_past_the_limit_per_source() {
    if !can_run("kernel oracle: nft SSH limit", &[Need::Root, Need::Program("ip"), Need::Program("nft"), Need::Program("conntrack")]) {
        return;
    }
    let lab = Lab::new(1).expect("lab");
    // SSH open to everyone, so nothing but the limit can drop a SYN to port 22.
    let mut design = slice_design();
    design.allow_access(ServiceId::SSH, Access::Everyone).expect("no group");
    design.set_protections(Protections { ssh_limit: Some(SshLimit { connections: 2, seconds: 600 }), ..Protections::default() }).expect("valid protections");
    let export = nft::render(&design.compile(Family::V4), &design.compile(Family::V6)).expect("the design translates");
    assert!(export.text.contains("limit rate over 12/hour burst 2 packets"), "{}", export.text);
    lab.load_nft(&export.text).expect("nft -f loads the export");
    for (one, other) in [(ip(ADMIN_V4), ip("198.51.100.9")), (ip(ADMIN_V6), ip("2001:db8:3::9"))] {
        let syn = |source: IpAddr, port: u16| Probe::tcp(source, 22, TcpFlags::SYN).from_port(port);
        expect(&lab, syn(one, 41_001), Verdict::Accept, "first connection");
        expect(&lab, syn(one, 41_002), Verdict::Accept, "second connection");
        expect(&lab, syn(one, 41_003), Verdict::Drop, "third connection within 600 s");
        expect(&lab, syn(one, 41_004), Verdict::Drop, "fourth connection within 600 s");
        expect(&lab, syn(other, 41_005), Verdict::Accept, "another source still gets in");
        // Replies and other services are not limited.
        expect(&lab, Probe::tcp(one, 80, TcpFlags::SYN).from_port(41_006), Verdict::Accept, "HTTP from the limited source");
    }
    // The witness sees a drop too: a closed port.
    expect(&lab, Probe::tcp(ip("198.51.100.9"), 8081, TcpFlags::SYN), Verdict::Drop, "closed port");
}
