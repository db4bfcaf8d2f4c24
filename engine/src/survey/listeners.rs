//! Listening sockets from `ss -tlnpu` (iproute2: Debian, Ubuntu, RHEL) and `netstat -tlnpu`
//! (net-tools, and busybox on Alpine).
//!
//! ```text
//! ss:      Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process
//!          tcp   LISTEN 0      128    0.0.0.0:22          0.0.0.0:*         users:(("sshd",pid=812,fd=3))
//!          udp   UNCONN 0      0      127.0.0.53%lo:53    0.0.0.0:*         users:(("systemd-resolve",pid=601,fd=13))
//! netstat: Proto Recv-Q Send-Q Local Address  Foreign Address  State   PID/Program name
//!          tcp6       0      0 :::22          :::*             LISTEN  812/sshd
//!          udp        0      0 0.0.0.0:68     0.0.0.0:*                590/dhclient
//! ```

use std::net::IpAddr;

use serde::Serialize;

use crate::model::Protocol;

/// Where a socket listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "address")]
pub enum Bind {
    /// Every address (`0.0.0.0`, `::`, `*`): reachable from outside unless a rule stops it.
    All,
    /// Only loopback (`127.0.0.0/8`, `::1`, or scoped `%lo`): needs no rule.
    Loopback,
    /// One address of the server.
    Address(IpAddr),
}

impl Bind {
    /// Whether another machine can reach the socket at all.
    pub fn is_reachable(self) -> bool {
        !matches!(self, Bind::Loopback)
    }
}

/// One listening socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listener {
    /// `tcp` or `udp`.
    #[serde(serialize_with = "protocol_name")]
    pub protocol: Protocol,
    /// Where it listens.
    pub bind: Bind,
    /// The address as the output wrote it, e.g. `[::]:22`.
    pub local: String,
    /// Its port.
    pub port: u16,
    /// The program, when the output names it (`-p`, as root).
    pub process: Option<String>,
    /// Its process id.
    pub pid: Option<u32>,
    /// The byte range of its line in the paste.
    #[serde(skip)]
    pub line: (usize, usize),
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
fn protocol_name<S: serde::Serializer>(protocol: &Protocol, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(if *protocol == Protocol::UDP { "udp" } else { "tcp" })
}

/// Why a listener line cannot be read.
pub(super) type LineError = String;

/// Reads one data line of `ss` or `netstat`; `None` when it is not one (another kind of line).
pub(super) fn listener_line(line: &str) -> Option<Result<Listener, LineError>> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let first = words.first()?.to_ascii_lowercase();
    let protocol = |name: &str| match name {
        "tcp" | "tcp6" | "tcp4" => Some(Protocol::TCP),
        "udp" | "udp6" | "udp4" => Some(Protocol::UDP),
        _ => None,
    };
    let (protocol, local, process) = if let Some(protocol) = protocol(&first) {
        // ss (Netid State Recv-Q Send-Q Local Peer [Process]) or netstat (Proto Recv-Q Send-Q
        // Local Foreign [State] [PID/Program]): ss's second word is a state, netstat's a number.
        let ss = words.get(1).is_some_and(|word| word.chars().all(|c| c.is_ascii_uppercase() || c == '-'));
        if ss {
            (protocol, words.get(4), words.get(6..).map(|rest| rest.join(" ")))
        } else {
            // The PID/Program column: `812/sshd`, `2105/nginx:` (busybox adds the arguments).
            let program = words.iter().skip(5).find(|word| word.split_once('/').is_some_and(|(pid, _)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())));
            (protocol, words.get(3), program.map(|word| word.trim_end_matches(':').to_owned()))
        }
    } else if matches!(first.as_str(), "listen" | "unconn") {
        // `ss -tln` without the Netid column: LISTEN is TCP, UNCONN is UDP.
        let protocol = if first == "listen" { Protocol::TCP } else { Protocol::UDP };
        (protocol, words.get(3), words.get(5..).map(|rest| rest.join(" ")))
    } else {
        return None;
    };
    // The peer (ss) or foreign (netstat) address follows the local one on every whole line.
    let peer_at = if matches!(first.as_str(), "listen" | "unconn") { 4 } else if words.get(1).is_some_and(|word| word.chars().all(|c| c.is_ascii_uppercase() || c == '-')) { 5 } else { 4 };
    let (Some(local), Some(_)) = (local, words.get(peer_at)) else {
        return Some(Err("the line ends before its addresses do (truncated?)".to_owned()));
    };
    Some(parse_local(local).map(|(bind, port)| {
        let (process, pid) = process.as_deref().map_or((None, None), program);
        Listener { protocol, bind, local: (*local).to_owned(), port, process, pid, line: (0, 0) }
    }))
}

