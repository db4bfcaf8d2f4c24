//! `cleartext-service` (L014).
//!
//! **What it does**: for each catalogue service that carries passwords or data in clear text
//! (telnet, FTP, POP3, IMAP…), finds whether a NEW connection to its port is accepted in INPUT
//! from every source address. The witness is such a connection.
//!
//! **Why it matters**: anyone on the path reads the passwords; the secure alternative exists.
//!
//! **Example**: `-A INPUT -p tcp --dport 23 -j ACCEPT`.
//!
//! **Fix**: offer the secure alternative (`telnet` → `ssh`, `pop3` → `pop3s`), or restrict the rule.

use super::exposed_risky_service::open_to_all;
use super::Context;
use crate::analysis::Finding;
use crate::design::CATALOGUE;
use crate::diagnostic::Code;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    for service in CATALOGUE.iter().filter(|service| service.is_cleartext()) {
        let name = service.name();
        let finding = open_to_all(context, service, Code::CleartextService, |port| {
            format!("{name} ({port}) is open to every address and sends passwords in clear text")
        });
        if let Some(finding) = finding {
            let help = match service.secure_alternative() {
                Some(secure) => format!("offer {} instead, or restrict the rule to trusted sources", secure.info().name()),
                None => "restrict the rule to trusted sources, or tunnel it (VPN, SSH)".to_owned(),
            };
            out.push(finding.help(help));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail_and_pass() {
        assert_eq!(findings(":INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 23 -j ACCEPT", "cleartext-service").len(), 1);
        assert!(findings(":INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "cleartext-service").is_empty());
    }
}
