//! Key files and credentials of tools rather than vendors: PuTTY and SSH2
//! (ssh.com) private keys, WireGuard keys, `.netrc` lines, kubeconfig client
//! keys, Docker `config.json` auths, and passwords given on a command line
//! (`sshpass -p`, `keytool -storepass`, `openssl -passin pass:`).
//!
//! PEM blocks (`-----BEGIN … PRIVATE KEY-----`: RSA, EC, DSA, OPENSSH,
//! ENCRYPTED, PGP … PRIVATE KEY BLOCK) are the hand-written scanner's
//! `private_key`; these rules cover the key files that do not use that header.

use super::BuiltinRule;

pub const RULES: &[BuiltinRule] = &[
    // PuTTY .ppk (v2 and v3): the `Private-Lines:` base64 block is the key
    // (the public lines and the comment stay readable).
    BuiltinRule {
        id: "putty_private_key",
        keywords: &["private-lines:"],
        pattern: r"Private-Lines: *\d+\r?\n((?:[A-Za-z0-9+/=]{4,}(?:\r?\n|\z))+)",
        min_entropy: 0.0,
    },
    // ssh.com / Tectia keys: `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----` to
    // the END line, or to the end of the text when it was cut off.
    BuiltinRule {
        id: "ssh2_private_key",
        keywords: &["begin ssh2 encrypted private key"],
        pattern: r"(?s)---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----.*?(?:---- END SSH2 ENCRYPTED PRIVATE KEY ----|\z)",
        min_entropy: 0.0,
    },
    // WireGuard `PrivateKey =` / `PresharedKey =`: 32 bytes in base64.
    BuiltinRule {
        id: "wireguard_key",
        keywords: &["privatekey", "presharedkey"],
        pattern: r"(?i:PrivateKey|PresharedKey)\s*=\s*([A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=)",
        min_entropy: 3.5,
    },
    // `.netrc` / `_netrc`: machine <host> login <user> password <password>.
    BuiltinRule {
        id: "netrc_password",
        keywords: &["machine"],
        pattern: r"\bmachine\s+\S+\s+login\s+\S+\s+password\s+(\S+)",
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
        keywords: &["storepass", "keypass"],
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
