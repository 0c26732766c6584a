//! A team's own rules in the gitleaks TOML format (`redaction.rules_file`): a
//! custom token format is redacted and named in the report; `rules_mode =
//! "replace"` drops the built-ins; secretGroup, entropy and allowlists behave as
//! in gitleaks; a bad regex or a TOML syntax error is one stderr line naming the
//! file, the line and the rule, and the event is still kept with every other rule
//! applied. The rule files are in tests/corpus/gitleaks; every sample is made up.

use crate::testenv::*;
use serde_json::{Value, json};

fn rules_file(name: &str) -> String {
    format!(
        "{}/tests/corpus/gitleaks/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn ghp() -> String {
    ["ghp_", "1234567890abcdefghijABCDEFGHIJ123456"].concat()
}
fn acme_key() -> String {
    ["acme_live_", "Q7rT2mXv9LpB4nZc8KwY3sHd"].concat()
}

/// Runs one UserPromptSubmit with `prompt` under a config naming `file`; the
/// output and the kept event.
fn prompt_with(
    tag: &str,
    file: &str,
    mode: Option<&str>,
    prompt: &str,
) -> (std::process::Output, Value) {
    let env = TestEnv::new(tag);
    let mut redaction = json!({"rules_file": rules_file(file)});
    if let Some(m) = mode {
        redaction["rules_mode"] = json!(m);
    }
    env.write_config(&json!({ "redaction": redaction }));
    let mut e = fixture("UserPromptSubmit");
    e["prompt"] = json!(prompt);
    let out = env.hook(&serde_json::to_vec(&e).unwrap());
    let kept = env.kept();
    assert_eq!(kept.len(), 1, "the event is kept: {}", stderr(&out));
    (out, kept[0].clone())
}

#[test]
fn a_custom_token_format_is_redacted_and_named_beside_the_built_ins() {
    let (out, k) = prompt_with(
        "gl-add",
        "custom.toml",
        None,
        &format!("use {} and {}", acme_key(), ghp()),
    );
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "", "a valid rules file is silent");
    assert_eq!(
        k["input"]["prompt"],
        "use [REDACTED:acme-api-key] and [REDACTED:github_token]"
    );
    assert_eq!(k["redaction"]["rules"]["acme-api-key"], 1);
    assert_eq!(k["redaction"]["rules"]["github_token"], 1);
}

#[test]
fn replace_mode_drops_the_built_in_rules() {
    let (out, k) = prompt_with(
        "gl-replace",
        "replace.toml",
        Some("replace"),
        &format!("use {} and {} password=hunter2x", acme_key(), ghp()),
    );
    assert_exit(&out, 0);
    assert_eq!(
        k["input"]["prompt"],
        format!(
            "use [REDACTED:acme-api-key] and {} password=hunter2x",
            ghp()
        )
    );
    assert_eq!(k["redaction"]["rules"], json!({"acme-api-key": 1}));
}

