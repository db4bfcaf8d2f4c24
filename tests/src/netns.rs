//! Network namespaces that delete themselves.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

/// A network namespace created for one test and deleted (with every interface in it) on drop.
#[derive(Debug)]
pub struct Netns {
    name: String,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// Runs `program args…`, returning stdout, or an error naming the command and its stderr.
pub(crate) fn run(program: &str, args: &[&str], stdin: Option<&str>) -> Result<String, String> {
    use std::io::Write as _;
    let mut command = Command::new(program);
    command.args(args);
    let output: Output = if let Some(input) = stdin {
        let mut child = command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|error| format!("cannot start {program}: {error}"))?;
        if let Some(mut pipe) = child.stdin.take() {
            pipe.write_all(input.as_bytes()).map_err(|error| format!("writing to {program}: {error}"))?;
        }
        child.wait_with_output().map_err(|error| format!("waiting for {program}: {error}"))?
    } else {
        command.output().map_err(|error| format!("cannot start {program}: {error}"))?
    };
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "`{program} {}` failed ({}): {}{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim(),
            String::from_utf8_lossy(&output.stdout).trim()
        ))
    }
}

impl Netns {
    /// Creates a fresh namespace named after this process, a counter and `role`.
    ///
    /// # Errors
    /// When `ip netns add` fails (not root, no iproute2).
    pub fn create(role: &str) -> Result<Self, String> {
        let name = format!("pcl-{}-{}-{role}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        run("ip", &["netns", "add", &name], None)?;
        let netns = Self { name };
        netns.exec("ip", &["link", "set", "lo", "up"])?;
        Ok(netns)
    }

    /// The namespace's name (a file in `/run/netns`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs a program inside the namespace and returns its stdout.
    ///
    /// # Errors
    /// When the program fails; the error holds its stderr.
    pub fn exec(&self, program: &str, args: &[&str]) -> Result<String, String> {
        self.exec_with_input(program, args, None)
    }

    /// Runs a program inside the namespace with `stdin` as its input.
    ///
    /// # Errors
    /// When the program fails; the error holds its stderr.
    pub fn exec_with_input(&self, program: &str, args: &[&str], stdin: Option<&str>) -> Result<String, String> {
        let mut full = vec!["netns", "exec", self.name.as_str(), program];
        full.extend_from_slice(args);
        run("ip", &full, stdin)
    }

    /// Sets sysctls (`key=value`) inside the namespace.
    ///
    /// # Errors
    /// When a key does not exist or cannot be written.
    pub fn sysctl(&self, settings: &[&str]) -> Result<(), String> {
        let mut args = vec!["-q", "-w"];
        args.extend_from_slice(settings);
        self.exec("sysctl", &args).map(drop)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        if let Err(error) = run("ip", &["netns", "del", &self.name], None) {
            eprintln!("warning: could not delete network namespace {}: {error}", self.name);
        }
    }
}
