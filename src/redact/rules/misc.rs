//! Key files and credentials of tools rather than vendors: PuTTY and SSH2
//! (ssh.com) private keys, WireGuard keys, `.netrc` lines, kubeconfig client
//! keys, Docker `config.json` auths, and passwords given on a command line
//! (`sshpass -p`, `keytool -storepass`, `openssl -passin pass:`).
//!
//! PEM blocks (`-----BEGIN … PRIVATE KEY-----`: RSA, EC, DSA, OPENSSH,
//! ENCRYPTED, PGP … PRIVATE KEY BLOCK) are the hand-written scanner's
//! `private_key`; these rules cover the key files that do not use that header.
//! Keywords may be an inner piece of the literal (see `ai.rs`: rare byte pairs
//! keep the keyword pass cheap).

use super::BuiltinRule;

pub const RULES: &[BuiltinRule] = &[
    // PuTTY .ppk (v2 and v3): the `Private-Lines:` base64 block is the key
    // (the public lines and the comment stay readable).
    BuiltinRule {
        id: "putty_private_key",
        keywords: &["vate-lines:"],
        pattern: r"Private-Lines: *\d+\r?\n((?:[A-Za-z0-9+/=]{4,}(?:\r?\n|\z))+)",
        min_entropy: 0.0,
    },
    // ssh.com / Tectia keys: `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----` to
    // the END line, or to the end of the text when it was cut off.
    BuiltinRule {
        id: "ssh2_private_key",
        keywords: &["ssh2 encrypted private key"],
        pattern: r"(?s)---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----.*?(?:---- END SSH2 ENCRYPTED PRIVATE KEY ----|\z)",
        min_entropy: 0.0,
    },
    // WireGuard `PrivateKey =` / `PresharedKey =`: 32 bytes in base64.
    BuiltinRule {
        id: "wireguard_key",
        keywords: &["vatekey", "sharedkey"],
        pattern: r"(?i:PrivateKey|PresharedKey)\s*=\s*([A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=)",
        min_entropy: 3.5,
    },
    // `.netrc` / `_netrc`: machine <host> login <user> password <password>, on
    // one line; the host has a dot (prose about "machine learning" does not).
    BuiltinRule {
        id: "netrc_password",
        keywords: &["achine"],
        pattern: r"\bmachine\s+[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\s+login\s+\S+\s+password\s+(\S+)",
        min_entropy: 0.0,
    },
    // kubeconfig `client-key-data:` is a base64 PEM private key.
    BuiltinRule {
        id: "kubeconfig_client_key",
        keywords: &["client-key-data"],
        pattern: r#"client-key-data:\s*["']?([A-Za-z0-9+/=]{40,})"#,
        min_entropy: 3.5,
    },
    // Docker `config.json` `"auths": {"<registry>": {"auth": "<base64 user:password>"}}`.
    BuiltinRule {
        id: "docker_config_auth",
        keywords: &["\"auth\""],
        pattern: r#""auth"\s*:\s*"([A-Za-z0-9+/]{16,}={0,2})""#,
        min_entropy: 3.5,
    },
    // Passwords on a command line.
    BuiltinRule {
        id: "sshpass_password",
        keywords: &["sshpass"],
        pattern: r#"\bsshpass\s+-p\s*['"]?([^\s'"]+)"#,
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "keytool_password",
        keywords: &["orepass", "eypass"],
        pattern: r#"\s-(?:src|dest|new)?(?:storepass|keypass)\s+['"]?([^\s'"]+)"#,
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "openssl_password",
        keywords: &["pass:"],
        pattern: r#"\s-pass(?:in|out)?\s+['"]?pass:([^\s'"]+)"#,
        min_entropy: 0.0,
    },
];

/// Every sample of tests/corpus/secrets-ai-saas.tsv through the default
/// Redactor in several placements, ordinary code that uses the same prefixes
/// in non-secret ways, and the multi-line key files at the regex level.
#[cfg(test)]
mod tests {
    use crate::redact::{RedactionConfig, Redactor};

    const CORPUS: &str = include_str!("../../../tests/corpus/secrets-ai-saas.tsv");

    /// The keyed-value and generic high-entropy scanners may name a sample
    /// first when it carries its vendor's name as a key (`VONAGE_API_SECRET …`)
    /// or an `Authorization:` scheme (`Bot …`).
    const KEYED: [&str; 6] = [
        "password_assignment",
        "env_secret",
        "secret_key_value",
        "generic_secret",
        "authorization_header",
        "bearer_token",
    ];

