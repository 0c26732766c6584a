//! install.sh in a throwaway HOME and prefix, with the binary under test
//! (`--binary`, so no cargo build): twice gives the same result, `--uninstall`
//! gives back the machine as it was, `--dry-run` changes nothing, keys survive
//! re-runs, the config is private, and mistakes are explained.

use std::os::unix::fs::PermissionsExt;

use crate::testenv::install::*;
use crate::testenv::*;
use serde_json::Value;

const FAKE_KEY: &str = r#"zo_fake"key\with"quotes"#;

fn config(home: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(home.join(".config/hookrelay/config.json")).unwrap())
        .expect("install.sh writes valid JSON")
}

fn ok(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
}

#[test]
fn twice_is_once_and_uninstall_restores_everything() {
    let t = TempDir::new("sh-roundtrip");
    let home = t.path().join("home");
    std::fs::create_dir_all(home.join(".claude")).unwrap();
    std::fs::write(home.join(".claude/settings.json"), USER_SETTINGS).unwrap();
    let pristine = snapshot(&home);
    let args = [
        "--bloodbank-url",
        "http://127.0.0.1:8682",
        "--chroma-endpoint",
        "http://127.0.0.1:9999/ingest",
        "--api-key",
        FAKE_KEY,
        "--project-id",
        "acme",
    ];

    ok(&install_sh(&home, t.path(), &args, &[]));
    let first = snapshot(&home);
    let bin = home.join(".local/bin/hookrelay");
    assert_eq!(
        std::fs::read(&bin).unwrap(),
        std::fs::read(BIN).unwrap(),
        "the binary is installed"
    );
    assert_eq!(
        std::fs::metadata(&bin).unwrap().permissions().mode() & 0o777,
        0o755
    );
    let cfg_path = home.join(".config/hookrelay/config.json");
    assert_eq!(
        std::fs::metadata(&cfg_path).unwrap().permissions().mode() & 0o777,
        0o600,
        "the config holds a key: 0600"
    );
    let c = config(&home);
    assert_eq!(c["project"], "acme");
    assert_eq!(c["backends"]["bloodbank"]["url"], "http://127.0.0.1:8682");
    assert_eq!(
        c["backends"]["chroma"]["endpoint"],
        "http://127.0.0.1:9999/ingest"
    );
    assert_eq!(
        c["backends"]["chroma"]["api_key"], FAKE_KEY,
        "escaped exactly"
    );
    let settings: Value =
        serde_json::from_slice(&std::fs::read(home.join(".claude/settings.json")).unwrap())
            .unwrap();
    let cmd = settings["hooks"]["SessionEnd"][0]["hooks"][0]["command"].clone();
    assert_eq!(
        cmd,
        bin.display().to_string(),
        "wired to the installed binary"
    );
    assert_eq!(
        settings["hooks"]["Stop"][0]["hooks"][0]["command"], "notify-send done",
        "the user's hooks are kept"
    );

    // Second run, same flags: byte-identical tree.
    let again = install_sh(&home, t.path(), &args, &[]);
    ok(&again);
    assert_eq!(diff(&first, &snapshot(&home)), Vec::<String>::new());

    // Undo: everything install.sh added is gone, the settings are the original bytes.
    let un = install_sh_raw(&home, t.path(), &["--uninstall"], &[]);
    ok(&un);
    assert_eq!(diff(&pristine, &snapshot(&home)), Vec::<String>::new());
    assert_eq!(
        std::fs::read_to_string(home.join(".claude/settings.json")).unwrap(),
        USER_SETTINGS
    );
    let twice = install_sh_raw(&home, t.path(), &["--uninstall"], &[]);
    assert_eq!(twice.status.code(), Some(1));
    assert!(
        stderr(&twice).contains("nothing to uninstall"),
        "{}",
        stderr(&twice)
    );
}

