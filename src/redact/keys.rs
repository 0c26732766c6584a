//! Secret-named keys: does a key (JSON key, env var, config key) name a secret, and
//! is the value next to it a real secret or a placeholder, a type or code.

use super::entropy::keyed_value_is_random;
use crate::util::text::contains_bytes as contains;

/// `n` or more of the same character in a row.
pub(super) fn has_run(v: &[u8], n: usize) -> bool {
    v.windows(n).any(|w| w.iter().all(|c| *c == w[0]))
}

/// Does this key (JSON key, env var, config key) name a secret?
/// `GITHUB_TOKEN`, `db_password`, `apiKey`, `AWS_SECRET_ACCESS_KEY`, `x-api-key`,
/// `client_secret`, `Authorization`: yes. `max_tokens`, `token_count`,
/// `secret_name`, `password_file`, `PWD`, `key`: no.
pub(super) fn is_secret_key_name(key: &[u8]) -> bool {
    if key.len() < 3 || key.len() > 64 || !mentions_a_secret_word(key) {
        return false;
    }
    let words = key_words(key);
    let mut n = words.len;
    // Trailing words that do not change what the value is.
    const TRAILERS: [&[u8]; 11] = [
        b"value", b"val", b"base", b"hash", b"b64", b"base64", b"raw", b"plain", b"str", b"string",
        b"hex",
    ];
    while n > 1 {
        let w = words.get(key, n - 1);
        if TRAILERS.iter().any(|t| w.eq_ignore_ascii_case(t)) || w.iter().all(u8::is_ascii_digit) {
            n -= 1;
        } else {
            break;
        }
    }
    if n == 0 {
        return false;
    }
    let last = words.get(key, n - 1);
    let prev = (n >= 2).then(|| words.get(key, n - 2));
    let is = |w: &[u8], set: &[&[u8]]| set.iter().any(|s| w.eq_ignore_ascii_case(s));
    const SECRET_WORDS: [&[u8]; 14] = [
        b"password",
        b"passwd",
        b"passphrase",
        b"secret",
        b"token",
        b"apikey",
        b"apitoken",
        b"authtoken",
        b"accesstoken",
        b"secretkey",
        b"privatekey",
        b"accesskey",
        b"clientsecret",
        b"authorization",
    ];
    const KEY_QUALIFIERS: [&[u8]; 18] = [
        b"api",
        b"account",
        b"access",
        b"secret",
        b"private",
        b"signing",
        b"encryption",
        b"encrypt",
        b"master",
        b"auth",
        b"client",
        b"app",
        b"deploy",
        b"license",
        b"webhook",
        b"session",
        b"hmac",
        b"jwt",
    ];
    if is(last, &SECRET_WORDS) {
        return true;
    }
    // One-word names: `PGPASSWORD`, `WEBHOOKSECRET`, `APITOKEN`.
    const SUFFIXES: [&[u8]; 4] = [b"password", b"passwd", b"secret", b"token"];
    if SUFFIXES
        .iter()
        .any(|s| last.len() > s.len() && last[last.len() - s.len()..].eq_ignore_ascii_case(s))
    {
        return true;
    }
    match prev {
        // `DB_PASS`, `MYSQL_PWD`; alone, `PWD` is the working directory.
        Some(_) if is(last, &[b"pwd", b"pass", b"pw"]) => true,
        Some(p) if last.eq_ignore_ascii_case(b"key") => is(p, &KEY_QUALIFIERS),
        _ => false,
    }
}

/// Every key the rules below accept contains one of these (ignoring case): a
/// cheap first test, since most `key=value` separators in logs and code name
/// no secret (`request_id=`, `"version":`, `Handler.java:42`).
fn mentions_a_secret_word(key: &[u8]) -> bool {
    let at = |i: usize, word: &[u8]| {
        key.len() - i >= word.len() && key[i..i + word.len()].eq_ignore_ascii_case(word)
    };
    (0..key.len()).any(|i| match key[i].to_ascii_lowercase() {
        b'p' => at(i, b"pw") || at(i, b"pass"),
        b's' => at(i, b"secret"),
        b't' => at(i, b"token"),
        b'k' => at(i, b"key"),
        b'a' => at(i, b"authorization"),
        _ => false,
    })
}

/// Two or more words, one of them a credential word: `AWSAccessKeyId`,
/// `aws_secret_access_key`, `API_TOKEN_NAME` (the name of a field, not a value).
pub(super) fn names_a_credential_field(v: &[u8]) -> bool {
    if v.len() > 64 {
        return false;
    }
    let words = key_words(v);
    const WORDS: [&[u8]; 6] = [
        b"key",
        b"secret",
        b"token",
        b"password",
        b"passwd",
        b"credential",
    ];
    words.len >= 2
        && (0..words.len).any(|i| {
            let w = words.get(v, i);
            WORDS.iter().any(|x| w.eq_ignore_ascii_case(x))
        })
}

/// Up to 8 word spans of a key, split at `_ - . ` and camelCase humps
/// (`APIKey` -> `API`, `Key`), without allocating. Longer keys keep the last 8.
struct Words {
    spans: [(u8, u8); 8],
    len: usize,
}

