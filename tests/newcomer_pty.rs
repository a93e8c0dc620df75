//! `folio new` in a real pseudo-terminal (rexpect): every question answered, the equivalent
//! non-interactive command printed; Esc and Ctrl-C midway: "cancelled, nothing written", the
//! cursor shown again (`ESC [?25h` after the menu's `ESC [?25l`), exit 130, no folder left.

use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::{Options, PtySession, spawn_with_options};

use crate::support::Sandbox;

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";
const SHOW_CURSOR: &str = "\x1b[?25h";
const HIDE_CURSOR: &str = "\x1b[?25l";

/// `folio ARGS` on a terminal in the sandbox's work folder, with its HOME and git identity.
fn spawn(sandbox: &Sandbox, args: &[&str]) -> PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_folio"));
    command
        .args(args)
        .current_dir(sandbox.work())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sandbox.home())
        .env("XDG_CONFIG_HOME", sandbox.home().join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1");
    spawn_with_options(command, Options::default().timeout_ms(Some(30_000)))
        .expect("folio starts on a pseudo-terminal")
}

/// Waits for `needle`, returning what came before it.
#[track_caller]
fn expect(session: &mut PtySession, needle: &str) -> String {
    match session.exp_string(needle) {
        Ok(before) => before,
        Err(e) => panic!("waiting for {needle:?}: {e}"),
    }
}

/// Types `keys` (rexpect buffers what is sent until a flush).
fn send(session: &mut PtySession, keys: &str) {
    session.send(keys).expect("write to the terminal");
    session.flush().expect("flush the terminal");
}

fn exit_code(session: &PtySession) -> i32 {
    match session.process().wait().expect("folio exits") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("folio did not exit normally: {other:?}"),
    }
}

#[test]
fn every_question_is_asked_and_the_equivalent_command_is_printed() {
    let sandbox = Sandbox::new();
    sandbox.set_git_identity("Ada Lovelace", "ada@example.org");
    let mut s = spawn(&sandbox, &["new"]);
    expect(&mut s, "Project name");
    send(&mut s, "todo-api");
    send(&mut s, ENTER);
    expect(&mut s, "Which stack?");
    expect(&mut s, "python-fastapi");
    // The stacks are in id order and the default (python-fastapi) is preselected: one down
    // is rust-axum.
    send(&mut s, DOWN);
    send(&mut s, ENTER);
    expect(&mut s, "Which database?");
    expect(&mut s, "PostgreSQL");
    send(&mut s, DOWN);
    send(&mut s, ENTER);
    expect(&mut s, "Background jobs?");
    send(&mut s, ENTER);
    expect(&mut s, "Describe the project");
    send(&mut s, "A to-do API");
    send(&mut s, ENTER);
    expect(&mut s, "Which CI?");
    expect(&mut s, "GitLab");
    send(&mut s, ENTER);
    expect(&mut s, "Which license?");
    send(&mut s, DOWN);
    send(&mut s, ENTER);
    expect(&mut s, "Author");
    expect(&mut s, "Ada Lovelace");
    send(&mut s, ENTER);
    expect(&mut s, "the same project without questions:");
    let command = expect(&mut s, "--yes");
    for part in [
        "folio new todo-api --stack rust-axum --db postgres --ci github --jobs",
        "--license apache-2.0 --author 'Ada Lovelace' --description 'A to-do API'",
    ] {
        assert!(command.contains(part), "{part:?} not in {command:?}");
    }
    expect(&mut s, "Created");
    expect(&mut s, "docker compose up -d db");
    s.exp_eof().unwrap();
    assert_eq!(exit_code(&s), 0);
    let license = std::fs::read_to_string(sandbox.work().join("todo-api/LICENSE")).unwrap();
    assert!(license.contains("Apache License"), "{license}");
    assert!(license.contains("Ada Lovelace") || license.contains("Apache"));
    let manifest = std::fs::read_to_string(sandbox.work().join("todo-api/.folio.toml")).unwrap();
    assert!(
        manifest.contains("rust-axum") && manifest.contains("postgres"),
        "{manifest}"
    );
}

#[test]
fn esc_in_a_menu_cancels_and_writes_nothing() {
    let sandbox = Sandbox::new();
    let mut s = spawn(&sandbox, &["new", "demo"]);
    expect(&mut s, "Which stack?");
    send(&mut s, "\x1b");
    let rest = s.exp_eof().unwrap();
    assert!(rest.contains("cancelled, nothing written"), "{rest:?}");
    assert!(rest.contains(SHOW_CURSOR), "{rest:?}");
    assert_eq!(exit_code(&s), 130);
    assert!(!sandbox.work().join("demo").exists());
    assert_eq!(std::fs::read_dir(sandbox.work()).unwrap().count(), 0);
}

#[test]
fn ctrl_c_at_a_question_restores_the_cursor_and_writes_nothing() {
    let sandbox = Sandbox::new();
    let mut s = spawn(&sandbox, &["new", "demo", "--stack", "go"]);
    let before = expect(&mut s, "Which database?");
    expect(&mut s, "sqlite");
    s.send_control('c').unwrap();
    let rest = s.exp_eof().unwrap();
    let all = format!("{before}{rest}");
    assert!(rest.contains("cancelled, nothing written"), "{rest:?}");
    // The menu hid the cursor; the last word on it must show it again.
    let hidden = all.rfind(HIDE_CURSOR).expect("the menu hides the cursor");
    let shown = all.rfind(SHOW_CURSOR).expect("the cursor is shown again");
    assert!(shown > hidden, "the cursor stays hidden: {all:?}");
    assert_eq!(exit_code(&s), 130);
    assert_eq!(std::fs::read_dir(sandbox.work()).unwrap().count(), 0);
}

#[test]
fn an_existing_folder_is_refused_before_any_question() {
    let sandbox = Sandbox::new();
    sandbox.write("demo/notes.txt", "mine");
    let mut s = spawn(&sandbox, &["new", "demo"]);
    let out = s.exp_eof().unwrap();
    assert!(out.contains("already exists and is not empty"), "{out:?}");
    assert!(!out.contains("Which stack?"), "{out:?}");
    assert_eq!(exit_code(&s), 2);
}
