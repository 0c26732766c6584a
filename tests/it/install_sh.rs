//! install.sh in a throwaway HOME and prefix, with the binary under test
//! (`--binary`, so no cargo build): twice gives the same result, `--uninstall`
//! gives back the machine as it was, `--dry-run` changes nothing, keys survive
//! re-runs, the config is private, and mistakes are explained.

use crate::testenv::install::*;
use crate::testenv::*;

const FAKE_KEY: &str = r#"zo_fake"key\with"quotes"#;

#[test]
fn twice_is_once_and_uninstall_restores_everything() {
    let (t, home) = home_with_user_settings("sh-roundtrip");
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

    install_sh_ok(&home, t.path(), &args, &[]);
    let first = snapshot(&home);
    let bin = home.join(".local/bin/hookrelay");
    assert_eq!(
        std::fs::read(&bin).unwrap(),
        std::fs::read(crate::testenv::bin()).unwrap(),
        "the binary is installed"
    );
    assert_eq!(mode_of(&bin), 0o755);
    let cfg_path = home.join(".config/hookrelay/config.json");
    assert_eq!(mode_of(&cfg_path), 0o600, "the config holds a key: 0600");
    let c = installed_config(&home);
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
    let settings = read_json(&home.join(".claude/settings.json"));
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
    install_sh_ok(&home, t.path(), &args, &[]);
    assert_eq!(diff(&first, &snapshot(&home)), Vec::<String>::new());

    // Undo: everything install.sh added is gone, the settings are the original bytes.
    assert_exit(&uninstall_sh(&home, t.path()), 0);
    assert_eq!(diff(&pristine, &snapshot(&home)), Vec::<String>::new());
    assert_eq!(
        std::fs::read_to_string(home.join(".claude/settings.json")).unwrap(),
        USER_SETTINGS
    );
    let twice = uninstall_sh(&home, t.path());
    assert_exit(&twice, 1);
    assert_stderr_has(&twice, "nothing to uninstall");
}

#[test]
fn a_fresh_home_is_left_empty_after_uninstall() {
    let (t, home) = empty_home("sh-fresh");
    let prefix = t.path().join("opt");
    let p = prefix.display().to_string();
    install_sh_ok(
        &home,
        t.path(),
        &["--prefix", &p, "--webhook-url", "http://127.0.0.1:9/hook"],
        &[],
    );
    assert!(prefix.join("bin/hookrelay").is_file());
    assert!(home.join(".claude/settings.json").is_file());
    assert_eq!(
        installed_config(&home)["backends"]["webhooks"][0]["url"],
        "http://127.0.0.1:9/hook"
    );
    assert_exit(&uninstall_sh(&home, t.path()), 0);
    assert_eq!(
        snapshot(&home),
        snapshot(&t.path().join("nothing")),
        "HOME empty again"
    );
    assert!(!prefix.exists(), "the prefix install.sh created is removed");
}

