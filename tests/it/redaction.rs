//! Secrets never reach disk: events carrying fake credentials in tool input,
//! tool response and nested keys are kept with the secrets replaced, the rules
//! that fired listed; the off switch keeps raw data; extra patterns and key names
//! from the config file apply.

use crate::testenv::*;
use serde_json::{Value, json};

// Fake secrets, assembled so this file does not look like a leak. The AWS values
// are the documented examples.
fn aws_id() -> String {
    ["AKIA", "IOSFODNN7EXAMPLE"].concat()
}
fn aws_secret() -> String {
    ["wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYEXAMPLEKEY"].concat()
}
fn ghp() -> String {
    ["ghp_", "1234567890abcdefghijABCDEFGHIJ123456"].concat()
}
fn slack() -> String {
    ["xoxb-", "123456789012-1234567890123-AbCdEfGhIjKl"].concat()
}
fn anthropic() -> String {
    ["sk-ant-", "api03-FAKEfakeFAKEfake0123456789-abcdefghij"].concat()
}
fn jwt() -> String {
    [
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        ".eyJzdWIiOiIxMjM0NTY3ODkwIn0",
        ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ]
    .concat()
}
const DB_PASSWORD: &str = "correct-horse-battery-9";
const URL_PASSWORD: &str = "hunter2hunter2";
const KEYED_VALUE: &str = "plain-value-under-a-secret-key";

/// A PostToolUse whose every corner carries a secret.
fn secret_laden_event() -> Value {
    let mut e = fixture("PostToolUse");
    e["tool_input"] = json!({
        "command": format!(
            "export GITHUB_TOKEN={} && DB_PASSWORD={DB_PASSWORD} git clone https://bob:{URL_PASSWORD}@git.example.test/r.git",
            ghp()
        ),
        "description": "clone with credentials",
        "env": {"AWS_SECRET_ACCESS_KEY": KEYED_VALUE, "HOME": "/home/bob"},
    });
    e["tool_response"] = json!({
        "stdout": format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            aws_id(),
            aws_secret()
        ),
        "stderr": format!("curl: Authorization: Bearer {}", jwt()),
        "nested": [{"deeper": [format!("slack {}", slack())]}, {anthropic(): "a key used as a key"}],
    });
    e
}

fn secrets() -> Vec<String> {
    vec![
        ghp(),
        aws_id(),
        aws_secret(),
        slack(),
        anthropic(),
        jwt(),
        DB_PASSWORD.into(),
        URL_PASSWORD.into(),
        KEYED_VALUE.into(),
    ]
}

/// Every byte the local sink wrote, all day files together.
fn kept_bytes(env: &TestEnv) -> Vec<u8> {
    let dir = env.data_dir().join("events");
    let mut all = Vec::new();
    for f in std::fs::read_dir(&dir).expect("events dir exists") {
        all.extend(std::fs::read(f.unwrap().path()).unwrap());
    }
    assert!(!all.is_empty(), "something was kept in {}", dir.display());
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn no_secret_reaches_the_kept_file_and_the_rules_are_listed() {
    let env = TestEnv::new("redact-on");
    let out = env.hook(&serde_json::to_vec(&secret_laden_event()).unwrap());
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "");

    let bytes = kept_bytes(&env);
    for s in secrets() {
        assert!(!contains(&bytes, &s), "secret {s:?} found in the kept file");
    }
    for s in [DB_PASSWORD, URL_PASSWORD, KEYED_VALUE] {
        assert!(!contains(&stderr(&out).into_bytes(), s), "secret on stderr");
    }

    let kept = env.kept();
    assert_eq!(kept.len(), 1);
    let e = &kept[0];
    assert_eq!(e["redaction"]["applied"], true);
    let rules = e["redaction"]["rules"].as_object().expect("rules listed");
    let count = |r: &str| rules.get(r).and_then(Value::as_u64).unwrap_or(0);
    assert_eq!(count("github_token"), 1, "{rules:?}");
    assert_eq!(count("env_secret"), 1, "{rules:?}");
    assert_eq!(count("url_password"), 1, "{rules:?}");
    assert_eq!(count("secret_key_value"), 1, "{rules:?}");
    assert_eq!(count("aws_access_key_id"), 1, "{rules:?}");
    assert_eq!(count("aws_secret_access_key"), 1, "{rules:?}");
    assert_eq!(count("jwt"), 1, "{rules:?}");
    assert_eq!(count("slack_token"), 1, "{rules:?}");
    assert_eq!(count("anthropic_key"), 1, "{rules:?}");

    // The context around each secret survives, so the event stays useful.
    let input = &e["input"];
    assert_eq!(
        input["tool_input"]["command"],
        "export GITHUB_TOKEN=[REDACTED:github_token] && DB_PASSWORD=[REDACTED:env_secret] git clone https://bob:[REDACTED:url_password]@git.example.test/r.git"
    );
    assert_eq!(
        input["tool_input"]["env"]["AWS_SECRET_ACCESS_KEY"],
        "[REDACTED:secret_key_value]"
    );
    assert_eq!(input["tool_input"]["env"]["HOME"], "/home/bob");
    assert_eq!(
        input["tool_response"]["nested"][1]["[REDACTED:anthropic_key]"],
        "a key used as a key"
    );
    assert_eq!(input["session_id"], e["session_id"]);
    assert_eq!(input["tool_use_id"], fixture("PostToolUse")["tool_use_id"]);
}

