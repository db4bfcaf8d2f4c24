//! Interfaces and addresses from `ip -br addr` (`ip -brief address show`):
//!
//! ```text
//! lo               UNKNOWN        127.0.0.1/8 ::1/128
//! eth0             UP             203.0.113.10/24 2001:db8::10/64 fe80::216:3eff:fe00:1/64
//! eth1.1010@eth1   UP             198.51.100.1/24
//! docker0          DOWN           172.17.0.1/16
//! ```

use ipnet::IpNet;
use serde::Serialize;

/// One interface of the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterfaceInfo {
    /// Its name (`eth1.1010`; the `@eth1` parent is left out).
    pub name: String,
    /// `UP`, `DOWN`, `UNKNOWN`…
    pub state: String,
    /// Its addresses with their prefix length.
    pub addresses: Vec<IpNet>,
}

const STATES: [&str; 7] = ["UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN", "DORMANT", "NOTPRESENT", "TESTING"];

/// Reads one `ip -br addr` line; `None` when it is not one.
pub(super) fn interface_line(line: &str) -> Option<Result<InterfaceInfo, String>> {
    let mut words = line.split_whitespace();
    let name = words.next()?;
    let state = words.next()?;
    if !STATES.contains(&state) {
        return None;
    }
    let name = name.split_once('@').map_or(name, |(name, _)| name).to_owned();
    let mut addresses = Vec::new();
    let mut words = words.peekable();
    while let Some(word) = words.next() {
        // systemd-networkd's routes add `metric N` after an address.
        if word == "metric" && words.peek().is_some_and(|value| value.parse::<u32>().is_ok()) {
            words.next();
            continue;
        }
        match word.parse::<IpNet>() {
            Ok(net) => addresses.push(net),
            Err(_) => return Some(Err(format!("`{word}` is not an address with a prefix length (ADDRESS/LENGTH)"))),
        }
    }
    Some(Ok(InterfaceInfo { name, state: state.to_owned(), addresses }))
}

impl InterfaceInfo {
    /// Whether it is one of Docker's bridges (`docker0`, `br-` and the network id).
    pub fn is_docker_bridge(&self) -> bool {
        self.name == "docker0" || self.name.starts_with("br-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brief_lines_with_vlans_and_both_families() {
        let eth = interface_line("eth0             UP             203.0.113.10/24 2001:db8::10/64 fe80::1/64").unwrap().unwrap();
        assert_eq!((eth.name.as_str(), eth.addresses.len()), ("eth0", 3));
        let vlan = interface_line("eth1.1010@eth1   UP             198.51.100.1/24").unwrap().unwrap();
        assert_eq!(vlan.name, "eth1.1010");
        assert!(interface_line("docker0 DOWN 172.17.0.1/16").unwrap().unwrap().is_docker_bridge());
        assert!(interface_line("wg0 UNKNOWN").unwrap().unwrap().addresses.is_empty());
        assert_eq!(interface_line("eth0 UP 203.0.113.20/24 metric 100 2001:db8::20/64").unwrap().unwrap().addresses.len(), 2);
        assert!(interface_line("eth0 UP 203.0.113.300/24").unwrap().is_err());
        assert!(interface_line("tcp LISTEN 0 128 0.0.0.0:22").is_none());
    }
}