impl Words {
    fn get<'k>(&self, key: &'k [u8], i: usize) -> &'k [u8] {
        let (s, e) = self.spans[i];
        &key[s as usize..e as usize]
    }
}

fn key_words(key: &[u8]) -> Words {
    let mut w = Words {
        spans: [(0, 0); 8],
        len: 0,
    };
    let mut push = |s: usize, e: usize| {
        if e > s {
            if w.len == 8 {
                w.spans.copy_within(1.., 0);
                w.len = 7;
            }
            w.spans[w.len] = (s as u8, e as u8);
            w.len += 1;
        }
    };
    let mut start = 0;
    for i in 0..key.len() {
        let c = key[i];
        if !c.is_ascii_alphanumeric() {
            push(start, i);
            start = i + 1;
            continue;
        }
        if i > start && c.is_ascii_uppercase() {
            let p = key[i - 1];
            let next_lower = key.get(i + 1).is_some_and(u8::is_ascii_lowercase);
            if p.is_ascii_lowercase()
                || p.is_ascii_digit()
                || (p.is_ascii_uppercase() && next_lower)
            {
                push(start, i);
                start = i;
            }
        }
    }
    push(start, key.len());
    w
}

pub(super) fn normalise_key(k: &str) -> String {
    k.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Obviously not a real secret: empty, `***`, `xxxx`, `${VAR}`, `$VAR`, `<token>`,
/// `{{ secrets.X }}`, already redacted, or a null-ish word.
pub(super) fn is_placeholder(v: &[u8]) -> bool {
    let v = v.trim_ascii();
    if v.is_empty() || v.iter().all(|c| *c == v[0]) {
        return true;
    }
    if v.starts_with(b"[REDACTED") || v.starts_with(b"{{") || v.starts_with(b"%(") {
        return true;
    }
    // Templates: `{pass}` (format strings), `%s`, `%PASSWORD%`.
    if (v[0] == b'{' && v[v.len() - 1] == b'}') || v[0] == b'%' {
        return true;
    }
    if v[0] == b'$'
        && v.get(1)
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'{' | b'(' | b'_'))
    {
        return true;
    }
    if v[0] == b'<' && v[v.len() - 1] == b'>' {
        return true;
    }
    const NULLISH: [&[u8]; 7] = [
        b"null",
        b"none",
        b"nil",
        b"undefined",
        b"true",
        b"false",
        b"redacted",
    ];
    // `username:password@`, `password=secret`: documentation examples.
    const EXAMPLES: [&[u8]; 9] = [
        b"password",
        b"passwd",
        b"pass",
        b"secret",
        b"token",
        b"apikey",
        b"changeme",
        b"example",
        b"value",
    ];
    if NULLISH.iter().any(|w| v.eq_ignore_ascii_case(w))
        || EXAMPLES.iter().any(|w| v.eq_ignore_ascii_case(w))
    {
        return true;
    }
    // Masked or elided: `sk_test_xxxxxxxx`, `ab****yz`, `abc...`.
    if [
        &b"xxxx"[..],
        b"XXXX",
        b"****",
        b"...",
        "\u{2026}".as_bytes(),
    ]
    .iter()
    .any(|m| contains(v, m))
    {
        return true;
    }
    is_placeholder_phrase(v)
}

/// A few plain words, one of them a placeholder marker: `your-api-key`,
/// `insert_token_here`, `development key`, `foo`.
fn is_placeholder_phrase(v: &[u8]) -> bool {
    const MARKERS: [&[u8]; 19] = [
        b"your",
        b"here",
        b"foo",
        b"bar",
        b"baz",
        b"qux",
        b"dummy",
        b"fake",
        b"sample",
        b"placeholder",
        b"insert",
        b"replace",
        b"development",
        b"changeme",
        b"example",
        b"redacted",
        b"todo",
        b"tbd",
        b"fixme",
    ];
    if v.len() > 48
        || !v
            .iter()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, b'-' | b'_' | b' ' | b'.'))
    {
        return false;
    }
    let words = v
        .split(|c| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty());
    let mut n = 0;
    let mut marked = false;
    for w in words {
        n += 1;
        marked |= MARKERS.iter().any(|m| w.eq_ignore_ascii_case(m));
    }
    marked && n <= 5
}

/// Does the line before a key declare it (`let`, `const`, `pub`...)? Then the
/// assignment is code and only a quoted literal is a secret.
pub(super) fn is_declaration(before: &[u8]) -> bool {
    let line = match before.iter().rposition(|c| *c == b'\n') {
        Some(p) => &before[p + 1..],
        None => before,
    };
    let line = line.trim_ascii_end();
    let word_start = line
        .iter()
        .rposition(|c| !c.is_ascii_alphanumeric())
        .map_or(0, |p| p + 1);
    const DECL: [&[u8]; 14] = [
        b"let",
        b"mut",
        b"const",
        b"var",
        b"val",
        b"pub",
        b"my",
        b"auto",
        b"static",
        b"final",
        b"private",
        b"public",
        b"protected",
        b"readonly",
    ];
    DECL.contains(&&line[word_start..])
}