#[test]
fn replace_mode_with_an_unreadable_file_keeps_the_built_ins() {
    let (out, k) = prompt_with(
        "gl-replace-missing",
        "no-such-file.toml",
        Some("replace"),
        &format!("use {}", ghp()),
    );
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("no-such-file.toml: cannot read:")
            && err.contains("redacting with the built-in rules only"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(k["input"]["prompt"], "use [REDACTED:github_token]");
}

#[test]
fn secret_group_entropy_and_allowlists_decide_what_is_redacted() {
    let session = "q8Zr3kP0wL5xN2vT";
    let random_sig = ["sigsec_", "Xq7Lp2Vz9Rk4Bn8Wc3Hd"].concat();
    let flat_sig = ["sigsec_", "abababababababababab"].concat();
    let zero_deploy = ["dpl-", &"0".repeat(32)].concat();
    let test_deploy = ["dpl-", "0f3a9c1edeadbeef5b7d2e4f6a8c0b1d"].concat();
    let real_deploy = ["dpl-", "0f3a9c1e7b2d4f6a8c0b1d3e5f7a9c2b"].concat();
    let prompt = format!(
        "ACME_SESSION={session}\n{random_sig} {flat_sig}\n{zero_deploy} {test_deploy} {real_deploy}"
    );
    let (out, k) = prompt_with("gl-features", "custom.toml", None, &prompt);
    assert_exit(&out, 0);
    assert_eq!(
        k["input"]["prompt"],
        format!(
            "ACME_SESSION=[REDACTED:acme-session]\nsigsec_[REDACTED:acme-signing-secret] {flat_sig}\n{zero_deploy} {test_deploy} [REDACTED:acme-deploy-token]"
        ),
        "the groups only; low entropy, allowlist regex and stopword kept"
    );
    assert_eq!(
        k["redaction"]["rules"],
        json!({"acme-deploy-token": 1, "acme-session": 1, "acme-signing-secret": 1})
    );
}

#[test]
fn a_bad_regex_is_one_line_naming_file_line_and_rule_and_other_rules_apply() {
    let (out, k) = prompt_with(
        "gl-badregex",
        "broken-regex.toml",
        None,
        &format!("see TKT-123456 with {} and {}", acme_key(), ghp()),
    );
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    let at = format!(
        "redaction.rules_file {}:10: rule `letters-key`: invalid regex",
        rules_file("broken-regex.toml")
    );
    assert!(
        err.contains(&at) && err.contains("rule skipped") && err.contains("event kept in"),
        "{err}"
    );
    assert_eq!(
        k["input"]["prompt"],
        "see [REDACTED:ticket-ref] with [REDACTED:acme-api-key] and [REDACTED:github_token]"
    );
}

#[test]
fn a_toml_syntax_error_is_one_line_and_the_built_ins_still_apply() {
    let (out, k) = prompt_with(
        "gl-syntax",
        "syntax-error.toml",
        None,
        &format!("{} and {}", acme_key(), ghp()),
    );
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    let at = format!("redaction.rules_file {}:", rules_file("syntax-error.toml"));
    assert!(
        err.contains(&at)
            && err.contains("rule `half-written`")
            && err.contains("no rule from this file is used")
            && err.contains("event kept in"),
        "{err}"
    );
    let line: usize = err[err.find(&at).unwrap() + at.len()..]
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((9..=10).contains(&line), "the unclosed array: {err}");
    assert_eq!(
        k["input"]["prompt"],
        format!("{} and [REDACTED:github_token]", acme_key())
    );
}

#[test]
fn a_real_world_shaped_team_config_loads_and_applies() {
    let token = ["nwst_", "a8Kd02LmQz7RtX4vBn9WcE3yHs6JpU1fGk5o"].concat();
    let demo = ["nwst_", "demodemo7RtX4vBn9WcE3yHs6JpU1fGk5o00"].concat();
    let api_key = "Zk3mQ8vR2xL7pT4nB9wC6yH1dF5gJ0sA";
    let ci = ["nwci-", "1a2b3c4d-", "9f8e7d6c5b4a39281706f5e4"].concat();
    let hook = [
        "https://hooks.northwind.example/",
        "R4nD0mP4thS3gm3ntAbCdEf1",
    ]
    .concat();
    let prompt = format!(
        "token {token}, demo {demo}\n\
         psql postgresql://app:S3cr3t-Pa55@db1.northwind.internal/app\n\
         NW_API_KEY={api_key}\n\
         docs: nw_api_key = {api_key} is an example\n\
         ci {ci}, template nwci-00000000-000000000000000000000000\n\
         curl -d @- {hook}"
    );
    // Beside the built-ins (which take what they find first), silently.
    let (out, k) = prompt_with("gl-team-add", "team.toml", None, &prompt);
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "", "the whole file is usable");
    let rules = k["redaction"]["rules"].as_object().unwrap();
    for id in [
        "northwind-service-token",
        "northwind-ci-secret",
        "northwind-webhook",
    ] {
        assert_eq!(rules.get(id), Some(&json!(1)), "{id}: {rules:?}");
    }
    // Alone, every rule of the file shows.
    let (out, k) = prompt_with("gl-team", "team.toml", Some("replace"), &prompt);
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "");
    assert_eq!(
        k["input"]["prompt"],
        format!(
            "token [REDACTED:northwind-service-token], demo {demo}\n\
             psql postgresql://app:[REDACTED:northwind-db-password]@db1.northwind.internal/app\n\
             NW_API_KEY=[REDACTED:northwind-api-key]\n\
             docs: nw_api_key = {api_key} is an example\n\
             ci [REDACTED:northwind-ci-secret], template nwci-00000000-000000000000000000000000\n\
             curl -d @- [REDACTED:northwind-webhook]"
        )
    );
}

#[test]
fn doctor_names_a_bad_rule() {
    let env = TestEnv::new("gl-doctor");
    env.write_config(&json!({"redaction": {"rules_file": rules_file("broken-regex.toml")}}));
    let out = env.run(&["doctor"], b"");
    let text = stdout(&out);
    let line = format!(
        "error redaction: redaction.rules_file {}:10: rule `letters-key`: invalid regex",
        rules_file("broken-regex.toml")
    );
    assert!(text.contains(&line), "{text}");
}
