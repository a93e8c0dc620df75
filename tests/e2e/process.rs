//! Running a generated project's commands (`sh -c` in its root) with a deadline, a log file and
//! a clean environment, each in its own process group so the whole tree can be stopped.
//!
//! `make run` starts a shell that starts a server that may fork workers: killing the direct child
//! would leave the server holding the port. Every command therefore gets its own process group,
//! and a `Group` guard signals the whole group (TERM, then KILL) when it is dropped, whether the
//! checks passed, failed or panicked.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::e2e::report::tail;

/// Variables of the harness's own environment that must not leak into a generated project's
/// commands: cargo's (we run inside `cargo test`) and the ones the harness sets itself.
fn scrubbed(name: &str) -> bool {
    (name.starts_with("CARGO_") && name != "CARGO_HOME")
        || name.starts_with("__CARGO")
        || name == "CARGO"
        || matches!(
            name,
            "PORT"
                | "DATABASE_URL"
                | "TEST_DATABASE_URL"
                | "JWT_SECRET"
                | "JWT_TTL_SECONDS"
                | "APP_ENV"
                | "LOG_LEVEL"
                | "MIGRATE_ON_START"
                | "VIRTUAL_ENV"
        )
}

/// A `sh -c` command in `dir`, in a new process group, output appended to `log`.
pub fn command(
    script: &str,
    dir: &Path,
    env: &[(String, String)],
    log: &Path,
) -> std::io::Result<Command> {
    let out = File::options().create(true).append(true).open(log)?;
    let err = out.try_clone()?;
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(script)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0);
    for (name, _) in std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v))) {
        if scrubbed(&name) {
            cmd.env_remove(&name);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    Ok(cmd)
}

/// A running process group, stopped when dropped.
pub struct Group {
    child: Child,
    pgid: i32,
}

impl Group {
    pub fn spawn(mut cmd: Command) -> std::io::Result<Group> {
        let child = cmd.spawn()?;
        let pgid = child.id() as i32;
        Ok(Group { child, pgid })
    }

    /// `Some(exit description)` once the group leader has exited.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(format!("unknown ({e})")),
        }
    }

    /// The group leader's exit status once it has exited.
    pub fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Stops every process of the group: SIGTERM, up to 5 s of grace, then SIGKILL.
    pub fn stop(&mut self) {
        signal_group(self.pgid, libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.exited().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        // Children of the leader may outlive it; the group id outlives them all.
        std::thread::sleep(Duration::from_millis(200));
        signal_group(self.pgid, libc::SIGKILL);
        let _ = self.child.wait();
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(pgid: i32, signal: i32) {
    if pgid > 1 {
        // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

/// What running one command gave.
#[derive(Debug)]
pub struct Outcome {
    pub ok: bool,
    pub elapsed: Duration,
    /// `exit status: 2`, `timed out after 600 s`, `could not start: ...`.
    pub status: String,
    pub log: PathBuf,
}

impl Outcome {
    /// The status and the end of the log, for a failure detail.
    pub fn describe(&self, command: &str) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        format!(
            "`{command}`: {} after {:.1} s; last lines of {}:\n{}",
            self.status,
            self.elapsed.as_secs_f64(),
            self.log.display(),
            tail(&text, 40)
        )
    }
}

/// Runs `script` to completion or until `timeout`, then stops whatever it left running.
pub fn run(
    script: &str,
    dir: &Path,
    env: &[(String, String)],
    log: &Path,
    timeout: Duration,
) -> Outcome {
    let start = Instant::now();
    let finish = |ok: bool, status: String| Outcome {
        ok,
        elapsed: start.elapsed(),
        status,
        log: log.to_path_buf(),
    };
    let cmd = match command(script, dir, env, log) {
        Ok(c) => c,
        Err(e) => return finish(false, format!("could not open the log: {e}")),
    };
    let mut group = match Group::spawn(cmd) {
        Ok(g) => g,
        Err(e) => return finish(false, format!("could not start: {e}")),
    };
    loop {
        match group.child.try_wait() {
            Ok(Some(status)) => return finish(status.success(), status.to_string()),
            Ok(None) if start.elapsed() > timeout => {
                group.stop();
                return finish(false, format!("timed out after {} s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return finish(false, format!("wait failed: {e}")),
        }
    }
}

/// Whether `tool` is an executable on PATH.
pub fn on_path(tool: &str) -> bool {
    find_on_path(tool).is_some()
}

pub fn find_on_path(tool: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_a_group_kills_grandchildren() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let pid_file = dir.path().join("pid");
        let script = format!("sleep 300 & echo $! > {}; wait", pid_file.display());
        let mut group = Group::spawn(command(&script, dir.path(), &[], &log).unwrap()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::fs::read_to_string(&pid_file).map_or(true, |s| !s.ends_with('\n'))
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        let pid: i32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        group.stop();
        // A zombie (nobody reaped it, e.g. no init in a container) is dead for our purpose.
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let alive = state
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X']));
        assert!(!alive, "the grandchild {pid} survived");
    }

    #[test]
    fn run_reports_exit_status_timeout_and_environment() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let ok = run(
            "echo \"port=$PORT\"",
            dir.path(),
            &[("PORT".into(), "1234".into())],
            &log,
            Duration::from_secs(10),
        );
        assert!(ok.ok, "{ok:?}");
        assert!(std::fs::read_to_string(&log).unwrap().contains("port=1234"));
        let bad = run("exit 3", dir.path(), &[], &log, Duration::from_secs(10));
        assert!(!bad.ok && bad.status.contains('3'), "{bad:?}");
        let slow = run(
            "sleep 30",
            dir.path(),
            &[],
            &log,
            Duration::from_millis(300),
        );
        assert!(!slow.ok && slow.status.contains("timed out"), "{slow:?}");
        assert!(slow.elapsed < Duration::from_secs(10));
    }

    #[test]
    fn cargo_variables_do_not_leak_into_projects() {
        assert!(scrubbed("CARGO_MANIFEST_DIR"));
        assert!(scrubbed("DATABASE_URL"));
        assert!(!scrubbed("CARGO_HOME"));
        assert!(!scrubbed("PATH"));
    }
}
