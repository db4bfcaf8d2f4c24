//! The service catalogue: every well-known service a design can open, as data.
//!
//! The entries live in one table, [`CATALOGUE`] (`catalogue/data.rs`); the tests at the bottom of
//! this file validate it: at least 80 entries, unique ids and aliases, valid ports, secure
//! alternatives that exist and are not cleartext themselves, and the exact ports of every service
//! the seed tutorials open. Port numbers follow Debian's `/etc/services` (netbase) and
//! firewalld's service definitions.
//!
//! A [`ServiceId`] can only be made from an id the catalogue holds, so every id has an entry:
//!
//! ```
//! use portcullis_engine::design::{Risk, ServiceId};
//! let redis: ServiceId = "redis".parse().unwrap();
//! assert_eq!(redis.info().ports_text(), "TCP 6379");
//! assert_eq!(redis.info().risk(), Risk::High);
//! // firewalld and UFW names find their entry too.
//! assert_eq!(ServiceId::find("domain"), Some(ServiceId::DNS));
//! assert!("no-such-service".parse::<ServiceId>().is_err());
//! ```

mod data;

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::model::{PortSpec, Protocol};

pub use data::CATALOGUE;

/// A service of the catalogue, named in save files by its stable lower-case id (`"ssh"`,
/// `"postgresql"`). Ids are ordered as the catalogue lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServiceId(&'static str);

/// What a service is for: the headings the app groups services under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    /// Logging in to this server from elsewhere.
    RemoteAccess,
    /// Tools that administer this or other servers.
    Administration,
    /// Web sites and proxies.
    Web,
    /// Sending, receiving and reading mail.
    Mail,
    /// Databases, caches and search engines.
    Database,
    /// Message brokers and queues.
    Messaging,
    /// Files shared with or synchronised to other machines.
    FileSharing,
    /// User directories and single sign-on.
    Directory,
    /// Basic network services: names, time, addresses, routing, printing.
    Network,
    /// Private networks tunnelled over the internet.
    Vpn,
    /// Collecting metrics and checking that servers are healthy.
    Monitoring,
    /// Containers and their orchestration.
    Containers,
    /// Chat, voice and video.
    Communication,
    /// Streaming media and downloads.
    Media,
    /// Game servers.
    Games,
}

impl Purpose {
    /// Every purpose, in the order the app shows them.
    pub const ALL: [Purpose; 15] = [
        Purpose::RemoteAccess,
        Purpose::Web,
        Purpose::Mail,
        Purpose::Database,
        Purpose::FileSharing,
        Purpose::Network,
        Purpose::Directory,
        Purpose::Vpn,
        Purpose::Monitoring,
        Purpose::Administration,
        Purpose::Containers,
        Purpose::Messaging,
        Purpose::Communication,
        Purpose::Media,
        Purpose::Games,
    ];

    /// The heading shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Purpose::RemoteAccess => "Remote access",
            Purpose::Administration => "Administration",
            Purpose::Web => "Web",
            Purpose::Mail => "Mail",
            Purpose::Database => "Databases",
            Purpose::Messaging => "Messaging",
            Purpose::FileSharing => "File sharing",
            Purpose::Directory => "Directory",
            Purpose::Network => "Network services",
            Purpose::Vpn => "VPN",
            Purpose::Monitoring => "Monitoring",
            Purpose::Containers => "Containers",
            Purpose::Communication => "Communication",
            Purpose::Media => "Media",
            Purpose::Games => "Games",
        }
    }
}

/// How dangerous it is to open a service to the whole internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Risk {
    /// Made to be reached by anyone: web sites, mail delivery, game servers.
    Low,
    /// Safe to open when kept up to date, better restricted to trusted sources: SSH, VPNs,
    /// monitoring agents.
    Medium,
    /// Must not face the internet: databases, caches, the Docker API, admin panels, file
    /// shares. Open it only to trusted sources.
    High,
}

impl Risk {
    /// A one-word label for people.
    pub fn label(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }
}

/// Everything the catalogue knows about one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceInfo {
    id: ServiceId,
    name: &'static str,
    purpose: Purpose,
    risk: Risk,
    ports: &'static [(Protocol, PortSpec)],
    aliases: &'static [&'static str],
    cleartext: bool,
    secure_alternative: Option<ServiceId>,
    explanation: &'static str,
}

