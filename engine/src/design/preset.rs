//! Server-role presets: a design to start from.

use std::fmt;
use std::str::FromStr;

use super::{Access, Design, Name, ServiceId};

/// A common server role and the design it starts from.
///
/// SSH is open to everyone in every preset but `empty`, so that applying a preset never locks
/// you out; restrict it to your own addresses next. Databases are open only to the group
/// `app-servers`, created empty: they stay closed until you add your application servers to it.
///
/// # Examples
/// ```
/// use portcullis_engine::design::{Preset, ServiceId};
/// let preset: Preset = "web-mail".parse().unwrap();
/// let design = preset.design();
/// assert!(design.access(ServiceId::IMAPS).is_some());
/// assert!(design.access(ServiceId::MYSQL).is_none());
/// assert_eq!(Preset::ALL.iter().map(|preset| preset.slug()).collect::<Vec<_>>(),
///            ["web", "mail", "web-mail", "database", "bastion", "empty"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Preset {
    /// A web server: SSH, HTTP, HTTPS and HTTP/3.
    Web,
    /// A mail server: SSH, SMTP, submission (SMTPS and 587), POP3S, IMAPS and `ManageSieve`.
    Mail,
    /// The seed tutorial's server: SSH, web, and mail with the cleartext POP3 and IMAP the
    /// tutorial opens besides their encrypted versions.
    WebMail,
    /// A database server: SSH, and `PostgreSQL` and `MySQL` only from the group `app-servers`.
    Database,
    /// A bastion (jump host): SSH only, and Mosh.
    Bastion,
    /// Nothing open: every incoming connection refused.
    Empty,
}

impl Preset {
    /// Every preset, in the order the app offers them.
    pub const ALL: [Preset; 6] =
        [Preset::Web, Preset::Mail, Preset::WebMail, Preset::Database, Preset::Bastion, Preset::Empty];

    /// The id used on the command line (`portcullis design --preset web-mail`) and in URLs.
    pub fn slug(self) -> &'static str {
        match self {
            Preset::Web => "web",
            Preset::Mail => "mail",
            Preset::WebMail => "web-mail",
            Preset::Database => "database",
            Preset::Bastion => "bastion",
            Preset::Empty => "empty",
        }
    }

    /// The name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Web => "Web server",
            Preset::Mail => "Mail server",
            Preset::WebMail => "Web and mail server",
            Preset::Database => "Database server",
            Preset::Bastion => "Bastion (jump host)",
            Preset::Empty => "Empty",
        }
    }

    /// What the preset opens, in a sentence.
    pub fn description(self) -> &'static str {
        match self {
            Preset::Web => "SSH and web pages (HTTP, HTTPS, HTTP/3) for everyone.",
            Preset::Mail => "SSH, mail delivery, encrypted mail submission and encrypted mailbox access.",
            Preset::WebMail => "The tutorials' server: SSH, web pages, and mail with POP3 and IMAP, encrypted and not.",
            Preset::Database => "SSH, and PostgreSQL and MySQL only for the group app-servers, which you fill in.",
            Preset::Bastion => "Only SSH (and Mosh): the one door into a private network.",
            Preset::Empty => "Nothing open: start from scratch.",
        }
    }

    /// The services this preset opens to everyone.
    fn open_services(self) -> &'static [ServiceId] {
        const HTTP3: ServiceId = ServiceId::known("http3");
        const MANAGESIEVE: ServiceId = ServiceId::known("managesieve");
        const MOSH: ServiceId = ServiceId::known("mosh");
        match self {
            Preset::Web => &[ServiceId::SSH, ServiceId::HTTP, ServiceId::HTTPS, HTTP3],
            Preset::Mail => &[
                ServiceId::SSH,
                ServiceId::SMTP,
                ServiceId::SMTPS,
                ServiceId::SUBMISSION,
                ServiceId::POP3S,
                ServiceId::IMAPS,
                MANAGESIEVE,
            ],
            Preset::WebMail => &[
                ServiceId::SSH,
                ServiceId::HTTP,
                ServiceId::HTTPS,
                ServiceId::SMTP,
                ServiceId::SMTPS,
                ServiceId::SUBMISSION,
                ServiceId::POP3,
                ServiceId::POP3S,
                ServiceId::IMAP,
                ServiceId::IMAPS,
            ],
            Preset::Database => &[ServiceId::SSH],
            Preset::Bastion => &[ServiceId::SSH, MOSH],
            Preset::Empty => &[],
        }
    }

    /// The design this preset starts from.
    pub fn design(self) -> Design {
        let mut design = Design::default();
        for service in self.open_services() {
            design.allow(*service, Vec::new());
        }
        if self == Preset::Database {
            let app_servers = Name::new("app-servers").unwrap_or_else(|error| unreachable!("a valid name: {error}"));
            design.set_group(app_servers.clone(), Vec::new());
            for database in [ServiceId::POSTGRESQL, ServiceId::MYSQL] {
                let access = Access::only(vec![app_servers.clone()], Vec::new());
                design.allow_access(database, access).unwrap_or_else(|error| unreachable!("group created: {error}"));
            }
        }
        design
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// A preset name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPreset(String);

impl fmt::Display for UnknownPreset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown preset `{}`; choose one of: ", self.0)?;
        for (index, preset) in Preset::ALL.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            f.write_str(preset.slug())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownPreset {}

impl FromStr for Preset {
    type Err = UnknownPreset;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim();
        Preset::ALL
            .into_iter()
            .find(|preset| preset.slug().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownPreset(wanted.chars().take(40).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::Risk;

    #[test]
    fn slugs_round_trip_and_unknown_ones_list_the_choices() {
        for preset in Preset::ALL {
            assert_eq!(preset.slug().parse::<Preset>(), Ok(preset));
            assert!(!preset.name().is_empty() && preset.description().ends_with('.'));
        }
        let error = "webmail".parse::<Preset>().unwrap_err().to_string();
        assert_eq!(error, "unknown preset `webmail`; choose one of: web, mail, web-mail, database, bastion, empty");
    }

    #[test]
    fn every_preset_but_empty_keeps_ssh_open() {
        for preset in Preset::ALL {
            let ssh = preset.design().access(ServiceId::SSH).cloned();
            if preset == Preset::Empty {
                assert_eq!(ssh, None);
            } else {
                assert_eq!(ssh, Some(Access::Everyone), "{preset}");
            }
        }
    }

    #[test]
    fn no_preset_opens_a_high_risk_service_to_everyone() {
        for preset in Preset::ALL {
            for (service, access) in preset.design().services() {
                if service.info().risk() == Risk::High {
                    assert_ne!(access, &Access::Everyone, "{preset} opens {service} to everyone");
                }
            }
        }
    }

    #[test]
    fn the_tutorial_server_opens_what_the_tutorial_opens() {
        let design = Preset::WebMail.design();
        let open: Vec<&str> = design.services().map(|(id, _)| id.as_str()).collect();
        assert_eq!(open, ["ssh", "http", "https", "smtp", "smtps", "submission", "pop3", "pop3s", "imap", "imaps"]);
    }

    #[test]
    fn the_database_preset_waits_for_its_app_servers() {
        let design = Preset::Database.design();
        let group: Name = "app-servers".parse().unwrap();
        assert_eq!(design.group(&group), Some(&[][..]));
        assert_eq!(design.access(ServiceId::POSTGRESQL).map(Access::groups), Some(&[group][..]));
        let rules = crate::export::save::render(&design.compile(crate::model::Family::V4));
        assert!(!rules.contains("--dport 5432"), "{rules}");
    }
}
