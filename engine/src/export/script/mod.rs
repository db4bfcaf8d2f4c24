//! A ready-to-run bash script that applies a pair of rulesets safely, beside the rules other
//! tools keep: checks root and the tools, reports the iptables backend, refuses while another
//! firewall manager is active (ufw, firewalld) or Kubernetes/Cilium rules exist unless given
//! `--coexist`, backs up the current rules, tests the new ones and prints the plan, loads both
//! families in [owned chains](super::owned) (one `iptables-restore --noflush` transaction each,
//! built by `portcullis-load`, the loader in `load.bash` next to this file), then restores the
//! backup after a countdown unless the user confirms FROM A NEW LOGIN, and finally installs a boot
//! service that loads only those chains. The script's own header documents every step; the
//! template is `apply.bash` next to this file.
//!
//! # Safe by construction
//! - The rules are embedded in quoted here-documents (`<<'PORTCULLIS_V4'`), where the shell
//!   expands nothing; text that holds a here-document terminator is refused ([`ScriptError`]),
//!   so no rule text can end its here-document early.
//! - The only other values written into the script are numbers and a distribution keyword from
//!   a fixed list.
//! - The template is filled in one pass: inserted text is never scanned for placeholders again.
//!
//! # Confirmation from a new login
//! The script writes a small helper, `portcullis-confirm`, into its state folder (root only,
//! `/run/portcullis` by default), draws a random token, and records the login it runs in: its
//! session id, looking past the sessions `sudo`/`su`/`doas` open, and its SSH connection. The
//! printed command (`sudo bash /run/portcullis/portcullis-confirm TOKEN`) refuses to confirm from
//! that same login or over that same SSH connection; the countdown only accepts a confirmation
//! recorded from another session. A new SSH login gets a new session from sshd, and it could only
//! log in through the new rules.

use std::fmt;

use super::owned::{self, OwnedError};
use crate::model::Ruleset;

/// Where the rules are made permanent once confirmed: every distribution gets the same files
/// (`/etc/portcullis/rules.v4|v6`, `/usr/local/sbin/portcullis-load`) and a boot service for its
/// init system (systemd, or `OpenRC` on Alpine), ordered after the distribution's own firewall
/// service and before Docker and fail2ban.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Distro {
    /// Debian / Ubuntu: `portcullis.service` (systemd); warns when `netfilter-persistent`
    /// restores a full ruleset at boot.
    Debian,
    /// RHEL, `CentOS`, Alma, Rocky, Fedora: `portcullis.service`; warns about `iptables.service`.
    Rhel,
    /// Arch: `portcullis.service`; warns about `iptables.service`.
    Arch,
    /// Alpine: `/etc/init.d/portcullis` (`OpenRC`); warns about the `iptables` service.
    Alpine,
    /// Not persisted: the rules last until the next reboot.
    #[default]
    None,
}

impl Distro {
    /// Every distribution, in the order they are listed.
    pub const ALL: [Distro; 5] = [Distro::Debian, Distro::Rhel, Distro::Arch, Distro::Alpine, Distro::None];

    /// The keyword the script and the CLI use.
    pub fn as_str(self) -> &'static str {
        match self {
            Distro::Debian => "debian",
            Distro::Rhel => "rhel",
            Distro::Arch => "arch",
            Distro::Alpine => "alpine",
            Distro::None => "none",
        }
    }
}

impl fmt::Display for Distro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Distro {
    type Err = ScriptError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lower = text.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "ubuntu" => "debian",
            "centos" | "fedora" | "alma" | "rocky" => "rhel",
            other => other,
        };
        Distro::ALL
            .into_iter()
            .find(|distro| distro.as_str() == alias)
            .ok_or_else(|| ScriptErrorKind::UnknownDistro(text.to_owned()).into())
    }
}

/// Options of the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptOptions {
    /// Where to persist the rules once confirmed.
    pub distro: Distro,
    /// Seconds to wait for a confirmation before restoring the backup (1 to 86400).
    pub rollback_seconds: u32,
    /// The SSH port named in the hint on how to log in again.
    pub ssh_port: u16,
}

impl Default for ScriptOptions {
    fn default() -> Self {
        Self { distro: Distro::None, rollback_seconds: 120, ssh_port: 22 }
    }
}

/// Why no script can be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    kind: ScriptErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
enum ScriptErrorKind {
    Terminator { file: &'static str, terminator: &'static str },
    Nul { file: &'static str },
    Rollback(u32),
    UnknownDistro(String),
    Owned(OwnedError),
}

impl From<ScriptErrorKind> for ScriptError {
    fn from(kind: ScriptErrorKind) -> Self {
        Self { kind }
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ScriptErrorKind::Terminator { file, terminator } => write!(
                f,
                "the {file} text contains `{terminator}`, which would end its here-document in the script early; remove it"
            ),
            ScriptErrorKind::Nul { file } => write!(f, "the {file} text contains a NUL byte, which no shell script can hold"),
            ScriptErrorKind::Rollback(seconds) => {
                write!(f, "a rollback after {seconds} seconds is out of range: use 1 to 86400 seconds")
            }
            ScriptErrorKind::Owned(error) => error.fmt(f),
            ScriptErrorKind::UnknownDistro(name) => {
                let known: Vec<&str> = Distro::ALL.iter().map(|distro| distro.as_str()).collect();
                write!(f, "unknown distribution `{name}`; use one of {}", known.join(", "))
            }
        }
    }
}

impl std::error::Error for ScriptError {}

const TEMPLATE: &str = include_str!("apply.bash");

