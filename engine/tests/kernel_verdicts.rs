//! Regressions found by the generated validity differential (`tests/tests/validity.rs`): rules on
//! which the engine and the kernel (iptables 1.8.9, `nf_tables`) once disagreed. Each test names the
//! rule that revealed the difference and pins the kernel's verdict (and, where the kernel loads
//! the rule, what `iptables-save` prints back). The same rules are named in
//! `tests/corpus/validity.txt`, where the real kernel checks them.

use portcullis_engine::diagnostic::{Code, Severity};
use portcullis_engine::export::save::render_tables;
use portcullis_engine::import::import;
use portcullis_engine::model::Family;

fn save(table: &str, chain: &str, options: &str) -> String {
    let own = if ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING", "CUSTOM"].contains(&chain) {
        String::new()
    } else {
        format!(":{chain} - [0:0]\n")
    };
    format!("*{table}\n:CUSTOM - [0:0]\n{own}-A {chain} {options}\nCOMMIT\n")
}

/// The engine's verdict on one rule: `Ok(printed rule line)` or `Err(error codes)`.
fn verdict(family: Family, table: &str, chain: &str, options: &str) -> Result<String, Vec<Code>> {
    let parsed = import(&save(table, chain, options), Some(family));
    let errors: Vec<Code> = parsed.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.code).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let printed = parsed.value.ruleset(family).map(render_tables).unwrap_or_default();
    Ok(printed.lines().find(|line| line.starts_with("-A ")).unwrap_or_default().to_owned())
}

fn accepts(family: Family, table: &str, options: &str) -> String {
    verdict(family, table, "INPUT", options).unwrap_or_else(|codes| panic!("`{options}` must load, got {codes:?}"))
}

fn refuses(family: Family, table: &str, chain: &str, options: &str) -> Vec<Code> {
    match verdict(family, table, chain, options) {
        Ok(line) => panic!("`{options}` in {table} {chain} must be refused, but reads as `{line}`"),
        Err(codes) => codes,
    }
}

use Family::{V4, V6};

#[test]
fn icmpv6_has_no_any_type() {
    assert_eq!(refuses(V6, "filter", "INPUT", "-p ipv6-icmp --icmpv6-type any -j ACCEPT"), [Code::BadValue]);
    assert!(accepts(V4, "filter", "-p icmp --icmp-type any -j ACCEPT").contains("--icmp-type any"));
}

#[test]
fn ipv6_masks_are_read_like_prefix_lengths() {
    assert_eq!(accepts(V6, "filter", "-s 2001:db8::/ffff:: -j RETURN"), "-A INPUT -s 2001::/16 -j RETURN");
}

#[test]
fn ipv4_addresses_are_read_as_iptables_reads_them() {
    assert_eq!(accepts(V4, "filter", "-s 010.0.0.1 -j ACCEPT"), "-A INPUT -s 8.0.0.1/32 -j ACCEPT");
    assert_eq!(accepts(V4, "filter", "-s 10.1 -j ACCEPT"), "-A INPUT -s 10.1.0.0/32 -j ACCEPT");
    assert_eq!(accepts(V4, "filter", "-s 0x0a.0.0.1/010 -j ACCEPT"), "-A INPUT -s 10.0.0.0/8 -j ACCEPT");
    refuses(V4, "filter", "INPUT", "-s 10. -j ACCEPT");
    refuses(V4, "filter", "INPUT", "-s 1.2.3.4.5 -j ACCEPT");
}

#[test]
fn a_limit_burst_of_zero_is_the_default() {
    assert_eq!(accepts(V4, "filter", "-m limit --limit-burst 0 -j ACCEPT"), "-A INPUT -m limit --limit 3/hour -j ACCEPT");
    refuses(V4, "filter", "INPUT", "-m limit --limit-burst 10001 -j ACCEPT");
}

#[test]
fn log_levels_are_spelled_exactly() {
    for level in ["err", "warn", "Debug"] {
        refuses(V4, "raw", "PREROUTING", &format!("-j LOG --log-level {level}"));
    }
    assert_eq!(accepts(V4, "filter", "-j LOG --log-level panic"), "-A INPUT -j LOG --log-level 0");
}

#[test]
fn reject_aliases_belong_to_one_family() {
    refuses(V4, "filter", "FORWARD", "-j REJECT --reject-with adm-prohibited");
    assert_eq!(accepts(V6, "filter", "-j REJECT --reject-with adm-prohibited"), "-A INPUT -j REJECT --reject-with icmp6-adm-prohibited");
    refuses(V6, "filter", "OUTPUT", "-p tcp --dport 0 -j REJECT --reject-with tcp-rst");
    assert!(accepts(V4, "filter", "-p tcp -j REJECT --reject-with tcp-rst").ends_with("--reject-with tcp-reset"));
}

