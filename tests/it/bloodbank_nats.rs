//! Bloodbank's NATS mode against the real nats-server with JetStream and the
//! stream BLOODBANK_EVENTS created as Bloodbank creates it: every mapped fixture
//! stored once with the contract's subject and type, the event id as
//! `Nats-Msg-Id`, a replayed event not stored twice, an outage (server stopped,
//! no stream for the subject, wrong login) spooled and delivered once later;
//! TLS (a throwaway CA made with openssl) and NKey logins against the real server.

use serde_json::{Value, json};

use crate::testenv::nats::{NatsServer, Stored};
use crate::testenv::spool::{run_ok, spool_dir, spooled_tags};
use crate::testenv::*;

/// The fixtures Bloodbank's NATS mode maps, and the type each becomes.
const MAPPED: &[(&str, &str)] = &[
    ("PostToolUse", "bloodbank.v1.agent.tool.completed"),
    ("PostToolUseFailure", "bloodbank.v1.agent.tool.completed"),
    ("PreToolUse", "bloodbank.v1.agent.tool.requested"),
    ("SessionEnd", "bloodbank.v1.agent.session.ended"),
    ("SessionStart", "bloodbank.v1.agent.session.started"),
    ("Stop", "bloodbank.v1.conversation.turn.completed"),
    ("SubagentStop", "bloodbank.v1.agent.invocation.completed"),
    ("UserPromptSubmit", "bloodbank.v1.conversation.turn.started"),
];

/// A user configured like Bloodbank's own hook: `BLOODBANK_ENABLED=true` and the
/// server's host and port.
fn user_of(nats: &NatsServer, tag: &str) -> TestEnv {
    let mut env = TestEnv::new(tag);
    env.set_env("BLOODBANK_ENABLED", "true");
    env.set_env("BLOODBANK_NATS_HOST", "127.0.0.1");
    env.set_env("BLOODBANK_NATS_PORT", &nats.port.to_string());
    env
}

fn stored(nats: &NatsServer) -> Vec<Stored> {
    nats.client(json!({})).stored()
}

/// The spooled (not yet delivered) envelopes of the bloodbank backend.
fn spooled(env: &TestEnv) -> Vec<Value> {
    crate::testenv::spool::raw_spool_lines(env, "bloodbank")
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .collect()
}

#[test]
fn every_mapped_fixture_is_stored_once_on_its_contract_subject() {
    let nats = NatsServer::start("all", &[]);
    nats.create_bloodbank_stream(json!({}));
    let env = user_of(&nats, "bbn-all");
    for (name, line) in fixtures() {
        let out = env.hook(&line);
        assert_exit(&out, 0);
        assert_eq!(stderr(&out), "", "{name}: delivered without a word");
        assert_eq!(stdout(&out), "", "{name}");
    }
    let msgs = stored(&nats);
    let mut types: Vec<String> = msgs
        .iter()
        .map(|m| {
            let ce = m.json();
            let kind = ce["type"].as_str().unwrap().to_string();
            assert_eq!(
                m.subject,
                kind.replace("bloodbank.v1.", "bloodbank.evt.v1."),
                "subject = evt form of the type"
            );
            assert_eq!(ce["subject"], m.subject.as_str());
            assert_eq!(
                m.header("Nats-Msg-Id").as_deref(),
                ce["id"].as_str(),
                "the event id is the JetStream message id"
            );
            assert_eq!(ce["source"], "urn:33god:agent:claude-code");
            assert_eq!(ce["kind"], "event");
            assert_eq!(ce["actor"]["agent_id"], "bloodbank.agent.claude");
            kind
        })
        .collect();
    assert_eq!(msgs.len(), MAPPED.len(), "each mapped fixture stored once");
    types.sort();
    let mut want: Vec<String> = MAPPED.iter().map(|(_, t)| t.to_string()).collect();
    want.sort();
    assert_eq!(types, want);
    // Claude Code's own session id, not a private one.
    for m in &msgs {
        let ce = m.json();
        let sid = ce["correlationid"].as_str().unwrap();
        assert_eq!(sid.len(), 36, "{ce}");
        assert!(ce["ordering_key"].as_str().unwrap().ends_with(sid));
    }
    let ids: std::collections::HashSet<String> = msgs
        .iter()
        .map(|m| m.json()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), msgs.len(), "one id per event");
    let failure = msgs
        .iter()
        .map(Stored::json)
        .find(|ce| ce["data"]["error_message"].is_string())
        .expect("the failed tool call");
    assert_eq!(failure["data"]["outcome"], "error");
    assert!(env.kept().is_empty(), "the local sink is off");
    assert!(spooled(&env).is_empty(), "nothing left to deliver");
}