/// The loader the script writes and the boot service runs (`portcullis-load`).
pub const LOADER: &str = include_str!("load.bash");

/// Every here-document terminator of the script.
const TERMINATORS: [&str; 5] = ["PORTCULLIS_V4", "PORTCULLIS_V6", "PORTCULLIS_CONFIRM", "PORTCULLIS_LOAD", "PORTCULLIS_UNIT"];

/// The script for the rulesets `v4` and `v6`, which it loads in [owned chains](super::owned).
///
/// # Errors
/// When a chain is too long to be owned, a rule text holds a here-document terminator or a NUL
/// byte, or the rollback time is out of range (1 to 86400 seconds).
///
/// # Examples
/// ```
/// use portcullis_engine::design::Preset;
/// use portcullis_engine::export::script::{render, ScriptOptions};
/// use portcullis_engine::model::Family;
/// let design = Preset::Web.design();
/// let script = render(&design.compile(Family::V4), &design.compile(Family::V6), &ScriptOptions::default()).unwrap();
/// assert!(script.starts_with("#!/bin/bash\n"));
/// assert!(script.contains("\n-A INPUT -j PORTCULLIS-INPUT\n"));
/// assert!(script.contains("iptables-restore --noflush"));
/// ```
pub fn render(v4: &Ruleset, v6: &Ruleset, options: &ScriptOptions) -> Result<String, ScriptError> {
    let owned_text = |ruleset| owned::owned(ruleset).map(|owned| owned::render(&owned)).map_err(ScriptErrorKind::Owned);
    render_texts(&owned_text(v4)?, &owned_text(v6)?, *options)
}

/// The script for owned-chains texts (see [`owned::render`]).
fn render_texts(rules_v4: &str, rules_v6: &str, options: ScriptOptions) -> Result<String, ScriptError> {
    if !(1..=86_400).contains(&options.rollback_seconds) {
        return Err(ScriptErrorKind::Rollback(options.rollback_seconds).into());
    }
    let v4 = embedded(rules_v4, "IPv4 rules")?;
    let v6 = embedded(rules_v6, "IPv6 rules")?;
    let rollback = options.rollback_seconds.to_string();
    let port = options.ssh_port.to_string();
    let mut out = String::with_capacity(TEMPLATE.len() + v4.len() + v6.len());
    let mut rest = TEMPLATE;
    while let Some(start) = rest.find("@@") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("@@").unwrap_or_else(|| unreachable!("the template's placeholders are closed"));
        out.push_str(match &after[..end] {
            "RULES_V4" => &v4,
            "RULES_V6" => &v6,
            "LOADER" => LOADER,
            "ROLLBACK_SECONDS" => &rollback,
            "SSH_PORT" => &port,
            "DISTRO" => options.distro.as_str(),
            other => unreachable!("unknown placeholder {other} in the template"),
        });
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `text` checked for the here-document, ending in a newline unless empty.
fn embedded(text: &str, file: &'static str) -> Result<String, ScriptError> {
    if let Some(terminator) = TERMINATORS.into_iter().find(|terminator| text.contains(terminator)) {
        return Err(ScriptErrorKind::Terminator { file, terminator }.into());
    }
    if text.contains('\0') {
        return Err(ScriptErrorKind::Nul { file }.into());
    }
    let mut text = text.to_owned();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_embedded_verbatim_in_quoted_here_documents() {
        let v4 = "*filter\n-A INPUT -m comment --comment \"$(touch /tmp/x) `id` @@DISTRO@@\" -j ACCEPT\nCOMMIT";
        let script = render_texts(v4, "", ScriptOptions::default()).unwrap();
        assert!(script.contains(&format!("<<'PORTCULLIS_V4'\n{v4}\nPORTCULLIS_V4\n")));
        assert!(script.contains("<<'PORTCULLIS_V6'\nPORTCULLIS_V6\n"));
        assert!(script.contains("distro=none\n"));
        assert!(script.contains("PORTCULLIS_ROLLBACK_SECONDS:-120}"));
        assert_eq!(script.matches("@@").count(), 2, "only the two inside the rules");
        assert!(script.contains(&format!("<<'PORTCULLIS_LOAD'\n{LOADER}PORTCULLIS_LOAD\n")));
    }

    #[test]
    fn terminators_nul_and_bad_options_are_refused() {
        let options = ScriptOptions::default();
        for bad in ["x\nPORTCULLIS_V6\n", "PORTCULLIS_CONFIRM", "PORTCULLIS_LOAD", "PORTCULLIS_UNIT", "a\0b"] {
            assert!(render_texts(bad, "", options).is_err(), "{bad:?}");
            assert!(render_texts("", bad, options).is_err(), "{bad:?}");
        }
        let error = render_texts("", "", ScriptOptions { rollback_seconds: 0, ..options }).unwrap_err();
        assert!(error.to_string().contains("1 to 86400"));
        assert_eq!("Ubuntu".parse::<Distro>(), Ok(Distro::Debian));
        assert!("gentoo".parse::<Distro>().unwrap_err().to_string().contains("debian, rhel, arch, alpine, none"));
    }

    #[test]
    fn the_output_is_deterministic() {
        let options = ScriptOptions { distro: Distro::Alpine, rollback_seconds: 30, ssh_port: 2222 };
        let design = crate::design::Preset::WebMail.design();
        let (v4, v6) = (design.compile(crate::model::Family::V4), design.compile(crate::model::Family::V6));
        let first = render(&v4, &v6, &options).unwrap();
        assert_eq!(first, render(&v4, &v6, &options).unwrap());
        assert!(first.contains("ssh_port=2222\n") && first.contains("distro=alpine\n"));
    }
}