#[test]
fn a_fresh_home_is_left_empty_after_uninstall() {
    let t = TempDir::new("sh-fresh");
    let home = t.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let prefix = t.path().join("opt");
    let p = prefix.display().to_string();
    ok(&install_sh(
        &home,
        t.path(),
        &["--prefix", &p, "--webhook-url", "http://127.0.0.1:9/hook"],
        &[],
    ));
    assert!(prefix.join("bin/hookrelay").is_file());
    assert!(home.join(".claude/settings.json").is_file());
    assert_eq!(
        config(&home)["backends"]["webhooks"][0]["url"],
        "http://127.0.0.1:9/hook"
    );
    ok(&install_sh_raw(&home, t.path(), &["--uninstall"], &[]));
    assert_eq!(
        snapshot(&home),
        snapshot(&t.path().join("nothing")),
        "HOME empty again"
    );
    assert!(!prefix.exists(), "the prefix install.sh created is removed");
}

#[test]
fn dry_run_changes_nothing() {
    let t = TempDir::new("sh-dry");
    let home = t.path().join("home");
    std::fs::create_dir_all(home.join(".claude")).unwrap();
    std::fs::write(home.join(".claude/settings.json"), USER_SETTINGS).unwrap();
    let before = snapshot(t.path());
    let out = install_sh(
        &home,
        t.path(),
        &[
            "--dry-run",
            "--orgloop-url",
            "http://127.0.0.1:4800/webhook/claude-code",
            "--orgloop-secret",
            "fake-secret",
        ],
        &[],
    );
    ok(&out);
    let text = stdout(&out);
    assert!(text.contains("would install"), "{text}");
    assert!(text.contains("would write"), "{text}");
    assert!(text.contains("would change"), "{text}");
    assert!(!text.contains("fake-secret"), "secrets are masked: {text}");
    assert_eq!(diff(&before, &snapshot(t.path())), Vec::<String>::new());
}