impl ServiceInfo {
    /// The id used in save files, URLs and on the command line.
    pub fn id(&self) -> ServiceId {
        self.id
    }

    /// The name shown to people.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What the service is for.
    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    /// How dangerous it is to open the service to everyone.
    pub fn risk(&self) -> Risk {
        self.risk
    }

    /// The protocols and ports the service listens on (TCP or UDP; single ports or ranges).
    pub fn ports(&self) -> &'static [(Protocol, PortSpec)] {
        self.ports
    }

    /// Other names for the service: those firewalld and UFW (`/etc/services`) use.
    pub fn aliases(&self) -> &'static [&'static str] {
        self.aliases
    }

    /// Whether passwords or data cross the network unencrypted.
    pub fn is_cleartext(&self) -> bool {
        self.cleartext
    }

    /// The encrypted service to prefer, for a cleartext one that has such an alternative.
    pub fn secure_alternative(&self) -> Option<ServiceId> {
        self.secure_alternative
    }

    /// What the service is, in a beginner's words.
    pub fn explanation(&self) -> &'static str {
        self.explanation
    }

    /// The ports as people read them.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::design::ServiceId;
    /// assert_eq!(ServiceId::DNS.info().ports_text(), "TCP 53, UDP 53");
    /// assert_eq!("mosh".parse::<ServiceId>().unwrap().info().ports_text(), "UDP 60000:61000");
    /// ```
    pub fn ports_text(&self) -> String {
        ports_text(self.ports)
    }
}

/// Protocol-and-port pairs as people read them: `TCP 22, UDP 60000:61000`.
pub(crate) fn ports_text(ports: &[(Protocol, PortSpec)]) -> String {
    let mut text = String::new();
    for (index, (protocol, ports)) in ports.iter().enumerate() {
        if index > 0 {
            text.push_str(", ");
        }
        text.push_str(&protocol.to_string().to_ascii_uppercase());
        text.push(' ');
        text.push_str(&ports.to_string());
    }
    text
}

/// Byte equality usable in constants.
const fn same_text(left: &str, right: &str) -> bool {
    let (left, right) = (left.as_bytes(), right.as_bytes());
    if left.len() != right.len() {
        return false;
    }
    let mut index = 0;
    while index < left.len() {
        if left[index] != right[index] {
            return false;
        }
        index += 1;
    }
    true
}

/// Where the entry with id `slug` sits in the catalogue.
const fn position_of(slug: &str) -> Option<usize> {
    let mut index = 0;
    while index < CATALOGUE.len() {
        if same_text(CATALOGUE[index].id.0, slug) {
            return Some(index);
        }
        index += 1;
    }
    None
}

impl ServiceId {
    /// An id checked against the catalogue while compiling: a typo here does not build.
    pub(crate) const fn known(slug: &'static str) -> Self {
        assert!(position_of(slug).is_some(), "a named service id must be in the catalogue");
        Self(slug)
    }

    /// SSH, TCP 22.
    pub const SSH: Self = Self::known("ssh");
    /// HTTP, TCP 80.
    pub const HTTP: Self = Self::known("http");
    /// HTTPS, TCP 443.
    pub const HTTPS: Self = Self::known("https");
    /// Web cache / HTTP alternate, TCP 8080.
    pub const WEBCACHE: Self = Self::known("webcache");
    /// SMTP, TCP 25.
    pub const SMTP: Self = Self::known("smtp");
    /// SMTPS, TCP 465.
    pub const SMTPS: Self = Self::known("smtps");
    /// Mail submission, TCP 587.
    pub const SUBMISSION: Self = Self::known("submission");
    /// POP3, TCP 110.
    pub const POP3: Self = Self::known("pop3");
    /// POP3S, TCP 995.
    pub const POP3S: Self = Self::known("pop3s");
    /// IMAP, TCP 143.
    pub const IMAP: Self = Self::known("imap");
    /// IMAPS, TCP 993.
    pub const IMAPS: Self = Self::known("imaps");
    /// IMAP3, TCP 220.
    pub const IMAP3: Self = Self::known("imap3");
    /// `MySQL` / `MariaDB`, TCP 3306.
    pub const MYSQL: Self = Self::known("mysql");
    /// `PostgreSQL`, TCP 5432.
    pub const POSTGRESQL: Self = Self::known("postgresql");
    /// DNS, TCP and UDP 53.
    pub const DNS: Self = Self::known("dns");
    /// FTP, TCP 20 and 21.
    pub const FTP: Self = Self::known("ftp");
    /// rsync daemon, TCP 873.
    pub const RSYNC: Self = Self::known("rsync");
    /// LDAP, TCP 389.
    pub const LDAP: Self = Self::known("ldap");
    /// Subversion, TCP 3690.
    pub const SVN: Self = Self::known("svn");