#[test]
fn dry_run_changes_nothing() {
    let (t, home) = home_with_user_settings("sh-dry");
    let before = snapshot(t.path());
    let out = install_sh_ok(
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
    let text = stdout(&out);
    assert!(text.contains("would install"), "{text}");
    assert!(text.contains("would write"), "{text}");
    assert!(text.contains("would change"), "{text}");
    assert!(!text.contains("fake-secret"), "secrets are masked: {text}");
    assert_eq!(diff(&before, &snapshot(t.path())), Vec::<String>::new());
}

#[test]
fn a_rerun_without_the_key_never_wipes_it() {
    let (t, home) = empty_home("sh-key");
    let ep = "http://127.0.0.1:9999/ingest";
    install_sh_ok(
        &home,
        t.path(),
        &["--chroma-endpoint", ep, "--api-key", FAKE_KEY, "--no-wire"],
        &[],
    );
    // Without the key (the config is kept as is).
    install_sh_ok(
        &home,
        t.path(),
        &["--chroma-endpoint", ep, "--no-wire"],
        &[],
    );
    assert_eq!(
        installed_config(&home)["backends"]["chroma"]["api_key"],
        FAKE_KEY
    );
    // Different flags without --force: kept, and the user is told how to change it.
    let out = install_sh_ok(
        &home,
        t.path(),
        &[
            "--chroma-endpoint",
            "http://127.0.0.1:1/ingest",
            "--no-wire",
        ],
        &[],
    );
    assert_stdout_has(&out, "--force");
    assert_eq!(
        installed_config(&home)["backends"]["chroma"]["endpoint"],
        ep
    );
    // --force rewrites from the flags, carrying the key over.
    install_sh_ok(
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
    let c = installed_config(&home);
    assert_eq!(
        c["backends"]["chroma"]["endpoint"],
        "http://127.0.0.1:1/ingest"
    );
    assert_eq!(c["backends"]["chroma"]["api_key"], FAKE_KEY);
    let cfg = home.join(".config/hookrelay/config.json");
    assert_eq!(mode_of(&cfg), 0o600);
    let bak = home.join(".config/hookrelay/config.json.bak");
    assert_eq!(mode_of(&bak), 0o600);
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
    assert_exit(&out, 1);
    assert_stderr_has(&out, r#"would drop "api_key""#);
    assert_eq!(std::fs::read(&cfg).unwrap(), before);
}

#[test]
fn environment_variables_of_existing_integrations_are_used() {
    let (t, home) = empty_home("sh-env");
    install_sh_ok(
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
    );
    let c = installed_config(&home);
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
    let (t2, home2) = empty_home("sh-env2");
    install_sh_ok(
        &home2,
        t2.path(),
        &["--no-wire", "--bloodbank-url", "http://127.0.0.1:1"],
        &[("BLOODBANK_URL", "http://127.0.0.1:2")],
    );
    assert_eq!(
        installed_config(&home2)["backends"]["bloodbank"]["url"],
        "http://127.0.0.1:1"
    );
}

#[test]
fn mistakes_are_explained_and_change_nothing() {
    let (t, home) = empty_home("sh-errors");
    let before = snapshot(t.path());

    let out = install_sh(&home, t.path(), &["--bloodbank-url", "localhost:8682"], &[]);
    assert_exit(&out, 1);
    assert_stderr_has(&out, "not an http(s) URL");
    let out = install_sh(
        &home,
        t.path(),
        &["--webhook-url", "user:fakepw@127.0.0.1:1/x"],
        &[],
    );
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("not an http(s) URL") && !stderr(&out).contains("fakepw"),
        "URL credentials are masked: {}",
        stderr(&out)
    );

    let out = install_sh(&home, t.path(), &["--api-key", "zo_fake"], &[]);
    assert_exit(&out, 1);
    assert_stderr_has(&out, "--chroma-endpoint");

    let out = install_sh(&home, t.path(), &["--scope", "global"], &[]);
    assert_exit(&out, 1);
    assert_stderr_has(&out, "user or project");

    // No --binary and no cargo on PATH.
    let out = install_sh_raw(&home, t.path(), &[], &[]);
    assert_exit(&out, 1);
    assert_stderr_has(&out, "cargo not found");
    assert_stderr_has(&out, "--binary");
    assert_eq!(diff(&before, &snapshot(t.path())), Vec::<String>::new());

    // A prefix that cannot be created (a file is in the way).
    std::fs::write(t.path().join("blocker"), "").unwrap();
    let p = t.path().join("blocker/sub").display().to_string();
    let out = install_sh(&home, t.path(), &["--prefix", &p], &[]);
    assert_exit(&out, 1);
    assert_stderr_has(&out, "cannot create directory");
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

    install_sh_ok(
        &home,
        &project,
        &["--scope", "project", "--events", "tools"],
        &[],
    );
    let v = read_json(&project.join(".claude/settings.json"));
    assert_eq!(v["model"], "sonnet");
    assert_eq!(v["hooks"].as_object().unwrap().len(), 5);
    assert!(!home.join(".claude").exists(), "user settings untouched");

    assert_exit(&uninstall_sh(&home, t.path()), 0);
    assert_eq!(
        std::fs::read_to_string(project.join(".claude/settings.json")).unwrap(),
        mine
    );
}

/// One rule for a webhook URL without a path, flag or variable; secrets may come
/// from files (a command-line value is visible in `ps`).
#[test]
fn webhook_urls_follow_one_rule_and_secrets_can_come_from_files() {
    let (t, home) = empty_home("sh-flags-files");
    let key_file = t.path().join("zo.key");
    std::fs::write(&key_file, "zo_fake_from_file\n").unwrap();
    let secret_file = t.path().join("ol.secret");
    std::fs::write(&secret_file, "fake-hmac-from-file").unwrap();
    install_sh_ok(
        &home,
        t.path(),
        &[
            "--no-wire",
            "--webhook-url",
            "http://127.0.0.1:8000",
            "--chroma-endpoint",
            "http://127.0.0.1:9999/ingest",
            "--api-key-file",
            key_file.to_str().unwrap(),
            "--orgloop-url",
            "http://127.0.0.1:4800/webhook/claude-code",
            "--orgloop-secret-file",
            secret_file.to_str().unwrap(),
        ],
        &[],
    );
    let b = &installed_config(&home)["backends"];
    assert_eq!(b["webhooks"][0]["url"], "http://127.0.0.1:8000/events");
    assert_eq!(b["chroma"]["api_key"], "zo_fake_from_file");
    assert_eq!(b["orgloop"]["secret"], "fake-hmac-from-file");

    let (t2, home2) = empty_home("sh-flags-files2");
    let out = install_sh(
        &home2,
        t2.path(),
        &["--no-wire", "--api-key-file", "/nonexistent/zo.key"],
        &[],
    );
    assert_exit(&out, 1);
    assert_stderr_has(
        &out,
        "--api-key-file /nonexistent/zo.key: no such readable file",
    );
}

/// A dry run shows the command the real run will register: the installed binary,
/// not the one it was started from.
#[test]
fn dry_run_shows_the_installed_binary_in_the_wiring() {
    let (t, home) = empty_home("sh-dry-path");
    let out = install_sh_ok(&home, t.path(), &["--dry-run"], &[]);
    let text = stdout(&out);
    let installed = home.join(".local/bin/hookrelay");
    let add = text
        .lines()
        .find(|l| l.trim_start().starts_with("add "))
        .unwrap_or_else(|| panic!("an add line: {text}"));
    assert!(add.contains(installed.to_str().unwrap()), "{add}");
    assert!(!add.contains(crate::testenv::bin()), "{add}");
}

/// `--no-wire` is a choice: install.sh says how to wire later, and doctor warns
/// without failing.
#[test]
fn no_wire_is_a_choice_doctor_warns_but_passes() {
    let (t, home) = empty_home("sh-no-wire");
    let out = install_sh_ok(&home, t.path(), &["--no-wire"], &[]);
    assert!(
        stdout(&out).contains("not wired (--no-wire)"),
        "{}",
        stdout(&out)
    );
    let out = std::process::Command::new(home.join(".local/bin/hookrelay"))
        .arg("doctor")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &home)
        .current_dir(t.path())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("not wired into any Claude Code settings file"),
        "{text}"
    );
    assert_exit(&out, 0);
}

