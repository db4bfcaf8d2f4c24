//! The real tools as judges: `iptables-restore --test`, a real load in a throwaway namespace,
//! `bash -n` and `shellcheck`.

use portcullis_engine::model::Family;

use crate::netns::run;
use crate::Netns;

fn tool(family: Family, ipv4: &'static str, ipv6: &'static str) -> &'static str {
    match family {
        Family::V4 => ipv4,
        Family::V6 => ipv6,
    }
}

/// Asks `iptables-restore --test` (or `ip6tables-restore --test`) whether it accepts `rules`.
///
/// # Errors
/// The tool's own message when it refuses them.
pub fn restore_test(family: Family, rules: &str) -> Result<(), String> {
    run(tool(family, "iptables-restore", "ip6tables-restore"), &["--test"], Some(rules)).map(drop)
}

/// Loads `rules` for real into a fresh namespace (catching refusals `--test` misses) and returns
/// what `iptables-save` prints back, without its `#` comment lines.
///
/// # Errors
/// When the namespace cannot be created or the kernel refuses the rules.
pub fn load_and_save(family: Family, rules: &str) -> Result<String, String> {
    let netns = Netns::create("load")?;
    netns.exec_with_input(tool(family, "iptables-restore", "ip6tables-restore"), &[], Some(rules))?;
    let saved = netns.exec(tool(family, "iptables-save", "ip6tables-save"), &[])?;
    Ok(without_comments(&saved))
}

/// `text` without its `#` comment lines.
pub fn without_comments(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

/// Checks a shell script with `bash -n` and `shellcheck` (which must both pass).
///
/// # Errors
/// Their messages when either complains.
pub fn check_shell_script(path: &std::path::Path) -> Result<(), String> {
    let path = path.to_str().ok_or("script path is not UTF-8")?;
    run("bash", &["-n", path], None)?;
    run("shellcheck", &["--severity=style", path], None).map_err(|error| format!("shellcheck {path}: {error}"))?;
    Ok(())
}