#[test]
fn events_without_secrets_are_kept_verbatim_with_no_rules() {
    let env = TestEnv::new("redact-clean");
    let mut e = fixture("PostToolUse");
    e["tool_input"]["command"] = json!(
        "git log -1 3f786850e387550fdab836ed7e6dc881de23001b && echo max_tokens=100 password"
    );
    env.hook(&serde_json::to_vec(&e).unwrap());
    let kept = env.kept();
    assert_eq!(kept[0]["input"], e);
    assert_eq!(kept[0]["redaction"], json!({"applied": false}));
}

#[test]
fn the_off_switch_keeps_raw_data() {
    let env = TestEnv::new("redact-off");
    env.write_config(&json!({"redaction": {"enabled": false}}));
    let event = secret_laden_event();
    let out = env.hook(&serde_json::to_vec(&event).unwrap());
    assert_exit(&out, 0);
    let kept = env.kept();
    assert_eq!(kept[0]["input"], event, "kept exactly as sent");
    assert_eq!(kept[0]["redaction"], json!({"applied": false}));
    let bytes = kept_bytes(&env);
    assert!(contains(&bytes, &ghp()));
}

#[test]
fn extra_patterns_and_keys_from_the_config_file() {
    let env = TestEnv::new("redact-extra");
    env.write_config(&json!({"redaction": {
        "patterns": [
            {"name": "acme_ticket", "pattern": "ACME-[0-9]{6}"},
            {"name": "employee_id", "pattern": "emp=([0-9]+)"}
        ],
        "keys": ["internal_ref"]
    }}));
    let mut e = fixture("UserPromptSubmit");
    e["prompt"] = json!(format!("fix ACME-123456 for emp=4242 using {}", ghp()));
    e["internal_ref"] = json!("ref-7-secret-ish");
    let out = env.hook(&serde_json::to_vec(&e).unwrap());
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "", "a valid config is silent");
    let k = &env.kept()[0];
    assert_eq!(
        k["input"]["prompt"],
        "fix [REDACTED:acme_ticket] for emp=[REDACTED:employee_id] using [REDACTED:github_token]"
    );
    assert_eq!(k["input"]["internal_ref"], "[REDACTED:secret_key_value]");
    assert_eq!(k["redaction"]["rules"]["acme_ticket"], 1);
    assert_eq!(k["redaction"]["rules"]["employee_id"], 1);
    assert_eq!(k["redaction"]["rules"]["secret_key_value"], 1);
}