#[test]
fn an_outage_is_spooled_and_delivered_once_and_a_replay_is_not_stored_twice() {
    let mut nats = NatsServer::start("outage", &[]);
    nats.create_bloodbank_stream(json!({}));
    let env = user_of(&nats, "bbn-outage");
    nats.stop();

    let out = env.hook(&fixture_line("PostToolUse"));
    assert_exit(&out, 0);
    assert_stderr_has(&out, "connection refused");
    let waiting = spooled(&env);
    assert_eq!(waiting.len(), 1, "kept for later");
    let id = waiting[0]["envelope"]["id"].as_str().unwrap().to_string();

    nats.restart();
    // The spool as a kill between the PubAck and the cursor's save leaves it.
    let before = TempDir::new("bbn-spool-copy");
    copy_dir(&spool_dir(&env, "bloodbank"), before.path());

    run_ok(&env, &["flush"]);
    let msgs = stored(&nats);
    assert_eq!(msgs.len(), 1, "delivered once after the outage");
    assert_eq!(msgs[0].header("Nats-Msg-Id").as_deref(), Some(id.as_str()));
    assert_eq!(msgs[0].json()["id"], id.as_str());

    // Replay the same line again: JetStream answers `duplicate`, stores nothing,
    // and the event counts as delivered (the spool drains).
    let dir = spool_dir(&env, "bloodbank");
    std::fs::remove_dir_all(&dir).unwrap();
    copy_dir(before.path(), &dir);
    assert_eq!(spooled_tags(&env, "bloodbank").len(), 1, "pending again");
    let out = run_ok(&env, &["flush"]);
    assert_eq!(
        stored(&nats).len(),
        1,
        "a replayed event is not stored twice: {}",
        stderr(&out)
    );
    assert_eq!(
        spooled_tags(&env, "bloodbank"),
        Vec::<String>::new(),
        "JetStream's `duplicate` PubAck counts as delivered: {}",
        stderr(&out)
    );
}

#[test]
fn no_stream_for_the_subject_is_kept_and_delivered_once_the_stream_exists() {
    // Bloodbank's own hook sees "success" here (core NATS drops the message).
    let nats = NatsServer::start("nostream", &[]);
    let env = user_of(&nats, "bbn-nostream");
    let out = env.hook(&fixture_line("SessionStart"));
    assert_exit(&out, 0);
    assert_stderr_has(&out, "no responders");
    assert_stderr_has(&out, "BLOODBANK_EVENTS");
    assert_stderr_has(&out, "`bloodbank.evt.v1.agent.session.started`");
    assert_eq!(spooled(&env).len(), 1);

    nats.create_bloodbank_stream(json!({}));
    run_ok(&env, &["flush"]);
    let msgs = stored(&nats);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].subject, "bloodbank.evt.v1.agent.session.started");
}

#[test]
fn a_server_that_never_acknowledges_is_abandoned_at_the_deadline_and_replayed() {
    let nats = NatsServer::start("hang", &[]);
    nats.create_bloodbank_stream(json!({}));
    let env = user_of(&nats, "bbn-hang");
    env.write_config(&json!({"delivery": {"deadline_ms": 400}}));
    nats.freeze(true);
    let started = std::time::Instant::now();
    let out = env.hook(&fixture_line("PreToolUse"));
    let took = started.elapsed();
    nats.freeze(false);
    assert_exit(&out, 0);
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    assert_stderr_has(&out, "deadline");
    assert_eq!(spooled(&env).len(), 1, "kept for later");
    run_ok(&env, &["flush"]);
    let msgs = stored(&nats);
    assert_eq!(msgs.len(), 1, "delivered once");
    assert_eq!(msgs[0].subject, "bloodbank.evt.v1.agent.tool.requested");
}