#[test]
fn flags_and_targets_cannot_repeat_or_be_negated() {
    assert_eq!(refuses(V4, "security", "INPUT", "-f -f -j ACCEPT"), [Code::DuplicateOption]);
    assert_eq!(refuses(V6, "mangle", "PREROUTING", "-s ::1 ! -g CUSTOM"), [Code::CannotNegate]);
    assert_eq!(refuses(V4, "filter", "INPUT", "! -j ACCEPT"), [Code::CannotNegate]);
    refuses(V4, "filter", "INPUT", "! -m tcp -p tcp -j ACCEPT");
    assert_eq!(refuses(V4, "raw", "PREROUTING", "-p all -p tcp -j ACCEPT"), [Code::DuplicateOption]);
    refuses(V4, "nat", "POSTROUTING", "-m comment ! --comment x -j ACCEPT");
}

#[test]
fn conntrack_values_are_checked_and_nat_states_kept() {
    assert_eq!(accepts(V4, "filter", "-m conntrack --ctstate SNAT,DNAT -j ACCEPT"), "-A INPUT -m conntrack --ctstate SNAT,DNAT -j ACCEPT");
    refuses(V4, "filter", "INPUT", "-m state --state SNAT -j ACCEPT");
    refuses(V4, "security", "CUSTOM", "-m conntrack --ctstatus FOO -j ACCEPT");
    refuses(V4, "filter", "INPUT", "-m conntrack --ctstate NEW --ctdir SIDEWAYS -j ACCEPT");
    refuses(V4, "filter", "INPUT", "-m conntrack --ctstate NEW,BOGUS --ctdir ORIGINAL -j ACCEPT");
}

#[test]
fn notrack_targets_and_drop_have_their_tables() {
    assert_eq!(refuses(V4, "security", "CUSTOM", "-p tcp --dport 1024:65535 -j NOTRACK"), [Code::WrongTableForTarget]);
    refuses(V6, "mangle", "PREROUTING", "-j CT --notrack");
    assert!(verdict(V4, "raw", "PREROUTING", "-j CT --notrack").is_ok());
    assert_eq!(refuses(V4, "nat", "CUSTOM", "-p tcp --dport 1024:65535 --jump DROP"), [Code::WrongTableForTarget]);
}

#[test]
fn sctp_ports_load_the_sctp_module_and_udplite_ports_do_not() {
    assert_eq!(accepts(V4, "mangle", "-p sctp --dport 22 -j RETURN"), "-A INPUT -p sctp -m sctp --dport 22 -j RETURN");
    refuses(V4, "filter", "INPUT", "-p sctp --dport 70000 -j ACCEPT");
    refuses(V4, "security", "INPUT", "-p udplite --sport 53 -j ACCEPT");
}

#[test]
fn udp_ports_wrap_and_take_any_service_name() {
    assert_eq!(accepts(V4, "mangle", "-p udp ! --dport 70000 -j ACCEPT"), "-A INPUT -p udp -m udp ! --dport 4464 -j ACCEPT");
    assert_eq!(accepts(V6, "security", "-p udp --dport 65536 -j ACCEPT"), "-A INPUT -p udp -m udp --dport 0 -j ACCEPT");
    assert_eq!(accepts(V4, "mangle", "-p udp --dport http -j ACCEPT"), "-A INPUT -p udp -m udp --dport 80 -j ACCEPT");
    assert_eq!(accepts(V4, "filter", "-p tcp --dport 0x10 -j ACCEPT"), "-A INPUT -p tcp -m tcp --dport 16 -j ACCEPT");
    refuses(V4, "filter", "INPUT", "-p udp --dport 4294967295 -j ACCEPT");
    refuses(V4, "filter", "INPUT", "-p tcp --dport ntp -j ACCEPT");
    let parsed = import(&save("filter", "INPUT", "-p udp --dport 70000 -j ACCEPT"), Some(V4));
    assert!(parsed.diagnostics.iter().any(|d| d.severity == Severity::Warning && d.message.contains("wraps")));
}

#[test]
fn save_files_may_name_chains_after_target_extensions() {
    assert_eq!(verdict(V4, "nat", "LOG", "-p udp -m udp --sport domain -j ACCEPT").map(|_| ()), Ok(()));
    assert!(refuses(V4, "filter", "ACCEPT", "-j ACCEPT").contains(&Code::InvalidChainName));
    // `iptables -N` refuses them, as the real command does.
    let parsed = import("iptables -N LOG\n", None);
    assert!(parsed.diagnostics.iter().any(|d| d.code == Code::InvalidChainName), "{:?}", parsed.diagnostics);
}

#[test]
fn long_comments_are_cut_to_255_bytes_with_a_warning() {
    let line = accepts(V4, "filter", &format!("-m comment --comment \"{}\" -j ACCEPT", "x".repeat(300)));
    assert!(line.contains(&format!("--comment {} ", "x".repeat(255))), "{line}");
    let parsed = import(&save("filter", "INPUT", &format!("-m comment --comment \"{}\" -j ACCEPT", "é".repeat(128))), Some(V4));
    assert!(!parsed.has_errors());
    assert!(parsed.diagnostics.iter().any(|d| d.severity == Severity::Warning));
}