#[test]
fn a_broken_extra_pattern_is_named_and_built_in_rules_still_apply() {
    let env = TestEnv::new("redact-badpattern");
    env.write_config(&json!({"redaction": {
        "patterns": [{"name": "ok", "pattern": "x+"}, {"name": "oops", "pattern": "(unclosed"}]
    }}));
    let mut e = fixture("UserPromptSubmit");
    e["prompt"] = json!(format!("token {}", ghp()));
    let out = env.hook(&serde_json::to_vec(&e).unwrap());
    assert_eq!(
        out.status.code(),
        Some(1),
        "visible like any broken config, never blocking"
    );
    let err = stderr(&out);
    assert!(
        err.contains("redaction.patterns[1] (`oops`): invalid regex")
            && err.contains("event kept in"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let bytes = kept_bytes(&env);
    assert!(!contains(&bytes, &ghp()));
}

#[test]
fn prompts_and_assistant_messages_are_redacted_too() {
    let env = TestEnv::new("redact-prompts");
    let mut prompt = fixture("UserPromptSubmit");
    prompt["prompt"] = json!(format!(
        "deploy with password={DB_PASSWORD} and key {}",
        aws_id()
    ));
    let mut stop = fixture("Stop");
    stop["last_assistant_message"] = json!(format!("Done. I used the token {} to push.", ghp()));
    for e in [&prompt, &stop] {
        let out = env.hook(&serde_json::to_vec(e).unwrap());
        assert_exit(&out, 0);
    }
    let bytes = kept_bytes(&env);
    for s in [DB_PASSWORD.to_string(), aws_id(), ghp()] {
        assert!(!contains(&bytes, &s), "secret {s:?} found in the kept file");
    }
    let kept = env.kept();
    assert_eq!(
        kept[0]["input"]["prompt"],
        "deploy with password=[REDACTED:password_assignment] and key [REDACTED:aws_access_key_id]"
    );
    assert_eq!(
        kept[1]["input"]["last_assistant_message"],
        "Done. I used the token [REDACTED:github_token] to push."
    );
    assert_eq!(kept[1]["redaction"]["rules"], json!({"github_token": 1}));
}

/// Issue 11, keyed values: what the binary keeps for the examples
/// (made-up secrets), in a command, a prompt and a written file.
#[test]
fn keyed_values_are_redacted_whole_in_every_placement() {
    let env = TestEnv::new("redact-keyed");
    let fb = "1234567890123456|AY-lRJZqXw9vT3kLmN0pQ";
    let letters = "SSVmFDNCFfOHKXQAEckx";
    let repeated = "shippo_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let sentence_key = "Zq8Lr2VxZ0mN4bT7kW1sY9dF3hJ6pQ5cE2aR8uI1";
    let sig = "WSdF9q%2Bx7Yz1kLm3nOp4%3D";
    let account_key = "Zm9vYmFy+c2VjcmV0/a2V5PT0xMjM0NTY3ODkw==";
    let token = "9f8e7d6c5b4a39281706";
    let curl_pw = "S3cr3tPw";
    let mysql_pw = "Hunt3rTwo";
    let xml_pw = "Pr0d-Pa55!";
    let generic = "q8Lr2VxZ0mN4bT7kW1sY9dF3";
    let text = format!(
        "export FACEBOOK_ACCESS_TOKEN={fb}\nTIMEZONEAPI_API_KEY={letters}\nSHIPPO_API_TOKEN={repeated}\n\
         please use aws_secret_access_key = {sentence_key} to deploy\n\
         curl 'https://a.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig={sig}&se=2026'\n\
         AccountName=a;AccountKey={account_key};EndpointSuffix=core.windows.net\n\
         curl -H 'Authorization: token {token}' -u alice:{curl_pw} https://x.test\n\
         mysql -u root -p{mysql_pw} db\n<add key=\"ClearTextPassword\" value=\"{xml_pw}\"/>\n\
         my api key is {generic}\n"
    );
    let mut bash = fixture("PostToolUse");
    bash["tool_response"]["stdout"] = json!(text);
    let mut prompt = fixture("UserPromptSubmit");
    prompt["prompt"] = json!(text);
    let mut write = fixture("PreToolUse");
    write["tool_name"] = json!("Write");
    write["tool_input"] = json!({"file_path": "/tmp/x.env", "content": text});
    for e in [&bash, &prompt, &write] {
        assert_exit(&env.hook(&serde_json::to_vec(e).unwrap()), 0);
    }
    let bytes = kept_bytes(&env);
    for s in [
        fb,
        "AY-lRJZq",
        letters,
        repeated,
        sentence_key,
        sig,
        account_key,
        token,
        curl_pw,
        mysql_pw,
        xml_pw,
        generic,
    ] {
        assert!(!contains(&bytes, s), "{s:?} found in the kept file");
    }
    let kept = env.kept();
    let stdout = kept[0]["input"]["tool_response"]["stdout"]
        .as_str()
        .unwrap();
    for context in [
        "Authorization: token [REDACTED:authorization_header]",
        "-u alice:[REDACTED:basic_auth]",
        "value=\"[REDACTED:password_assignment]\"",
        "my api key is [REDACTED:generic_secret]",
        "&se=2026",
    ] {
        assert!(stdout.contains(context), "{context:?} in {stdout}");
    }
    let rules = kept[2]["redaction"]["rules"].as_object().unwrap();
    assert_eq!(rules["generic_secret"], 1, "{rules:?}");
    assert_eq!(rules["authorization_header"], 1, "{rules:?}");
}

/// Placeholders and ordinary code next to secret-named keys stay as written.
#[test]
fn placeholders_and_code_next_to_secret_keys_are_kept() {
    let env = TestEnv::new("redact-placeholders");
    let text = "API_KEY=xxxxxxxxxxxxxxxx\npassword=changeme\ntoken=<token>\nTOKEN=${VAR}\n\
                TOKEN=$(gh auth token)\npassword: ***\napi_key=your-api-key\n\
                Authorization: Bearer $TOKEN\n\"auth-token\": \"^1.0.2\",\n\"passwd\": \"0.1.0\"\n\
                axios.CancelToken = CancelToken$1;\nio.jsonwebtoken:jjwt-jackson-0.11.2\n\
                TOKEN=`gh auth token`\ncommit 3f786850e387550fdab836ed7e6dc881de23001b token\n";
    let mut write = fixture("PreToolUse");
    write["tool_name"] = json!("Write");
    write["tool_input"] = json!({"file_path": "/tmp/x.env", "content": text});
    assert_exit(&env.hook(&serde_json::to_vec(&write).unwrap()), 0);
    let kept = env.kept();
    assert_eq!(kept[0]["input"]["tool_input"]["content"], text);
    let rules = &kept[0]["redaction"]["rules"];
    assert!(
        rules.is_null() || rules.as_object().is_some_and(|r| r.is_empty()),
        "{rules}"
    );
}