/// `ADDRESS:PORT` as ss and netstat write it.
fn parse_local(local: &str) -> Result<(Bind, u16), LineError> {
    let (address, port) = local.rsplit_once(':').ok_or_else(|| format!("`{local}` is not ADDRESS:PORT"))?;
    let port: u16 = port.parse().map_err(|_| format!("`{port}` in `{local}` is not a port number"))?;
    // Scoped addresses: `127.0.0.53%lo`, `[fe80::1]%eth0`, `*%lo`.
    let (address, scope) = address.split_once('%').map_or((address, None), |(address, scope)| (address, Some(scope)));
    let address = address.trim_start_matches('[').trim_end_matches(']');
    let bind = match address {
        "*" | "0.0.0.0" | "::" | "" => Bind::All,
        _ => {
            let ip: IpAddr = address.parse().map_err(|_| format!("`{address}` in `{local}` is not an address"))?;
            let ip = match ip {
                IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
                IpAddr::V4(_) => ip,
            };
            if ip.is_loopback() {
                Bind::Loopback
            } else if ip.is_unspecified() {
                Bind::All
            } else {
                Bind::Address(ip)
            }
        }
    };
    let bind = if scope == Some("lo") { Bind::Loopback } else { bind };
    Ok((bind, port))
}

/// The program and pid of `users:(("sshd",pid=812,fd=3))` (ss) or `812/sshd` (netstat).
fn program(text: &str) -> (Option<String>, Option<u32>) {
    if let Some(rest) = text.strip_prefix("users:((\"") {
        let name = rest.split('"').next().map(str::to_owned);
        let pid = rest.split("pid=").nth(1).and_then(|pid| pid.split([',', ')']).next()).and_then(|pid| pid.parse().ok());
        return (name, pid);
    }
    match text.split_once('/') {
        Some((pid, name)) if !name.is_empty() => (Some(name.trim().to_owned()), pid.parse().ok()),
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(line: &str) -> Listener {
        listener_line(line).expect("a listener line").expect("readable")
    }

    #[test]
    fn ss_and_netstat_lines_of_every_shape() {
        let sshd = read("tcp   LISTEN 0      128          0.0.0.0:22        0.0.0.0:*    users:((\"sshd\",pid=812,fd=3))");
        assert_eq!((sshd.protocol, sshd.bind, sshd.port, sshd.process.as_deref(), sshd.pid), (Protocol::TCP, Bind::All, 22, Some("sshd"), Some(812)));
        assert_eq!(read("tcp LISTEN 0 511 [::]:80 [::]:* users:((\"nginx\",pid=1001,fd=7),(\"nginx\",pid=1000,fd=7))").bind, Bind::All);
        assert_eq!(read("tcp LISTEN 0 4096 *:9100 *:* users:((\"node_exporter\",pid=77,fd=3))").port, 9100);
        assert_eq!(read("udp UNCONN 0 0 127.0.0.53%lo:53 0.0.0.0:* users:((\"systemd-resolve\",pid=601,fd=13))").bind, Bind::Loopback);
        assert_eq!(read("tcp LISTEN 0 244 [::1]:5432 [::]:*").bind, Bind::Loopback);
        assert_eq!(read("tcp LISTEN 0 128 [::ffff:127.0.0.1]:8080 *:*").bind, Bind::Loopback);
        assert_eq!(read("udp UNCONN 0 0 [fe80::1]%eth0:123 [::]:*").bind, Bind::Address("fe80::1".parse().unwrap()));
        assert_eq!(read("tcp LISTEN 0 128 192.0.2.10:443 0.0.0.0:*").bind, Bind::Address("192.0.2.10".parse().unwrap()));
        let netstat = read("tcp6       0      0 :::22                   :::*                    LISTEN      812/sshd: /usr/sbin");
        assert_eq!((netstat.bind, netstat.port, netstat.pid), (Bind::All, 22, Some(812)));
        let busybox = read("udp        0      0 0.0.0.0:68              0.0.0.0:*                           590/udhcpc");
        assert_eq!((busybox.protocol, busybox.process.as_deref()), (Protocol::UDP, Some("udhcpc")));
        assert_eq!(read("tcp        0      0 127.0.0.1:25            0.0.0.0:*               LISTEN      -").process, None);
        assert_eq!(read("LISTEN 0 128 0.0.0.0:22 0.0.0.0:*").protocol, Protocol::TCP);
        assert_eq!(read("UNCONN 0 0 0.0.0.0:51820 0.0.0.0:*").protocol, Protocol::UDP);
    }

    #[test]
    fn truncated_and_garbled_lines_say_why() {
        assert!(listener_line("tcp LISTEN 0").unwrap().unwrap_err().contains("truncated"));
        assert!(listener_line("tcp LISTEN 0 128 0.0.0.0:ssh 0.0.0.0:*").unwrap().unwrap_err().contains("not a port number"));
        assert!(listener_line("tcp LISTEN 0 128 300.1.2.3:22 0.0.0.0:*").unwrap().unwrap_err().contains("not an address"));
        assert!(listener_line("eth0 UP 192.0.2.1/24").is_none());
    }
}
