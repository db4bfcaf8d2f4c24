//! What a suite needs, and what happens when it is missing: under CI a failure, elsewhere a loud
//! notice and an early return — never a silent pass.

use std::process::{Command, Stdio};

/// Something a test needs from the machine.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// Running as root (network namespaces, iptables).
    Root,
    /// A program on `PATH`.
    Program(&'static str),
    /// A file or directory, e.g. the built site.
    Path(&'static str),
}

fn missing(need: Need) -> Option<String> {
    match need {
        Need::Root => {
            let uid = Command::new("id").arg("-u").output().ok()?;
            (String::from_utf8_lossy(&uid.stdout).trim() != "0").then(|| "root privileges".to_owned())
        }
        Need::Program(program) => {
            let found = Command::new("sh").args(["-c", &format!("command -v {program}")]).stdout(Stdio::null()).status().is_ok_and(|status| status.success());
            (!found).then(|| format!("the program `{program}`"))
        }
        Need::Path(path) => {
            let full = crate::workspace_root().join(path);
            (!full.exists()).then(|| format!("{} (build it with `make build`)", full.display()))
        }
    }
}

/// Whether the suite named `suite` can run; elsewhere than CI, a loud notice and `false` when
/// something is missing, so the test returns early.
///
/// # Panics
/// Under `CI=true` when anything is missing: a failure there, never a skip.
pub fn can_run(suite: &str, needs: &[Need]) -> bool {
    let absent: Vec<String> = needs.iter().filter_map(|need| missing(*need)).collect();
    if absent.is_empty() {
        return true;
    }
    let reason = absent.join(", ");
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{suite}: cannot run without {reason}; under CI=true nothing may be skipped");
    eprintln!("\n!!!!!!!! SKIPPED: {suite} needs {reason} !!!!!!!!\n");
    false
}