/// install.sh follows Bloodbank's own rules: `BLOODBANK_ENABLED=true` alone or
/// with `BLOODBANK_NATS_*` is today's NATS mode, `BLOODBANK_URL` the old HTTP API,
/// and `--bloodbank-url nats://…` is accepted.
#[test]
fn bloodbank_modes_are_chosen_as_bloodbanks_own_hook_chooses_them() {
    let url_with = |args: &[&str], env: &[(&str, &str)]| {
        let (t, home) = empty_home("sh-bb-mode");
        let mut all = vec!["--no-wire"];
        all.extend_from_slice(args);
        install_sh_ok(&home, t.path(), &all, env);
        installed_config(&home)["backends"]["bloodbank"]["url"].clone()
    };
    assert_eq!(
        url_with(&[], &[("BLOODBANK_ENABLED", "true")]),
        "nats://127.0.0.1:4222"
    );
    assert_eq!(
        url_with(
            &[],
            &[
                ("BLOODBANK_ENABLED", "true"),
                ("BLOODBANK_NATS_HOST", "10.0.0.9"),
                ("BLOODBANK_NATS_PORT", "4333")
            ]
        ),
        "nats://10.0.0.9:4333"
    );
    assert_eq!(
        url_with(
            &[],
            &[
                ("BLOODBANK_ENABLED", "true"),
                ("BLOODBANK_URL", "http://127.0.0.1:8682")
            ]
        ),
        "http://127.0.0.1:8682"
    );
    assert_eq!(
        url_with(&["--bloodbank-url", "nats://127.0.0.1:4222"], &[]),
        "nats://127.0.0.1:4222"
    );
}