    #[test]
    fn every_corpus_sample_is_redacted_in_every_placement() {
        let r = Redactor::new(&RedactionConfig::default()).unwrap();
        let mut failures = Vec::new();
        let mut n = 0;
        for line in CORPUS.lines().filter(|l| !l.trim().is_empty()) {
            let mut cols = line.splitn(3, '\t');
            let (Some(rule), Some(note), Some(sample)) = (cols.next(), cols.next(), cols.next())
            else {
                panic!("not rule<TAB>note<TAB>sample: {line}");
            };
            n += 1;
            let mut placements = vec![
                sample.to_string(),
                format!("$ ./deploy.sh\nusing {sample} for the upload\ndone"),
                format!("EXPORTED_VALUE={sample}"),
            ];
            if !sample.contains('"') {
                placements.push(format!("{{\"config\": \"{sample}\"}}"));
            }
            for text in placements {
                let (out, fired) = r.redact_str(&text);
                if out.contains(sample) {
                    failures.push(format!("{rule} ({note}): kept in {text:?}"));
                } else if !fired.contains_key(rule) && !KEYED.iter().any(|a| fired.contains_key(*a))
                {
                    failures.push(format!("{rule} ({note}): named {fired:?}"));
                }
            }
        }
        assert!(n >= 150, "{n} samples");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn ordinary_code_with_the_same_prefixes_stays() {
        let code = r#"import re, sklearn
re_match = re.compile(r"^sk-[a-z]+$")
re_split = re.compile("[,;]")
from sklearn import svm  # sk-learn, not a key
pk_id = row["pk_id"]; sk_id = row["sk_id"]
user.pk_user_id = 42
hf_model = "hf_hub_download"
fw_version = read_fw_version("fw_update_bundle.bin")
def test_parse_config_with_defaults(): pass
live_reload = config.get("live_reload_enabled", True)
sandbox_mode = "sandbox_disabled_for_production_builds_only"
key-value store: see key-vault-settings in docs
pa-system-configuration-for-the-main-hall-and-lobby-area-two
access_control_allow_origin_header_name = "Access-Control-Allow-Origin"
const pat = /pattern/; let patterns = [pat, patX];
api-docs, sdk-tools, xai-grok-beta, pplx-online-model
SG.setApiKey(process.env.SENDGRID_API_KEY)
secret_manager_client = SecretManagerServiceClient()
machine learning login flow password reset page
checkout sk_ prefix docs: sk_sbox_ and sk_ followed by the key
session = twilio.Client(account_sid, auth_token)
phc_config = {"host": "https://eu.posthog.com"}
"auth": "required"
Private-Lines: are listed below
"#;
        let r = Redactor::new(&RedactionConfig::default()).unwrap();
        for line in code.lines() {
            let (out, fired) = r.redact_str(line);
            assert_eq!(out, line, "{fired:?}");
        }
    }

    fn rule(id: &str) -> regex_lite::Regex {
        let rule = super::RULES.iter().find(|r| r.id == id).unwrap();
        regex_lite::Regex::new(rule.pattern).unwrap()
    }

    // Multi-line formats: checked on the pattern itself (a keyword window of
    // one line would not see the lines after the header).
    #[test]
    fn putty_private_lines_and_ssh2_blocks_match_whole() {
        let body = "AAAAgQC7mQ3v9b0Lx2R4kFq8pZ1tY6sW3nH5jD0cE7uIo2aKlM4gVfB9yRtXhN8w\nAAAAQQDk2PzJ5vR8cW1xT3hY9nQ6mL0aF7uG4sE2bK8oI5jH1dC3pV9rN6yZ0tXw\n";
        let ppk = format!(
            "PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: made-up\nPublic-Lines: 1\nAAAAB3NzaC1yc2E\nPrivate-Lines: 2\n{body}Private-MAC: 0123abcd\n"
        );
        let m = rule("putty_private_key").captures(&ppk).unwrap();
        assert_eq!(&m[1], body);
        let ssh2 = format!(
            "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"made-up\"\n{body}---- END SSH2 ENCRYPTED PRIVATE KEY ----\nafter"
        );
        let m = rule("ssh2_private_key").find(&ssh2).unwrap();
        assert!(m.as_str().contains(body) && m.as_str().ends_with("----"));
        let cut = format!("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\n{body}");
        assert_eq!(
            rule("ssh2_private_key").find(&cut).unwrap().end(),
            cut.len()
        );
    }
}
