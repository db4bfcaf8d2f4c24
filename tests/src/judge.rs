//! Every export of a design before the real tools at once: `rules.v4` / `rules.v6` by
//! `iptables-restore --test` / `ip6tables-restore --test`, the nft file by `nft -c -f`, the apply
//! script and the commands by `bash -n` and `shellcheck`. Nothing is stripped first: a design
//! whose export fails, or that an export refuses, is a failure.

use std::path::PathBuf;

use portcullis_engine::design::Design;
use portcullis_engine::export::script::{self, ScriptOptions};
use portcullis_engine::export::{commands, nft, save};
use portcullis_engine::model::Family;

use crate::netns::run;
use crate::Netns;

/// The programs a [`Judge`] runs.
pub const TOOLS: [&str; 6] = ["iptables-restore", "ip6tables-restore", "nft", "bash", "shellcheck", "ip"];

/// A throwaway namespace (so `--test` and `nft -c` see an empty firewall) and a folder for the
/// files; both removed on drop.
#[derive(Debug)]
pub struct Judge {
    netns: Netns,
    dir: PathBuf,
}

impl Judge {
    /// A judge with its own namespace and folder (named after `role`).
    ///
    /// # Errors
    /// When the namespace or folder cannot be created (usually: not root).
    pub fn new(role: &str) -> Result<Self, String> {
        let netns = Netns::create(role)?;
        let dir = std::env::temp_dir().join(format!("portcullis-judge-{role}-{}", netns.name()));
        std::fs::create_dir_all(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
        Ok(Self { netns, dir })
    }

    fn write(&self, name: &str, text: &str) -> Result<String, String> {
        let path = self.dir.join(name);
        std::fs::write(&path, text).map_err(|error| format!("{}: {error}", path.display()))?;
        path.to_str().map(str::to_owned).ok_or_else(|| "temp path is not UTF-8".to_owned())
    }

    /// Exports `design` in every format and has each file judged; `options` for the script.
    ///
    /// # Errors
    /// The first refusal: which export, which tool, its message (and the file when short).
    pub fn judge(&self, design: &Design, options: &ScriptOptions) -> Result<(), String> {
        let (v4, v6) = (design.compile(Family::V4), design.compile(Family::V6));
        let (rules_v4, rules_v6) = (save::render(&v4), save::render(&v6));
        self.netns.exec_with_input("iptables-restore", &["--test"], Some(&rules_v4)).map_err(|error| format!("rules.v4: {error}\n{rules_v4}"))?;
        self.netns.exec_with_input("ip6tables-restore", &["--test"], Some(&rules_v6)).map_err(|error| format!("rules.v6: {error}\n{rules_v6}"))?;
        let export = nft::render_with(&v4, &v6, nft::NftOptions::for_design(design)).map_err(|error| format!("nft export refused: {error}"))?;
        let path = self.write("rules.nft", &export.text)?;
        self.netns.exec("nft", &["-c", "-f", &path]).map_err(|error| format!("rules.nft: {error}\n{}", export.text))?;
        let text = script::render(&v4, &v6, options).map_err(|error| format!("script export refused: {error}"))?;
        let path = self.write("apply.sh", &text)?;
        shell_check(&path, "bash").map_err(|error| format!("apply.sh ({}): {error}", options.distro))?;
        let text = format!("{}\n{}", commands::render(&v4), commands::render(&v6));
        let path = self.write("commands.sh", &text)?;
        // The commands file has no shebang: the learner runs it with `sh FILE` (or types it).
        shell_check(&path, "sh").map_err(|error| format!("commands: {error}"))?;
        Ok(())
    }
}

/// `bash -n` and `shellcheck --shell=SHELL` (every severity) on the file at `path`.
fn shell_check(path: &str, shell: &str) -> Result<(), String> {
    run("bash", &["-n", path], None)?;
    run("shellcheck", &["--severity=style", &format!("--shell={shell}"), path], None).map(drop)
}

impl Drop for Judge {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