    /// The service whose id is `id` (ASCII case and surrounding blanks ignored).
    ///
    /// # Errors
    /// When no entry has that id; the error suggests the entry an alias or a near miss names.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::design::ServiceId;
    /// assert_eq!(ServiceId::new(" SSH "), Ok(ServiceId::SSH));
    /// let error = ServiceId::new("postgres").unwrap_err();
    /// assert!(error.to_string().contains("did you mean `postgresql`"));
    /// ```
    pub fn new(id: &str) -> Result<Self, UnknownService> {
        let wanted = id.trim();
        Self::exact(wanted).ok_or_else(|| UnknownService { text: wanted.to_owned(), suggestion: suggest(wanted) })
    }

    fn exact(id: &str) -> Option<Self> {
        CATALOGUE.iter().map(|info| info.id).find(|known| known.0.eq_ignore_ascii_case(id))
    }

    /// The service an id or an alias (a firewalld or UFW name) designates, ignoring ASCII case.
    pub fn find(name: &str) -> Option<Self> {
        let wanted = name.trim();
        Self::exact(wanted).or_else(|| {
            CATALOGUE
                .iter()
                .find(|info| info.aliases.iter().any(|alias| alias.eq_ignore_ascii_case(wanted)))
                .map(|info| info.id)
        })
    }

    /// Every service, in catalogue order.
    pub fn all() -> impl Iterator<Item = ServiceId> {
        CATALOGUE.iter().map(|info| info.id)
    }

    /// The catalogue entry of this service.
    pub fn info(self) -> &'static ServiceInfo {
        CATALOGUE
            .get(self.position())
            .unwrap_or_else(|| unreachable!("a ServiceId is only made from a catalogue entry"))
    }

    /// The lower-case id used in save files and on the command line.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    fn position(self) -> usize {
        position_of(self.0).unwrap_or(usize::MAX)
    }
}

impl PartialOrd for ServiceId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ServiceId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.position().cmp(&other.position()).then_with(|| self.0.cmp(other.0))
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl FromStr for ServiceId {
    type Err = UnknownService;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::new(text)
    }
}

impl TryFrom<String> for ServiceId {
    type Error = UnknownService;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(&text)
    }
}

impl From<ServiceId> for &'static str {
    fn from(id: ServiceId) -> Self {
        id.0
    }
}

/// A service id that is not in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownService {
    text: String,
    suggestion: Option<ServiceId>,
}

impl UnknownService {
    /// The id that was refused.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The entry the text probably meant: the one it is an alias of, or a near miss.
    pub fn suggestion(&self) -> Option<ServiceId> {
        self.suggestion
    }
}

impl fmt::Display for UnknownService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown service `{}`", crate::design::shown(&self.text))?;
        match self.suggestion {
            Some(id) => write!(f, "; did you mean `{id}` ({})?", id.info().name),
            None => write!(
                f,
                "; the catalogue has {} services (such as ssh, https, postgresql); for anything else add a custom service with its ports",
                CATALOGUE.len()
            ),
        }
    }
}

impl std::error::Error for UnknownService {}

/// The entry `text` is an alias of, or else the id at most two edits away (the closest).
fn suggest(text: &str) -> Option<ServiceId> {
    let lower = text.to_ascii_lowercase();
    if let Some(id) = ServiceId::find(&lower) {
        return Some(id);
    }
    CATALOGUE
        .iter()
        .map(|info| (edit_distance(&lower, info.id.0), info.id))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, id)| id)
}

/// Levenshtein distance over bytes; only ever called with short texts.
fn edit_distance(left: &str, right: &str) -> usize {
    let (left, right) = (left.as_bytes(), right.as_bytes());
    if left.len() > 64 {
        return usize::MAX;
    }
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (i, a) in left.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, b) in right.iter().enumerate() {
            let substitution = previous[j] + usize::from(a != b);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[right.len()]
}

#[cfg(test)]
mod tests;
