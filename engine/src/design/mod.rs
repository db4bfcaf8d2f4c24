//! The design: what the user wants, in their words, and its compilation into rulesets.
//!
//! A [`Design`] lists the services to open and, for each, who may connect. Compiling it for a
//! [`Family`] gives the ruleset the seed tutorials teach, done right: policies INPUT DROP,
//! FORWARD DROP, OUTPUT ACCEPT; loopback accepted; replies (`ESTABLISHED,RELATED`) accepted; on
//! IPv6 the neighbour discovery messages without which IPv6 stops working (RFC 4890); then one
//! rule per service, port and trusted source, each commented with its intent.

mod catalogue;
mod compile;
mod file;
mod source;

pub use catalogue::{ServiceId, ServiceInfo, UnknownService, CATALOGUE};
pub use file::{DesignFileError, DESIGN_FILE_VERSION};
pub use source::{Source, SourceError};

use std::collections::BTreeMap;

use crate::model::{Family, Ruleset};

/// Who may connect to a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Any address on the internet.
    Everyone,
    /// Only these sources (never empty). A service whose sources are all of one family stays
    /// closed on the other.
    Only(Vec<Source>),
}

impl Access {
    /// `Everyone` for an empty list, otherwise `Only` the sources, sorted and without repeats.
    pub fn from_sources(mut sources: Vec<Source>) -> Self {
        sources.sort_unstable();
        sources.dedup();
        if sources.is_empty() {
            Access::Everyone
        } else {
            Access::Only(sources)
        }
    }

    /// The sources, empty for `Everyone`.
    pub fn sources(&self) -> &[Source] {
        match self {
            Access::Everyone => &[],
            Access::Only(sources) => sources,
        }
    }
}

/// What the user wants: the services to open and who may reach each.
///
/// # Examples
/// ```
/// use portcullis_engine::design::{Access, Design, ServiceId};
/// let mut design = Design::default();
/// design.allow(ServiceId::Https, vec![]);
/// assert_eq!(design.access(ServiceId::Https), Some(&Access::Everyone));
/// design.close(ServiceId::Https);
/// assert_eq!(design.access(ServiceId::Https), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Design {
    services: BTreeMap<ServiceId, Access>,
}

impl Design {
    /// Opens `service` to `sources`, or to everyone when `sources` is empty; replaces any earlier
    /// access for that service.
    pub fn allow(&mut self, service: ServiceId, sources: Vec<Source>) {
        self.services.insert(service, Access::from_sources(sources));
    }

    /// Closes `service`.
    pub fn close(&mut self, service: ServiceId) {
        self.services.remove(&service);
    }

    /// Who may reach `service`, or `None` when it is closed.
    pub fn access(&self, service: ServiceId) -> Option<&Access> {
        self.services.get(&service)
    }

    /// The open services in catalogue order.
    pub fn services(&self) -> impl Iterator<Item = (ServiceId, &Access)> {
        self.services.iter().map(|(id, access)| (*id, access))
    }

    /// The ruleset this design asks for, for one address family.
    pub fn compile(&self, family: Family) -> Ruleset {
        compile::compile(self, family)
    }
}