/// A bare value that is code, not a credential: `getpass()`, `self.password`,
/// `os.environ[...]`, `String`, `Option`, `str`, `&str`, `db_password`.
pub(super) fn looks_like_code(v: &[u8], key: &[u8]) -> bool {
    if matches!(
        v[0],
        b'&' | b'*' | b'@' | b'%' | b'$' | b'{' | b'(' | b'[' | b'!'
    ) || v.iter().any(|c| matches!(c, b'(' | b'[' | b'{'))
        || contains(v, b"::")
        || v.starts_with(b"0x")
        // `token = 1*tchar`: a grammar (ABNF) repetition.
        || (v.len() > 2 && v[0].is_ascii_digit() && v[1] == b'*')
    {
        return true;
    }
    // `our_key_share`, `shared_secret`: a snake_case variable (of words, not
    // `shippo_live_aaaaaaaaaaaaaaaaaaaaaaaa`).
    if v.contains(&b'_')
        && v.iter().all(|c| c.is_ascii_lowercase() || *c == b'_')
        && v.split(|c| *c == b'_')
            .all(|w| w.len() <= 20 && !has_run(w, 4))
    {
        return true;
    }
    // `axios.CancelToken = CancelToken$1`: a value named after the key.
    let last = key.rsplit(|c| *c == b'.').next().unwrap_or(key);
    let ident = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$');
    if last.len() >= 4
        && v.iter().all(ident)
        && v.windows(last.len()).any(|w| w.eq_ignore_ascii_case(last))
    {
        return true;
    }
    const TYPES: [&[u8]; 17] = [
        b"string",
        b"str",
        b"number",
        b"int",
        b"integer",
        b"bool",
        b"boolean",
        b"any",
        b"object",
        b"bytes",
        b"text",
        b"varchar",
        b"optional",
        b"required",
        b"secretstr",
        b"unknown",
        b"never",
    ];
    const KEYWORDS: [&[u8]; 17] = [
        b"await",
        b"new",
        b"async",
        b"function",
        b"yield",
        b"lambda",
        b"return",
        b"typeof",
        b"const",
        b"let",
        b"var",
        b"static",
        b"self",
        b"this",
        b"super",
        b"read",
        b"write",
    ];
    if TYPES.iter().any(|t| v.eq_ignore_ascii_case(t))
        || KEYWORDS.contains(&v)
        || v.eq_ignore_ascii_case(key)
    {
        return true;
    }
    let ident = v
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'));
    let digits = v.iter().any(u8::is_ascii_digit);
    // `String`, `SecretString`, `None`: a type or constant name (not random
    // letters: `SSVmFDNCFfOHKXQAEckx`).
    if v[0].is_ascii_uppercase()
        && v.iter().all(u8::is_ascii_alphabetic)
        && v.len() > 3
        && !keyed_value_is_random(v)
    {
        let lower_rest = v[1..].iter().any(u8::is_ascii_lowercase);
        if lower_rest {
            return true;
        }
    }
    // `self.password`, `config.api_key`, `process.env.TOKEN`.
    if ident && !digits && v.contains(&b'.') && v[0].is_ascii_alphabetic() {
        return true;
    }
    // `db_password`, `api_token_var`: a variable named after the secret.
    if ident && (v.contains(&b'_') || v.contains(&b'.')) && is_secret_key_name(v) {
        return true;
    }
    false
}

/// Is `key` one of the user's extra secret keys (`redaction.keys`, normalised)?
pub(super) fn is_user_key(user_keys: &[String], key: &[u8]) -> bool {
    !user_keys.is_empty() && {
        let n = normalise_key(&String::from_utf8_lossy(key));
        user_keys.contains(&n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_key_names() {
        for k in [
            "password",
            "DB_PASSWORD",
            "passwd",
            "GITHUB_TOKEN",
            "token",
            "apiKey",
            "api_key",
            "x-api-key",
            "APIKey",
            "AWS_SECRET_ACCESS_KEY",
            "AWSSecretAccessKey",
            "client_secret",
            "Authorization",
            "accessToken",
            "refresh_token",
            "SECRET_KEY_BASE",
            "password_hash",
            "DB_PASS",
            "MYSQL_PWD",
            "secret",
            "private_key",
            "signingKey",
            "TOKEN_2",
        ] {
            assert!(is_secret_key_name(k.as_bytes()), "{k} names a secret");
        }
        for k in [
            "max_tokens",
            "token_count",
            "tokens",
            "input_tokens",
            "tokenizer",
            "secret_name",
            "password_file",
            "PWD",
            "OLDPWD",
            "key",
            "public_key",
            "primary_key",
            "session_id",
            "tool_use_id",
            "keyboard",
            "passthrough",
            "context_tokens",
            "bypass",
            "cache_key",
            "token_type",
            "ssh_key_path",
        ] {
            assert!(
                !is_secret_key_name(k.as_bytes()),
                "{k} does not name a secret"
            );
        }
    }
}
