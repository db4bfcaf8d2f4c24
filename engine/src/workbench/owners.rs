//! Rules other tools own: Docker, ufw, fail2ban, firewalld, kube-proxy, libvirt and Cilium each
//! write their own chains (and a few rules in the built-in chains that lead there). A dump of
//! such a host holds them like any other rule, but exporting the dump and loading the save files
//! by hand (`iptables-restore` without `--noflush`) replaces whole tables: the tool's live state
//! is swapped for this snapshot, and the tool will fight it when it next writes its rules. (The
//! apply script loads only the chains Portcullis owns, beside them: docs/coexistence.md.) [`owned`] finds them; [`owner_findings`] reports them as warnings with
//! codes L021 to L027, each saying in plain words what exporting would do.
//!
//! The apply script says the same at apply time: it warns when ufw or firewalld is active and
//! when chains of Docker, ufw, fail2ban, Kubernetes, Cilium or libvirt exist on the server.
//!
//! # Examples
//! ```
//! use portcullis_engine::import::import;
//! use portcullis_engine::workbench::{owned, Owner};
//!
//! let text = "*filter\n:INPUT ACCEPT [0:0]\n:f2b-sshd - [0:0]\n-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd\n-A f2b-sshd -s 203.0.113.45/32 -j REJECT --reject-with icmp-port-unreachable\n-A f2b-sshd -j RETURN\nCOMMIT\n";
//! let ruleset = import(text, None).value.rulesets.remove(0);
//! let found = owned(&ruleset);
//! assert_eq!(found[0].owner, Owner::Fail2ban);
//! assert_eq!(found[0].chains[0].1.as_str(), "f2b-sshd");
//! assert_eq!(found[0].rules[0].to_string(), "INPUT rule 1"); // the jump into f2b-sshd
//! assert!(found[0].on_export.contains("never expire"));
//! ```

use std::fmt::Write as _;

use crate::analysis::Finding;
use crate::diagnostic::Code;
use crate::model::{ChainName, Family, Rule, RuleLoc, Ruleset, TableName, Target, UserChain};

/// A tool that writes iptables rules of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Owner {
    /// Docker: `DOCKER`, `DOCKER-USER`, `DOCKER-ISOLATION-STAGE-1/2`, `DOCKER-FORWARD`… and the
    /// rules on its bridges (`docker0`, `br-…`), e.g. the `MASQUERADE` of container traffic.
    Docker,
    /// ufw: `ufw-…` and `ufw6-…` chains.
    Ufw,
    /// fail2ban: `f2b-…` chains, one per jail, holding the current bans.
    Fail2ban,
    /// firewalld with its iptables backend: `INPUT_direct`, `INPUT_ZONES`, `IN_public…`,
    /// `FWD_…`, `PRE_…`, `POST_…`.
    Firewalld,
    /// Kubernetes' kube-proxy (iptables mode): `KUBE-…` chains.
    KubeProxy,
    /// libvirt: `LIBVIRT_…` chains and rules on its `virbr…` bridges.
    Libvirt,
    /// Cilium: `CILIUM_…` chains.
    Cilium,
}

impl Owner {
    /// Every owner, in report order.
    pub const ALL: [Owner; 7] =
        [Owner::Docker, Owner::Ufw, Owner::Fail2ban, Owner::Firewalld, Owner::KubeProxy, Owner::Libvirt, Owner::Cilium];

