//! `folio check` on hostile repositories (issue 22): tracked symlinks to devices, FIFOs and
//! files outside the checkout are never followed, so the check neither hangs nor grows memory
//! nor prints what it should not; and a file name built to forge a GitHub workflow command,
//! break a Markdown table or drive the terminal is escaped in every output format.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::check_classes::{commit, repo};
use crate::support::Sandbox;

const FORMATS: [&str; 7] = [
    "text", "json", "junit", "github", "markdown", "sarif", "gitlab",
];

/// `folio check DIR ARGS` under a 512 MiB address-space limit, killed after `limit`.
fn bounded(sandbox: &Sandbox, dir: &Path, args: &[&str], limit: Duration) -> (Option<i32>, String) {
    let mut all = vec!["check", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_folio"));
    cmd.args(&all)
        .current_dir(sandbox.work())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sandbox.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CEILING_DIRECTORIES", sandbox.work().parent().unwrap())
        .env("NO_COLOR", "1");
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1 << 29,
                rlim_max: 1 << 29,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), reader.join().unwrap());
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("folio check did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn check_follows_no_symlink_out_of_the_repository_or_to_a_device() {
    let sandbox = Sandbox::new();
    let outside = sandbox.work().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let secret = format!("{}{}", "AKIA", "Q3EGRY5NL7ZXW2PT");
    std::fs::write(
        outside.join("secret.txt"),
        format!("aws_key = \"{secret}\"\n"),
    )
    .unwrap();
    let fifo = outside.join("pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a plain mkfifo on a path we own.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let dir = repo(&sandbox, "svc", true, &[]);
    for (link, target) in [
        ("zero.txt", Path::new("/dev/zero")),
        (".folio.toml", Path::new("/dev/zero")),
        ("urandom.yml", Path::new("/dev/urandom")),
        ("leak.py", &outside.join("secret.txt")),
        ("pipe.cfg", &fifo),
        ("Makefile", &outside.join("secret.txt")),
    ] {
        std::os::unix::fs::symlink(target, dir.join(link)).unwrap();
    }
    commit(&dir, "Add hostile symlinks");
    for format in FORMATS {
        let (code, out) = bounded(
            &sandbox,
            &dir,
            &["--format", format],
            Duration::from_secs(20),
        );
        assert!(
            matches!(code, Some(0 | 1)),
            "{format}: exit {code:?}\n{out}"
        );
        assert!(
            !out.contains(&secret[..8]),
            "{format} printed the secret:\n{out}"
        );
        assert!(
            !out.contains("AKIA"),
            "{format} read through the link:\n{out}"
        );
    }
    // The link itself is reported as what git stores: the link text, not the target's bytes.
    let (_, out) = bounded(
        &sandbox,
        &dir,
        &["--format", "json"],
        Duration::from_secs(20),
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["rules"].as_array().unwrap().len(), 33);
}

#[test]
fn check_output_escapes_hostile_file_names_in_every_format() {
    let sandbox = Sandbox::new();
    let dir = repo(&sandbox, "svc", true, &[]);
    let names = [
        "evil\n::warning file=x::X.env",
        "bell\u{7}\u{1b}]0;pwned\u{7}\u{1b}[2J.env",
        "::error::Y.env",
        "pipe|<img src=x onerror=alert(1)>[x](https:e).env",
    ];
    for n in names {
        std::fs::write(dir.join(n), "A=1\n").unwrap();
    }
    commit(&dir, "Add files with hostile names");
    for format in FORMATS {
        let (code, out) = bounded(
            &sandbox,
            &dir,
            &["--format", format],
            Duration::from_secs(20),
        );
        assert_eq!(code, Some(1), "{format}: {out}");
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{format}: raw control characters"
        );
        for line in out.lines() {
            let t = line.trim_start();
            assert!(
                !t.starts_with("::warning file=x"),
                "{format}: forged command: {line}"
            );
            assert!(
                !t.starts_with("::error::Y"),
                "{format}: forged command: {line}"
            );
            if format == "github" && t.starts_with("::") {
                assert!(
                    t.starts_with("::error file=")
                        || t.starts_with("::warning ")
                        || t.starts_with("::error title="),
                    "{line}"
                );
            }
        }
        if format == "markdown" {
            // Every markup character arrives backslashed, so it renders as text.
            let unescaped = out.replace("\\<", "").replace("\\[", "").replace("\\(", "");
            assert!(!unescaped.contains("<img"), "{out}");
            assert!(!unescaped.contains("[x]("), "{out}");
            for row in out.lines().filter(|l| l.starts_with("| ")) {
                let cells = row.split('|').count() - row.matches("\\|").count();
                assert_eq!(cells, 7, "a name broke the table: {row}");
            }
        }
    }
}
