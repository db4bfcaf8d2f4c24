//! The design save file: versioned JSON, kept apart from [`Design`] so the file format can evolve
//! with migrations while the in-memory design stays simple.
//!
//! Version 1:
//! ```json
//! { "version": 1,
//!   "services": [ { "service": "ssh", "sources": ["203.0.113.7/32"] }, { "service": "http" } ] }
//! ```
//! A service without `sources` is open to everyone.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Design, ServiceId, Source};

/// The version this Portcullis writes, and the newest it reads.
pub const DESIGN_FILE_VERSION: u32 = 1;

/// Why a text is not a design file this Portcullis can open.
#[derive(Debug)]
pub struct DesignFileError {
    kind: DesignFileErrorKind,
}

#[derive(Debug)]
#[non_exhaustive]
enum DesignFileErrorKind {
    NotJson(serde_json::Error),
    NoVersion,
    TooNew(u64),
    Invalid { version: u32, error: serde_json::Error },
    DuplicateService(ServiceId),
}

impl fmt::Display for DesignFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DesignFileErrorKind::NotJson(error) => write!(f, "not a design file: the text is not JSON ({error})"),
            DesignFileErrorKind::NoVersion => {
                f.write_str("not a design file: it has no numeric `version` field at the top level")
            }
            DesignFileErrorKind::TooNew(version) => write!(
                f,
                "this design file is version {version}, made by a newer Portcullis; this one reads up to version {DESIGN_FILE_VERSION}"
            ),
            DesignFileErrorKind::Invalid { version, error } => {
                write!(f, "invalid design file (version {version}): {error}")
            }
            DesignFileErrorKind::DuplicateService(service) => {
                write!(f, "invalid design file: service `{service}` is listed twice; merge its sources into one entry")
            }
        }
    }
}

impl std::error::Error for DesignFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            DesignFileErrorKind::NotJson(error) | DesignFileErrorKind::Invalid { error, .. } => Some(error),
            DesignFileErrorKind::NoVersion
            | DesignFileErrorKind::TooNew(_)
            | DesignFileErrorKind::DuplicateService(_) => None,
        }
    }
}

impl From<DesignFileErrorKind> for DesignFileError {
    fn from(kind: DesignFileErrorKind) -> Self {
        Self { kind }
    }
}

#[derive(Deserialize)]
struct VersionProbe {
    version: Option<serde_json::Value>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    version: u32,
    services: Vec<ServiceEntryV1>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceEntryV1 {
    service: ServiceId,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sources: Vec<Source>,
}

impl Design {
    /// Reads a design file of any version this Portcullis knows, migrating older ones.
    ///
    /// # Errors
    /// When the text is not JSON, has no version, is from a newer Portcullis, or holds an
    /// invalid value (an unknown service, a bad address, a service listed twice).
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::design::{Design, ServiceId};
    /// let design = Design::from_json(r#"{"version":1,"services":[{"service":"ssh"}]}"#).unwrap();
    /// assert!(design.access(ServiceId::Ssh).is_some());
    /// assert!(Design::from_json(r#"{"version":99,"services":[]}"#).is_err());
    /// ```
    pub fn from_json(text: &str) -> Result<Self, DesignFileError> {
        let probe: VersionProbe = serde_json::from_str(text).map_err(DesignFileErrorKind::NotJson)?;
        let version = probe
            .version
            .as_ref()
            .and_then(serde_json::Value::as_u64)
            .ok_or(DesignFileErrorKind::NoVersion)?;
        match version {
            1 => {
                let file: FileV1 = serde_json::from_str(text)
                    .map_err(|error| DesignFileErrorKind::Invalid { version: 1, error })?;
                let mut design = Design::default();
                for entry in file.services {
                    if design.access(entry.service).is_some() {
                        return Err(DesignFileErrorKind::DuplicateService(entry.service).into());
                    }
                    design.allow(entry.service, entry.sources);
                }
                Ok(design)
            }
            0 => Err(DesignFileErrorKind::NoVersion.into()),
            newer => Err(DesignFileErrorKind::TooNew(newer).into()),
        }
    }

    /// The design as a save file of the current version: pretty, deterministic JSON.
    pub fn to_json(&self) -> String {
        let file = FileV1 {
            version: DESIGN_FILE_VERSION,
            services: self
                .services()
                .map(|(service, access)| ServiceEntryV1 { service, sources: access.sources().to_vec() })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file)
            .unwrap_or_else(|error| unreachable!("plain structs always serialize: {error}"));
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        Design::from_json(text).unwrap_err().to_string()
    }

    #[test]
    fn refusals_say_why() {
        assert!(error("not json").contains("not JSON"));
        assert!(error(r#"{"services":[]}"#).contains("no numeric `version`"));
        assert!(error(r#"{"version":"1","services":[]}"#).contains("no numeric `version`"));
        assert!(error(r#"{"version":2,"services":[]}"#).contains("newer Portcullis"));
        assert!(error(r#"{"version":1,"services":[{"service":"telnet"}]}"#).contains("unknown variant `telnet`"));
        assert!(error(r#"{"version":1,"services":[{"service":"ssh","sources":["203.0.113.7/24"]}]}"#)
            .contains("host bits set"));
        assert!(error(r#"{"version":1,"services":[{"service":"ssh"},{"service":"ssh"}]}"#).contains("listed twice"));
        assert!(error(r#"{"version":1,"services":[],"extra":true}"#).contains("unknown field `extra`"));
    }
}
