//! The analysis of a design's own rules, with the admin's SSH taken from the design: what the
//! app's review step and `portcullis lint design.json` show.

use super::Design;
use crate::analysis::{lint, lint_pair, Finding, LintOptions};
use crate::codes::Code;
use crate::model::{Family, PortSpec, Protocol};

impl Design {
    /// What the lints assume: SSH on port 22 from the sources the design opens it to
    /// (anywhere when open to everyone, nobody when closed — the check then reports that no
    /// one can log in), and the published container ports the design lists.
    pub fn lint_options(&self) -> LintOptions {
        LintOptions { admin_from: self.ssh_sources().unwrap_or_default(), published_ports: self.published_ports(), ..LintOptions::default() }
    }

    /// The container ports the design's containers choice lists as published (empty without
    /// the choice, or when it applies to every published port without naming them).
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::design::{ContainerExposure, ContainerPorts, Design, PublishedPorts, Transport};
    /// let mut design = Design::default();
    /// let ports = PublishedPorts::new(Transport::Tcp, "8080".parse().unwrap());
    /// design.set_containers(Some(ContainerPorts::new(ContainerExposure::Everyone, Some(ports)))).unwrap();
    /// assert_eq!(design.published_ports()[0].1.first(), 8080);
    /// ```
    pub fn published_ports(&self) -> Vec<(Protocol, PortSpec)> {
        self.containers().and_then(super::ContainerPorts::ports).map(super::PublishedPorts::ports).unwrap_or_default()
    }

    /// Every finding on both compiled rulesets, lockouts first, then by severity (worst first).
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::codes::Code;
    /// use portcullis_engine::design::{Design, Preset, ServiceId};
    /// let closed = Design::default();
    /// assert_eq!(closed.lint()[0].diagnostic.code, Code::Lockout, "SSH closed: nobody can log in");
    /// assert!(Preset::Web.design().lint().iter().all(|finding| finding.diagnostic.code != Code::Lockout));
    /// ```
    pub fn lint(&self) -> Vec<Finding> {
        let options = self.lint_options();
        let (v4, v6) = (self.compile(Family::V4), self.compile(Family::V6));
        let mut findings = lint(&v4, &options);
        findings.extend(lint(&v6, &options));
        findings.extend(lint_pair(&v4, &v6, &options));
        findings.sort_by_key(|finding| (finding.diagnostic.code != Code::Lockout, std::cmp::Reverse(finding.diagnostic.severity)));
        findings
    }
}
