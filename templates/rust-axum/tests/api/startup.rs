//! The real binary's start-up checks: what `APP_ENV=production` refuses.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::SERVER_BIN;

/// Starts the server with exactly `vars` (no inherited environment, and no `.env`: it runs in
/// an empty temporary folder).
fn start(vars: &[(&str, &str)]) -> Child {
    let dir = std::env::temp_dir().join(format!("startup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Command::new(SERVER_BIN)
        .arg("serve")
        .current_dir(&dir)
        .env_clear()
        .envs(vars.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server binary")
}

/// Waits for the process to exit and returns its exit status and everything it printed.
fn wait_exit(mut child: Child) -> (std::process::ExitStatus, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let output = child.wait_with_output().unwrap();
            let text = String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr);
            return (status, text);
        }
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("the server kept running when it should have refused to start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

const PRODUCTION: [(&str, &str); 3] = [
    ("APP_ENV", "production"),
    ("DATABASE_URL", "sqlite::memory:"),
    ("PORT", "0"),
];

#[test]
fn production_refuses_to_start_without_a_secret() {
    let (status, output) = wait_exit(start(&PRODUCTION));
    assert!(!status.success());
    assert!(output.contains("JWT_SECRET"), "{output}");
    assert!(output.contains("openssl rand -hex 32"), "{output}");
}

#[test]
fn production_refuses_a_31_byte_secret_in_any_case_of_app_env() {
    for app_env in ["production", "Production", "PRODUCTION"] {
        let mut vars = PRODUCTION.to_vec();
        vars[0].1 = app_env;
        vars.push(("JWT_SECRET", "0123456789abcdef0123456789abcde"));
        let (status, output) = wait_exit(start(&vars));
        assert!(!status.success(), "{app_env}");
        assert!(output.contains("openssl rand -hex 32"), "{output}");
    }
}

#[test]
fn production_refuses_to_start_without_a_database_url() {
    let (status, output) = wait_exit(start(&[
        ("APP_ENV", "production"),
        ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ("PORT", "0"),
    ]));
    assert!(!status.success());
    assert!(output.contains("DATABASE_URL"), "{output}");
}

#[test]
fn production_starts_with_a_32_byte_secret() {
    let mut vars = PRODUCTION.to_vec();
    vars.push(("JWT_SECRET", "0123456789abcdef0123456789abcdef"));
    let mut child = start(&vars);
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = String::new();
    let listening = loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) if line.contains("listening") => break true,
            Ok(line) => seen.push_str(&line),
            Err(_) if child.try_wait().unwrap().is_some() || Instant::now() > deadline => {
                break false;
            }
            Err(_) => {}
        }
    };
    child.kill().ok();
    child.wait().ok();
    assert!(listening, "the server did not start: {seen}");
}
