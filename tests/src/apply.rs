//! Running the exported apply script in a namespace, as an admin would, without a terminal.
// A harness for tests: every panic here is a test failure with its reason, by design.
#![allow(clippy::missing_panics_doc)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use portcullis_engine::model::Family;

use crate::iptables::without_comments;
use crate::Netns;

/// A fresh folder under the system's temporary folder, named after `name` and this process.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portcullis-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The save tool of `family`.
pub fn save_tool(family: Family) -> &'static str {
    match family {
        Family::V4 => "iptables-save",
        Family::V6 => "ip6tables-save",
    }
}

/// `iptables-save` text without comment lines, counters zeroed.
pub fn normalized(text: &str) -> String {
    without_comments(text)
        .lines()
        .map(|line| match (line.starts_with(':'), line.rfind(" [")) {
            (true, Some(at)) => format!("{} [0:0]\n", &line[..at]),
            _ => format!("{line}\n"),
        })
        .collect()
}

/// One run of the script inside `netns`, with backup and state in `dir`.
#[derive(Debug)]
pub struct Run {
    child: Child,
    output: PathBuf,
}

impl Run {
    /// Starts the script without arguments.
    pub fn start(netns: &Netns, script: &Path, dir: &Path, rollback: u32) -> Self {
        Self::start_with(netns, script, &[], dir, rollback)
    }

    /// Starts the script with `args` (e.g. `--coexist`).
    pub fn start_with(netns: &Netns, script: &Path, args: &[&str], dir: &Path, rollback: u32) -> Self {
        Self::spawn(netns, script, args, &[], dir, rollback)
    }

    /// Starts the script with more environment variables (e.g. `PORTCULLIS_PERSIST_ROOT`).
    pub fn start_with_env(netns: &Netns, script: &Path, env: &[(&str, String)], dir: &Path, rollback: u32) -> Self {
        Self::spawn(netns, script, &[], env, dir, rollback)
    }

    fn spawn(netns: &Netns, script: &Path, args: &[&str], env: &[(&str, String)], dir: &Path, rollback: u32) -> Self {
        static RUNS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let output = dir.join(format!("output-{}", RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
        let log = std::fs::File::create(&output).expect("output file");
        let child = Command::new("ip")
            .args(["netns", "exec", netns.name(), "bash"])
            .arg(script)
            .args(args)
            // Relative canaries (`touch c`) would land here.
            .current_dir(dir)
            .env("PORTCULLIS_ROLLBACK_SECONDS", rollback.to_string())
            .env("PORTCULLIS_BACKUP_DIR", dir.join("backups"))
            .env("PORTCULLIS_STATE_DIR", dir.join("state"))
            .envs(env.iter().map(|(key, value)| (*key, value.as_str())))
            .env_remove("SSH_CONNECTION")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone"))
            .stderr(log)
            .spawn()
            .expect("bash runs");
        Self { child, output }
    }

    /// What the script printed so far.
    pub fn text(&self) -> String {
        std::fs::read_to_string(&self.output).unwrap_or_default()
    }

    /// Waits until the script prints the confirm command; returns the command's path and token.
    pub fn confirm_command(&mut self) -> (String, String) {
        let start = Instant::now();
        loop {
            let text = self.text();
            if let Some(line) = text.lines().find(|line| line.contains("portcullis-confirm ")) {
                let words: Vec<&str> = line.split_whitespace().collect();
                return (words[words.len() - 2].to_owned(), words[words.len() - 1].to_owned());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the script ended early ({status}):\n{text}");
            }
            assert!(start.elapsed() < Duration::from_secs(30), "no confirm command after 30 s:\n{text}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (at most a minute) for the script to end: its exit code and output.
    pub fn wait(mut self) -> (Option<i32>, String) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return (status.code(), self.text());
            }
            if start.elapsed() > Duration::from_mins(1) {
                let _ = self.child.kill();
                panic!("the script did not end within 60 s:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Runs the confirm helper at `path` with `token`, from a new session (`setsid`) or this one.
pub fn confirm(path: &str, token: &str, new_session: bool) -> std::process::Output {
    let mut command = if new_session {
        let mut command = Command::new("setsid");
        command.args(["-w", "bash", path, token]);
        command
    } else {
        let mut command = Command::new("bash");
        command.args([path, token]);
        command
    };
    command.env_remove("SSH_CONNECTION").stdin(Stdio::null()).output().expect("confirm runs")
}

/// Both families' rules in `netns`, normalized.
pub fn saved(netns: &Netns) -> (String, String) {
    let save = |family| normalized(&netns.exec(save_tool(family), &[]).expect("save"));
    (save(Family::V4), save(Family::V6))
}