    /// The tool's name.
    pub fn name(self) -> &'static str {
        match self {
            Owner::Docker => "Docker",
            Owner::Ufw => "ufw",
            Owner::Fail2ban => "fail2ban",
            Owner::Firewalld => "firewalld",
            Owner::KubeProxy => "kube-proxy",
            Owner::Libvirt => "libvirt",
            Owner::Cilium => "Cilium",
        }
    }

    /// The code of the finding [`owner_findings`] reports for this tool.
    pub fn code(self) -> Code {
        match self {
            Owner::Docker => Code::OwnedByDocker,
            Owner::Ufw => Code::OwnedByUfw,
            Owner::Fail2ban => Code::OwnedByFail2ban,
            Owner::Firewalld => Code::OwnedByFirewalld,
            Owner::KubeProxy => Code::OwnedByKubeProxy,
            Owner::Libvirt => Code::OwnedByLibvirt,
            Owner::Cilium => Code::OwnedByCilium,
        }
    }

    /// The tool owning a chain of this name, if any. firewalld's zone chains (`IN_public`,
    /// `FWD_…`) have names a person could choose: they count only in a ruleset that also has
    /// firewalld's fixed chains (`INPUT_direct`, `INPUT_ZONES`…), which [`owned`] checks.
    pub fn of_chain(name: &str) -> Option<Owner> {
        Owner::ALL.into_iter().find(|owner| owner.owns_chain(name, true))
    }

    fn owns_chain(self, name: &str, firewalld_present: bool) -> bool {
        match self {
            Owner::Docker => name.starts_with("DOCKER"),
            Owner::Ufw => name.starts_with("ufw-") || name.starts_with("ufw6-"),
            Owner::Fail2ban => name.starts_with("f2b-"),
            Owner::Firewalld => {
                firewalld_fixed_chain(name)
                    || (firewalld_present
                        && ["IN_", "FWDI_", "FWDO_", "FWD_", "PRE_", "POST_"].iter().any(|prefix| name.starts_with(prefix)))
            }
            Owner::KubeProxy => name.starts_with("KUBE-"),
            Owner::Libvirt => name.starts_with("LIBVIRT_"),
            Owner::Cilium => name.starts_with("CILIUM_"),
        }
    }

    /// Whether rules on interface `name` in the built-in chains are this tool's.
    fn owns_interface(self, name: &str) -> bool {
        match self {
            Owner::Docker => name == "docker0" || name == "docker_gwbridge" || name.starts_with("br-"),
            Owner::Libvirt => name.starts_with("virbr"),
            Owner::Ufw | Owner::Fail2ban | Owner::Firewalld | Owner::KubeProxy | Owner::Cilium => false,
        }
    }

    /// What exporting rules that hold this tool's chains would do to them, in plain words.
    fn on_export(self, tables: &str) -> String {
        let replaced = format!(
            "The apply script leaves these rules alone: it loads only the PORTCULLIS-… chains and their hooks, and leaves this tool's chains out of them. Loading rules.v4/rules.v6 by hand replaces the whole {tables} (iptables-restore without --noflush): "
        );
        let consequence = match self {
            Owner::Docker => "Docker's chains become this snapshot, so containers started or stopped since, and their published ports, are wrong until Docker rewrites them; Docker adds its chains again when it restarts, beside or against yours. Restart Docker after applying (systemctl restart docker), and put your own rules for container traffic in DOCKER-USER, the one chain Docker leaves alone.",
            Owner::Ufw => "ufw's chains become a frozen copy that ufw no longer knows about, and the next `ufw enable`, `ufw reload` or reboot rewrites the tables and undoes your edits. Disable ufw first (ufw disable, as the apply script warns) and manage the firewall here, or make the change with ufw itself.",
            Owner::Fail2ban => "the bans in fail2ban's chains are frozen into static rules that never expire, while fail2ban, on restart, adds its chains again beside them. Remove these chains and their jumps from the export, or restart fail2ban after applying (systemctl restart fail2ban) so it manages its bans itself.",
            Owner::Firewalld => "firewalld's chains become a frozen copy of its zones, and firewalld rewrites the tables on its next reload or restart, undoing your edits. Stop and disable it first (systemctl disable --now firewalld, as the apply script warns), or change the zones with firewall-cmd.",
            Owner::KubeProxy => "Kubernetes Services are routed by these chains, which kube-proxy rewrites whenever Services or endpoints change: a snapshot goes stale within minutes and can break Service traffic until kube-proxy resyncs. Do not manage a Kubernetes node's firewall with a whole-table export; leave the KUBE- chains out.",
            Owner::Libvirt => "the virtual networks' rules become this snapshot, and libvirt adds them again when a network restarts. Restart the virtual networks after applying (virsh net-destroy / net-start, or restart libvirtd).",
            Owner::Cilium => "Cilium rewrites these chains as its agent reconciles, so the snapshot can break pod traffic until it does. Do not manage this node's firewall with a whole-table export; leave the CILIUM_ chains out.",
        };
        replaced + consequence
    }
}

/// firewalld's fixed chains (iptables backend): `INPUT_direct`, `FORWARD_IN_ZONES`,
/// `PREROUTING_ZONES_SOURCE`…
fn firewalld_fixed_chain(name: &str) -> bool {
    let hooks = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING", "FORWARD_IN", "FORWARD_OUT"];
    hooks.iter().any(|hook| {
        name.strip_prefix(hook)
            .is_some_and(|rest| matches!(rest, "_direct" | "_ZONES" | "_ZONES_SOURCE" | "_POLICIES_pre" | "_POLICIES_post"))
    })
}

/// What one tool owns in one ruleset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    /// The tool.
    pub owner: Owner,
    /// The ruleset's family.
    pub family: Family,
    /// The tool's chains, by table, in print order.
    pub chains: Vec<(TableName, UserChain)>,
    /// How many rules those chains hold.
    pub rules_in_chains: usize,
    /// The tool's rules in other chains: jumps and gotos into its chains, and (Docker, libvirt)
    /// rules on its bridges, such as Docker's `MASQUERADE` of container traffic.
    pub rules: Vec<RuleLoc>,
    /// What exporting this ruleset would do to them, in plain words.
    pub on_export: String,
}