#[test]
fn a_token_from_the_config_file_logs_in_and_a_wrong_one_is_kept() {
    let nats = NatsServer::start("auth", &["--auth", "s3cret-nats-token"]);
    nats.create_bloodbank_stream(json!({"auth_token": "s3cret-nats-token"}));
    let env = TestEnv::new("bbn-auth");
    env.write_config(&json!({"backends": {"bloodbank": {
        "url": nats.url(), "token": "wrong-token"
    }}}));
    let out = env.hook(&fixture_line("Stop"));
    assert_exit(&out, 0);
    assert_stderr_has(&out, "refused the login");
    assert!(!stderr(&out).contains("wrong-token"), "{}", stderr(&out));
    assert_eq!(spooled(&env).len(), 1);

    env.write_config(&json!({"backends": {"bloodbank": {
        "url": nats.url(), "token": "${NATS_TOKEN_FOR_TEST}"
    }}}));
    let mut env = env;
    env.set_env("NATS_TOKEN_FOR_TEST", "s3cret-nats-token");
    run_ok(&env, &["flush"]);
    let msgs = nats
        .client(json!({"auth_token": "s3cret-nats-token"}))
        .stored();
    assert_eq!(msgs.len(), 1);
    assert_eq!(
        msgs[0].subject,
        "bloodbank.evt.v1.conversation.turn.completed"
    );
}

#[test]
fn an_event_over_max_payload_is_shrunk_to_fit_not_refused() {
    let dir = TempDir::new("bbn-conf");
    let conf = dir.path().join("nats.conf");
    std::fs::write(&conf, "max_payload: 65536\n").unwrap();
    let nats = NatsServer::start("payload", &["-c", conf.to_str().unwrap()]);
    nats.create_bloodbank_stream(json!({}));
    let env = user_of(&nats, "bbn-payload");
    let mut input = fixture("UserPromptSubmit");
    input["prompt"] = json!(format!("start {} end", "word ".repeat(40_000)));
    let out = env.hook(&serde_json::to_vec(&input).unwrap());
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "");
    let msgs = stored(&nats);
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].data.len() <= 65536, "{}", msgs[0].data.len());
    let text = msgs[0].json()["data"]["prompt_text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.starts_with("start word") && text.contains("[truncated"),
        "{text:.80}"
    );
}

#[test]
fn a_tls_server_is_reached_with_its_ca_file_and_without_it_the_event_is_held() {
    let nats = NatsServer::start_tls("tls", &[]);
    nats.create_bloodbank_stream(json!({}));
    let ca = nats.ca.clone().unwrap();
    // A plain nats:// URL: the server's INFO requires TLS, so hookrelay
    // upgrades; its throwaway CA is in no public root store.
    let env = TestEnv::new("bbn-tls");
    env.write_config(&json!({"backends": {"bloodbank": {"url": nats.url()}}}));
    let out = env.hook(&fixture_line("SessionStart"));
    assert_exit(&out, 0);
    assert_stderr_has(&out, "TLS handshake failed");
    assert_stderr_has(&out, "backends.bloodbank.tls.ca_file");
    assert_stderr_has(&out, "bloodbank: held:");
    assert_eq!(spooled(&env).len(), 1, "held, not dead-lettered");
    assert!(stored(&nats).is_empty());

    // With the CA (and a tls:// URL by name, as the certificate says).
    env.write_config(&json!({"backends": {"bloodbank": {
        "url": format!("tls://localhost:{}", nats.port),
        "tls": {"ca_file": ca.to_str().unwrap()}
    }}}));
    run_ok(&env, &["flush"]);
    let out = env.hook(&fixture_line("Stop"));
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "", "delivered over TLS without a word");
    let msgs = stored(&nats);
    let subjects: Vec<&str> = msgs.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "bloodbank.evt.v1.agent.session.started",
            "bloodbank.evt.v1.conversation.turn.completed"
        ],
        "the held event once, then the new one"
    );
    assert!(spooled(&env).is_empty());
}

#[test]
fn tls_asked_of_a_plain_server_is_held_naming_the_setting() {
    let nats = NatsServer::start("notls", &[]);
    nats.create_bloodbank_stream(json!({}));
    let env = TestEnv::new("bbn-notls");
    env.write_config(&json!({"backends": {"bloodbank": {"url": nats.url(), "tls": true}}}));
    let out = env.hook(&fixture_line("SessionStart"));
    assert_exit(&out, 0);
    assert_stderr_has(&out, "does not offer TLS");
    assert_stderr_has(&out, "bloodbank: held:");
    assert_eq!(spooled(&env).len(), 1);
    assert!(stored(&nats).is_empty(), "nothing sent in clear text");
}

