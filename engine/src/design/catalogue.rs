//! The service catalogue: the data behind every service a design can open.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::{PortSpec, Protocol};

/// A service from the catalogue, named in save files by its lower-case id (`"ssh"`, `"https"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceId {
    /// Secure Shell.
    Ssh,
    /// Plain web.
    Http,
    /// Web over TLS.
    Https,
    /// Mail between servers.
    Smtp,
    /// Mail submission over TLS.
    Smtps,
    /// Mail download, cleartext.
    Pop3,
    /// Mail download over TLS.
    Pop3s,
    /// Mailbox access, cleartext.
    Imap,
    /// Mailbox access over TLS.
    Imaps,
    /// `MySQL` / `MariaDB`.
    Mysql,
}

/// Everything the catalogue knows about one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceInfo {
    /// The id used in save files and URLs.
    pub id: ServiceId,
    /// The name shown to people.
    pub name: &'static str,
    /// The protocol and ports the service listens on.
    pub ports: &'static [(Protocol, PortSpec)],
    /// What the service is, in a beginner's words.
    pub explanation: &'static str,
}

/// Every service, in the order they are listed.
pub const CATALOGUE: &[ServiceInfo] = &[
    ServiceInfo {
        id: ServiceId::Ssh,
        name: "SSH",
        ports: &[(Protocol::TCP, PortSpec::single(22))],
        explanation: "Remote login to this server. Keep it open for yourself, ideally only from your own address.",
    },
    ServiceInfo {
        id: ServiceId::Http,
        name: "HTTP",
        ports: &[(Protocol::TCP, PortSpec::single(80))],
        explanation: "Web pages without encryption; usually only redirects visitors to HTTPS.",
    },
    ServiceInfo {
        id: ServiceId::Https,
        name: "HTTPS",
        ports: &[(Protocol::TCP, PortSpec::single(443))],
        explanation: "Encrypted web pages: what visitors of your site use.",
    },
    ServiceInfo {
        id: ServiceId::Smtp,
        name: "SMTP",
        ports: &[(Protocol::TCP, PortSpec::single(25))],
        explanation: "Receiving mail from other mail servers.",
    },
    ServiceInfo {
        id: ServiceId::Smtps,
        name: "SMTPS",
        ports: &[(Protocol::TCP, PortSpec::single(465))],
        explanation: "Your users sending mail through this server, encrypted.",
    },
    ServiceInfo {
        id: ServiceId::Pop3,
        name: "POP3",
        ports: &[(Protocol::TCP, PortSpec::single(110))],
        explanation: "Mail clients downloading mail, without encryption; prefer POP3S.",
    },
    ServiceInfo {
        id: ServiceId::Pop3s,
        name: "POP3S",
        ports: &[(Protocol::TCP, PortSpec::single(995))],
        explanation: "Mail clients downloading mail, encrypted.",
    },
    ServiceInfo {
        id: ServiceId::Imap,
        name: "IMAP",
        ports: &[(Protocol::TCP, PortSpec::single(143))],
        explanation: "Mail clients reading mailboxes on the server, without encryption; prefer IMAPS.",
    },
    ServiceInfo {
        id: ServiceId::Imaps,
        name: "IMAPS",
        ports: &[(Protocol::TCP, PortSpec::single(993))],
        explanation: "Mail clients reading mailboxes on the server, encrypted.",
    },
    ServiceInfo {
        id: ServiceId::Mysql,
        name: "MySQL",
        ports: &[(Protocol::TCP, PortSpec::single(3306))],
        explanation: "The MySQL/MariaDB database. Never open it to everyone: restrict it to your app servers.",
    },
];

impl ServiceId {
    /// The catalogue entry of this service.
    pub fn info(self) -> &'static ServiceInfo {
        CATALOGUE
            .iter()
            .find(|info| info.id == self)
            .unwrap_or_else(|| unreachable!("the catalogue test checks every id has an entry"))
    }

    /// The lower-case id used in save files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceId::Ssh => "ssh",
            ServiceId::Http => "http",
            ServiceId::Https => "https",
            ServiceId::Smtp => "smtp",
            ServiceId::Smtps => "smtps",
            ServiceId::Pop3 => "pop3",
            ServiceId::Pop3s => "pop3s",
            ServiceId::Imap => "imap",
            ServiceId::Imaps => "imaps",
            ServiceId::Mysql => "mysql",
        }
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A service id that is not in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownService(pub String);

impl fmt::Display for UnknownService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown service `{}`; known services: ", self.0)?;
        for (i, info) in CATALOGUE.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(info.id.as_str())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownService {}

impl FromStr for ServiceId {
    type Err = UnknownService;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        CATALOGUE
            .iter()
            .map(|info| info.id)
            .find(|id| id.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownService(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_unique_and_round_trips_its_id() {
        for (i, info) in CATALOGUE.iter().enumerate() {
            assert_eq!(info.id.info().name, info.name);
            assert_eq!(info.id.as_str().parse::<ServiceId>(), Ok(info.id));
            assert!(!info.ports.is_empty(), "{} has no ports", info.name);
            assert!(info.ports.iter().all(|(proto, _)| proto.has_ports()));
            assert!(CATALOGUE[i + 1..].iter().all(|other| other.id != info.id));
        }
    }

    #[test]
    fn the_seed_tutorial_ports_are_right() {
        let port = |id: ServiceId| id.info().ports[0].1.first();
        let expected = [
            (ServiceId::Ssh, 22),
            (ServiceId::Http, 80),
            (ServiceId::Https, 443),
            (ServiceId::Smtp, 25),
            (ServiceId::Smtps, 465),
            (ServiceId::Pop3, 110),
            (ServiceId::Pop3s, 995),
            (ServiceId::Imap, 143),
            (ServiceId::Imaps, 993),
            (ServiceId::Mysql, 3306),
        ];
        assert_eq!(expected.len(), CATALOGUE.len());
        for (id, number) in expected {
            assert_eq!(port(id), number, "{id}");
        }
    }

    #[test]
    fn unknown_ids_name_the_known_ones() {
        let error = "telnet".parse::<ServiceId>().unwrap_err();
        assert!(error.to_string().contains("unknown service `telnet`"));
        assert!(error.to_string().contains("ssh, http"));
    }
}