impl Owned {
    /// Whether the chain called `name` of `table` is the tool's.
    pub fn owns_chain(&self, table: TableName, name: &str) -> bool {
        self.chains.iter().any(|(at, chain)| *at == table && chain.as_str() == name)
    }
}

fn jump_target(rule: &Rule) -> Option<&str> {
    match &rule.target {
        Some(Target::Jump(chain) | Target::Goto(chain)) => Some(chain.as_str()),
        _ => None,
    }
}

fn on_interface(rule: &Rule, owner: Owner) -> bool {
    let names = [rule.in_interface.as_ref(), rule.out_interface.as_ref()];
    names.into_iter().flatten().any(|interface| owner.owns_interface(interface.value.as_str()))
}

/// Every tool that owns chains or rules in `ruleset`, in [`Owner::ALL`] order.
pub fn owned(ruleset: &Ruleset) -> Vec<Owned> {
    let names = || ruleset.tables.iter().flat_map(|table| table.chains.iter().map(|chain| chain.name.as_str()));
    let firewalld_present = names().any(firewalld_fixed_chain);
    let mut found = Vec::new();
    for owner in Owner::ALL {
        let owns = |name: &str| owner.owns_chain(name, firewalld_present);
        let mut owned = Owned {
            owner,
            family: ruleset.family,
            chains: Vec::new(),
            rules_in_chains: 0,
            rules: Vec::new(),
            on_export: String::new(),
        };
        let mut tables: Vec<TableName> = Vec::new();
        for table in &ruleset.tables {
            let before = (owned.chains.len(), owned.rules.len());
            for chain in &table.chains {
                match &chain.name {
                    ChainName::User(name) if owns(name.as_str()) => {
                        owned.chains.push((table.name, name.clone()));
                        owned.rules_in_chains += chain.rules.len();
                    }
                    _ => {
                        for (at, rule) in chain.rules.iter().enumerate() {
                            if jump_target(rule).is_some_and(owns) || on_interface(rule, owner) {
                                let index = Some(at + 1);
                                owned.rules.push(RuleLoc { table: table.name, chain: chain.name.as_str().to_owned(), index });
                            }
                        }
                    }
                }
            }
            if (owned.chains.len(), owned.rules.len()) != before {
                tables.push(table.name);
            }
        }
        if tables.is_empty() {
            continue;
        }
        let mut list = String::new();
        for (at, table) in tables.iter().enumerate() {
            let separator = match at {
                0 => "",
                _ if at + 1 == tables.len() => " and ",
                _ => ", ",
            };
            let _ = write!(list, "{separator}{table}");
        }
        let noun = if tables.len() == 1 { "table" } else { "tables" };
        owned.on_export = owner.on_export(&format!("{list} {noun}"));
        found.push(owned);
    }
    found
}

/// One warning per tool that owns rules in `ruleset` (codes L021 to L027), about the first of
/// its rules in a built-in chain (the others as related rules), the help saying what exporting
/// would do.
///
/// # Examples
/// ```
/// use portcullis_engine::import::import;
/// use portcullis_engine::workbench::owner_findings;
///
/// let text = "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\nCOMMIT\n";
/// let findings = owner_findings(&import(text, None).value.rulesets.remove(0));
/// assert_eq!(findings[0].diagnostic.code.slug(), "owned-by-docker");
/// assert_eq!(findings[0].rule.as_ref().unwrap().to_string(), "POSTROUTING rule 1");
/// ```
pub fn owner_findings(ruleset: &Ruleset) -> Vec<Finding> {
    owned(ruleset)
        .into_iter()
        .map(|owned| {
            // The same name in two tables (Docker's filter and nat `DOCKER`) is listed once.
            let mut chains: Vec<&str> = owned.chains.iter().map(|(_, chain)| chain.as_str()).collect();
            chains.sort_unstable();
            chains.dedup();
            let shown = chains.iter().take(4).copied().collect::<Vec<_>>().join(", ");
            let more = if chains.len() > 4 { format!(" and {} more", chains.len() - 4) } else { String::new() };
            let message = match chains.len() {
                0 => format!("{} rule(s) belong to {}", owned.rules.len(), owned.owner.name()),
                _ => format!(
                    "{} chain(s) ({shown}{more}) with {} rule(s), and {} rule(s) leading to them, belong to {}",
                    owned.chains.len(),
                    owned.rules_in_chains,
                    owned.rules.len(),
                    owned.owner.name()
                ),
            };
            let mut rules = owned.rules.clone();
            let first = if rules.is_empty() { None } else { Some(rules.remove(0)) };
            let label = format!("also {}'s", owned.owner.name());
            Finding::new(ruleset, owned.owner.code(), first, message).related(ruleset, rules, &label).help(owned.on_export)
        })
        .collect()
}
