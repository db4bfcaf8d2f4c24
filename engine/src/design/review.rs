//! The analysis of a design's own rules, with the admin's SSH taken from the design: what the
//! app's review step and `portcullis lint design.json` show.

use super::Design;
use crate::analysis::{lint, lint_pair, Finding, LintOptions};
use crate::codes::Code;
use crate::model::Family;

impl Design {
    /// What the lockout check assumes: SSH on port 22 from the sources the design opens it to
    /// (anywhere when open to everyone, nobody when closed — the check then reports that no
    /// one can log in).
    pub fn lint_options(&self) -> LintOptions {
        LintOptions { admin_from: self.ssh_sources().unwrap_or_default(), ..LintOptions::default() }
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