#[test]
fn a_rerun_without_the_key_never_wipes_it() {
    let t = TempDir::new("sh-key");
    let home = t.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let ep = "http://127.0.0.1:9999/ingest";
    ok(&install_sh(
        &home,
        t.path(),
        &["--chroma-endpoint", ep, "--api-key", FAKE_KEY, "--no-wire"],
        &[],
    ));
    // Without the key (the config is kept as is).
    let out = install_sh(
        &home,
        t.path(),
        &["--chroma-endpoint", ep, "--no-wire"],
        &[],
    );
    ok(&out);
    assert_eq!(config(&home)["backends"]["chroma"]["api_key"], FAKE_KEY);
    // Different flags without --force: kept, and the user is told how to change it.
    let out = install_sh(
        &home,
        t.path(),
        &[
            "--chroma-endpoint",
            "http://127.0.0.1:1/ingest",
            "--no-wire",
        ],
        &[],
    );
    ok(&out);
    assert!(stdout(&out).contains("--force"), "{}", stdout(&out));
    assert_eq!(config(&home)["backends"]["chroma"]["endpoint"], ep);
    // --force rewrites from the flags, carrying the key over.
    let out = install_sh(
        &home,
        t.path(),
        &[
            "--chroma-endpoint",
            "http://127.0.0.1:1/ingest",
            "--no-wire",
            "--force",
        ],
        &[],
    );
    ok(&out);
    let c = config(&home);
    assert_eq!(
        c["backends"]["chroma"]["endpoint"],
        "http://127.0.0.1:1/ingest"
    );
    assert_eq!(c["backends"]["chroma"]["api_key"], FAKE_KEY);
    let cfg = home.join(".config/hookrelay/config.json");
    assert_eq!(
        std::fs::metadata(&cfg).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let bak = home.join(".config/hookrelay/config.json.bak");
    assert_eq!(
        std::fs::metadata(&bak).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // --force that would lose the key (its section no longer given): refused.
    let before = std::fs::read(&cfg).unwrap();
    let out = install_sh(
        &home,
        t.path(),
        &[
            "--bloodbank-url",
            "http://127.0.0.1:8682",
            "--no-wire",
            "--force",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(r#"would drop "api_key""#),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&cfg).unwrap(), before);
}

#[test]
fn environment_variables_of_existing_integrations_are_used() {
    let t = TempDir::new("sh-env");
    let home = t.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    ok(&install_sh(
        &home,
        t.path(),
        &["--no-wire"],
        &[
            ("BLOODBANK_URL", "http://127.0.0.1:8682"),
            ("BLOODBANK_ENABLED", "false"),
            ("ZO_EVENT_ENDPOINT", "http://127.0.0.1:9999/ingest"),
            ("ZO_API_KEY", "zo_fake_env"),
            ("HOSTNAME_SALT", "fake-salt"),
            ("ORGLOOP_PORT", "4801"),
            ("CLAUDE_CODE_WEBHOOK_SECRET", "fake-hmac"),
            ("HOOK_BACKEND_URL", "http://127.0.0.1:8000"),
            ("HOOK_API_KEY", "fake-hook-key"),
        ],
    ));
    let c = config(&home);
    let b = &c["backends"];
    assert!(b.get("bloodbank").is_none(), "BLOODBANK_ENABLED=false: off");
    assert_eq!(b["chroma"]["api_key"], "zo_fake_env");
    assert_eq!(b["chroma"]["hostname_salt"], "fake-salt");
    assert_eq!(
        b["orgloop"]["url"],
        "http://127.0.0.1:4801/webhook/claude-code"
    );
    assert_eq!(b["orgloop"]["secret"], "fake-hmac");
    assert_eq!(b["webhooks"][0]["url"], "http://127.0.0.1:8000/events");
    assert_eq!(b["webhooks"][0]["api_key"], "fake-hook-key");
    // A flag wins over its variable.
    let t2 = TempDir::new("sh-env2");
    let home2 = t2.path().join("home");
    std::fs::create_dir_all(&home2).unwrap();
    ok(&install_sh(
        &home2,
        t2.path(),
        &["--no-wire", "--bloodbank-url", "http://127.0.0.1:1"],
        &[("BLOODBANK_URL", "http://127.0.0.1:2")],
    ));
    assert_eq!(
        config(&home2)["backends"]["bloodbank"]["url"],
        "http://127.0.0.1:1"
    );
}

#[test]
fn mistakes_are_explained_and_change_nothing() {
    let t = TempDir::new("sh-errors");
    let home = t.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let before = snapshot(t.path());

    let out = install_sh(&home, t.path(), &["--bloodbank-url", "localhost:8682"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not an http(s) URL"),
        "{}",
        stderr(&out)
    );
    let out = install_sh(
        &home,
        t.path(),
        &["--webhook-url", "user:fakepw@127.0.0.1:1/x"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not an http(s) URL") && !stderr(&out).contains("fakepw"),
        "URL credentials are masked: {}",
        stderr(&out)
    );

    let out = install_sh(&home, t.path(), &["--api-key", "zo_fake"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--chroma-endpoint"),
        "{}",
        stderr(&out)
    );

    let out = install_sh(&home, t.path(), &["--scope", "global"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("user or project"), "{}", stderr(&out));

    // No --binary and no cargo on PATH.
    let out = install_sh_raw(&home, t.path(), &[], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cargo not found"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--binary"), "{}", stderr(&out));
    assert_eq!(diff(&before, &snapshot(t.path())), Vec::<String>::new());

    // A prefix that cannot be created (a file is in the way).
    std::fs::write(t.path().join("blocker"), "").unwrap();
    let p = t.path().join("blocker/sub").display().to_string();
    let out = install_sh(&home, t.path(), &["--prefix", &p], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot create directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn project_scope_is_undone_from_anywhere() {
    let t = TempDir::new("sh-project");
    let home = t.path().join("home");
    let project = t.path().join("proj");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(project.join(".claude")).unwrap();
    let mine = "{\n\t\"model\": \"sonnet\"\n}\n";
    std::fs::write(project.join(".claude/settings.json"), mine).unwrap();

    ok(&install_sh(
        &home,
        &project,
        &["--scope", "project", "--events", "tools"],
        &[],
    ));
    let v: Value =
        serde_json::from_slice(&std::fs::read(project.join(".claude/settings.json")).unwrap())
            .unwrap();
    assert_eq!(v["model"], "sonnet");
    assert_eq!(v["hooks"].as_object().unwrap().len(), 5);
    assert!(!home.join(".claude").exists(), "user settings untouched");

    ok(&install_sh_raw(&home, t.path(), &["--uninstall"], &[]));
    assert_eq!(
        std::fs::read_to_string(project.join(".claude/settings.json")).unwrap(),
        mine
    );
}