#[test]
fn unreadable_tls_and_login_files_are_config_errors_naming_the_field() {
    let env = TestEnv::new("bbn-badfiles");
    let dir = TempDir::new("bbn-badfiles-x");
    let missing = dir.path().join("missing.pem");
    env.write_config(&json!({"backends": {"bloodbank": {
        "url": "nats://127.0.0.1:4222", "tls": {"ca_file": missing.to_str().unwrap()}
    }}}));
    let out = env.hook(&fixture_line("SessionStart"));
    assert_exit(&out, 1);
    assert_stderr_has(&out, "backends.bloodbank.tls.ca_file: cannot read");
    assert_eq!(env.kept().len(), 1, "kept locally meanwhile");

    let seed_file = dir.path().join("user.nk");
    std::fs::write(&seed_file, "SUAXXXXNOTASEEDXXXX\n").unwrap();
    env.write_config(&json!({"backends": {"bloodbank": {
        "url": "nats://127.0.0.1:4222", "seed_file": seed_file.to_str().unwrap()
    }}}));
    let out = env.hook(&fixture_line("SessionStart"));
    assert_exit(&out, 1);
    assert_stderr_has(&out, "backends.bloodbank.seed_file: the seed is not");
    assert!(!stderr(&out).contains("SUAXXXX"), "{}", stderr(&out));
}

/// A fresh NKey user: (seed, public key).
fn new_nkey_user() -> (String, String) {
    let mut raw = [0u8; 32];
    getrandom::getrandom(&mut raw).unwrap();
    let seed = hookrelay::backends::bloodbank::nkey::UserKey::seed_text(&raw);
    let public = hookrelay::backends::bloodbank::nkey::UserKey::from_seed(&seed)
        .unwrap()
        .public_key();
    (seed, public)
}

#[test]
fn an_nkey_user_logs_in_with_its_seed_file_and_a_wrong_seed_is_kept() {
    let (seed, public) = new_nkey_user();
    let (other_seed, _) = new_nkey_user();
    let dir = TempDir::new("bbn-nkey-conf");
    let conf = dir.path().join("nats.conf");
    std::fs::write(
        &conf,
        format!(
            "authorization {{ users = [ {{ nkey: \"{public}\" }}, {{ user: admin, password: adminpw }} ] }}\n"
        ),
    )
    .unwrap();
    let nats = NatsServer::start("nkey", &["-c", conf.to_str().unwrap()]);
    let admin = json!({"user": "admin", "pass": "adminpw"});
    nats.create_bloodbank_stream(admin.clone());

    let env = TestEnv::new("bbn-nkey");
    let seed_file = dir.path().join("user.nk");
    std::fs::write(&seed_file, format!("{other_seed}\n")).unwrap();
    let config = json!({"backends": {"bloodbank": {
        "url": nats.url(), "seed_file": seed_file.to_str().unwrap()
    }}});
    env.write_config(&config);
    let out = env.hook(&fixture_line("UserPromptSubmit"));
    assert_exit(&out, 0);
    assert_stderr_has(&out, "refused the login");
    assert!(!stderr(&out).contains(&other_seed), "{}", stderr(&out));
    assert_eq!(spooled(&env).len(), 1);

    std::fs::write(&seed_file, format!("{seed}\n")).unwrap();
    run_ok(&env, &["flush"]);
    let msgs = nats.client(admin).stored();
    assert_eq!(msgs.len(), 1, "delivered once with the right seed");
    assert_eq!(
        msgs[0].subject,
        "bloodbank.evt.v1.conversation.turn.started"
    );
    assert!(spooled(&env).is_empty());
}

#[test]
fn a_creds_file_logs_in_in_operator_mode() {
    // Operator mode as nsc sets it up, made in the test: operator, account
    // (with JetStream) and user JWTs in a memory resolver; the user's .creds.
    let dir = TempDir::new("bbn-creds-conf");
    let (conf, creds, login) = crate::testenv::nats::operator_mode(dir.path());
    let nats = NatsServer::start("creds", &["-c", conf.to_str().unwrap()]);
    nats.create_bloodbank_stream(login.clone());

    let env = TestEnv::new("bbn-creds");
    env.write_config(&json!({"backends": {"bloodbank": {
        "url": nats.url(), "creds": creds.to_str().unwrap()
    }}}));
    let out = env.hook(&fixture_line("SessionEnd"));
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "", "delivered with the .creds login");
    let msgs = nats.client(login).stored();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].subject, "bloodbank.evt.v1.agent.session.ended");

    // Without a login the operator-mode server refuses, and the event is kept.
    env.write_config(&json!({"backends": {"bloodbank": {"url": nats.url()}}}));
    let out = env.hook(&fixture_line("SessionStart"));
    assert_stderr_has(&out, "refused the login");
    assert_eq!(spooled(&env).len(), 1);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
