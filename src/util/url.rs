//! The one form of a URL that hookrelay prints or stores (messages, `status`,
//! `doctor`, breaker and spool files, `git.remote`): scheme, host, port and the
//! shape of the path. Credentials go (`user:password@`), query and fragment values
//! become `***`, and path segments that look like tokens (Slack/Discord-style
//! webhook secrets, long random ids) become `***`. Text only: no parsing beyond
//! finding the parts, so it works on URLs that do not parse (the ones worth a
//! message).

/// What hides a masked value or path segment.
pub const MASK: &str = "***";

/// The printable, storable form of `url` (see the module doc). Over ssh a user name
/// without a password is kept (an account, not a secret: `ssh://git@host/x`,
/// `git@github.com:acme/x.git`); on every other scheme the whole userinfo goes.
pub fn display(url: &str) -> String {
    let url = strip_userinfo(url, SshUser::Keep);
    // Where the path starts: after the authority of `scheme://authority`, after
    // the `host:` of scp-like `user@host:path`, else at the start.
    // A local path (`/srv/git/x.git`, `file:///tmp/x`) is not a URL that can
    // carry a token: it comes back as it is, whatever its directory names.
    let path_start = match url.find("://") {
        Some(i) if url[..i].eq_ignore_ascii_case("file") => return url,
        Some(i) => {
            let rest = &url[i + 3..];
            i + 3 + rest.find(['/', '?', '#']).unwrap_or(rest.len())
        }
        None => match scp_path_start(&url) {
            Some(start) => start,
            None => return url,
        },
    };
    let (head, tail) = url.split_at(path_start);
    let (before_fragment, fragment) = match tail.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (tail, None),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (before_fragment, None),
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(head);
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(if token_like(seg) { MASK } else { seg });
    }
    if let Some(q) = query {
        out.push('?');
        out.push_str(&mask_values(q));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&mask_values(f));
    }
    out
}

/// `text` with every `scheme://…` URL in it shown as `display` shows it: for
/// messages that may quote a URL (transport errors, answers, config errors).
pub fn mask_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let scheme_start = rest[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+.-".contains(c)))
            .map_or(0, |j| j + 1);
        let len = rest[i..]
            .find(|c: char| c.is_whitespace() || "\"'`<>()[]{}".contains(c))
            .unwrap_or(rest.len() - i);
        let mut end = i + len;
        // Sentence punctuation after a URL is not part of it.
        while end > i + 3 && rest[..end].ends_with(['.', ',', ';', ':', '!']) {
            end -= 1;
        }
        out.push_str(&rest[..scheme_start]);
        out.push_str(&display(&rest[scheme_start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `text` with every URL masked (`mask_urls`) and every secret part of `url` (its
/// userinfo, query values and token-like path segments) replaced by `***` wherever
/// it appears, also without the URL around it (a server echoing the path it was
/// asked for). For messages about a request to `url`.
pub fn scrub(text: &str, url: &str) -> String {
    let mut out = mask_urls(text);
    for secret in secret_parts(url) {
        if out.contains(secret) {
            out = out.replace(secret, MASK);
        }
    }
    out
}

/// The parts of `url` that `display` hides, longest first (so a part that
/// contains another goes whole). Too short to be worth hiding: left out.
fn secret_parts(url: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let Some(i) = url.find("://") else {
        return parts;
    };
    let rest = &url[i + 3..];
    let auth_end = rest.find('/').unwrap_or(rest.len());
    let after_auth = match rest[..auth_end].rfind('@') {
        Some(at) => {
            parts.extend(rest[..at].split(':').filter(|p| p.len() >= 4));
            &rest[at + 1..]
        }
        None => rest,
    };
    let tail = &after_auth[after_auth.find(['/', '?', '#']).unwrap_or(after_auth.len())..];
    let (before_fragment, fragment) = tail.split_once('#').unwrap_or((tail, ""));
    let (path, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    parts.extend(path.split('/').filter(|s| token_like(s)));
    for item in query.split('&').chain(fragment.split('&')) {
        match item.split_once('=') {
            Some((_, v)) if v.len() >= 6 => parts.push(v),
            None if token_like(item) => parts.push(item),
            _ => {}
        }
    }
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    parts
}

/// `scp`-like git remotes (`[user@]host:path`, no `://`): where the path starts.
/// As git decides: a `/` before the first `:` makes it a local path.
fn scp_path_start(url: &str) -> Option<usize> {
    let colon = url.find(':')?;
    let host = &url[..colon];
    (!host.is_empty() && !host.contains(['/', '\\'])).then_some(colon + 1)
}

/// `a=1&b=2` -> `a=***&b=***`; a bare item stays unless it looks like a token.
fn mask_values(q: &str) -> String {
    q.split('&')
        .map(|item| match item.split_once('=') {
            Some((k, v)) if !v.is_empty() => format!("{k}={MASK}"),
            Some(_) => item.to_string(),
            None if token_like(item) => MASK.to_string(),
            None => item.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A path segment that may be a secret: at least 16 characters of a token's
/// alphabet that are not a readable slug. A slug is words and numbers joined by
/// `-`, `_` or `.` (`project-2024-redesign.git`, `claude-code`), each part in
/// one case or all digits; random tokens mix letters and digits, or cases,
/// within one run (`T0123ABCD/B0456/xYz9…`, UUIDs, Discord tokens).
fn token_like(seg: &str) -> bool {
    if seg.len() < 16
        || !seg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~+=%".contains(&b))
    {
        return false;
    }
    let slug_part = |p: &str| {
        p.bytes().all(|b| b.is_ascii_digit())
            || p.bytes().all(|b| b.is_ascii_lowercase())
            || p.bytes().all(|b| b.is_ascii_uppercase())
            || is_word(p)
    };
    !seg.split(['-', '_', '.', '~']).all(slug_part)
}

/// A capitalised word (`Readme`, `Project`): upper case first, lower case after.
fn is_word(p: &str) -> bool {
    let mut b = p.bytes();
    b.next().is_some_and(|c| c.is_ascii_uppercase()) && b.all(|c| c.is_ascii_lowercase())
}

/// What happens to a user name with no password on an ssh URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SshUser {
    /// Kept (`ssh://git@host/x`): over ssh it is an account, not a secret, and
    /// says which account a git remote uses. Any password still goes.
    Keep,
    /// Dropped with the rest of the userinfo, as on every other scheme.
    Drop,
}

/// `scheme://user:pw@host/...` -> `scheme://host/...`. The userinfo is whatever
/// precedes the last `@` before the first `/` after `://` (an unescaped `@`, `?` or
/// `#` in a password still hides it all). For http(s) and every other scheme the
/// whole userinfo goes, since a lone "user" there is often a token
/// (`https://ghp_…@github.com/…`); on ssh schemes `ssh_user` decides. Without a
/// scheme, the scp-like `user:secret@host:path` (git) loses the secret and keeps
/// the user; anything else comes back as it is.
pub fn strip_userinfo(url: &str, ssh_user: SshUser) -> String {
    if let Some(i) = url.find("://") {
        let (scheme, rest) = (&url[..i], &url[i + 3..]);
        let end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            let user = rest[..at].split(':').next().unwrap_or("");
            let ssh = scheme.to_ascii_lowercase().contains("ssh");
            let kept = if ssh && ssh_user == SshUser::Keep && !user.is_empty() {
                format!("{user}@")
            } else {
                String::new()
            };
            return format!("{scheme}://{kept}{}", &rest[at + 1..]);
        }
        return url.to_string();
    }
    // scp-like `user@host:path`: a `user:secret@` form loses the secret.
    if let Some(at) = url.find('@') {
        let userinfo = &url[..at];
        if let Some((user, _)) = userinfo.split_once(':')
            && !userinfo.contains('/')
        {
            return format!("{user}{}", &url[at..]);
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_goes_ssh_users_stay_when_asked() {
        let both = [
            ("https://u:p@h.example/x.git", "https://h.example/x.git"),
            ("https://tok@h.example/x", "https://h.example/x"),
            ("http://h.example:9/a@b", "http://h.example:9/a@b"),
            ("me:secret@host.example:x.git", "me@host.example:x.git"),
            ("git@github.com:acme/x.git", "git@github.com:acme/x.git"),
            ("/srv/git/x.git", "/srv/git/x.git"),
        ];
        for (url, want) in both {
            assert_eq!(strip_userinfo(url, SshUser::Keep), want, "{url}");
            assert_eq!(strip_userinfo(url, SshUser::Drop), want, "{url}");
        }
        let ssh = "ssh://git:pw@h.example/x";
        assert_eq!(strip_userinfo(ssh, SshUser::Keep), "ssh://git@h.example/x");
        assert_eq!(strip_userinfo(ssh, SshUser::Drop), "ssh://h.example/x");
        // An unescaped `?` in a password does not end the userinfo.
        assert_eq!(
            strip_userinfo("http://u:p?w@h.example/x", SshUser::Drop),
            "http://h.example/x"
        );
    }

    #[test]
    fn display_keeps_the_shape_and_masks_secrets() {
        let cases = [
            (
                "https://u:p@hooks.example.test:8443/x?token=s3cr3t&v=2#frag=abc",
                "https://hooks.example.test:8443/x?token=***&v=***#frag=***",
            ),
            (
                "https://hooks.slack.example/services/T0123ABCD/B0456EFGH/aB3dE5gH7jK9mN1pQ3sT5vX7",
                "https://hooks.slack.example/services/T0123ABCD/B0456EFGH/***",
            ),
            (
                "https://discord.example/api/webhooks/123456789012345678/Xy9-kL3_mN8pQ2rS7tU1vW6xY0zA4bC5dE",
                "https://discord.example/api/webhooks/123456789012345678/***",
            ),
            (
                "https://gitlab.example/acme/x.git?private_token=glpat-abcdefghij0123456789",
                "https://gitlab.example/acme/x.git?private_token=***",
            ),
            (
                "https://h.example/events/8f14e45f-ceea-467f-a0e6-0123456789ab",
                "https://h.example/events/***",
            ),
            (
                "http://127.0.0.1:9000/ingest",
                "http://127.0.0.1:9000/ingest",
            ),
            (
                "http://127.0.0.1:4800/webhook/claude-code",
                "http://127.0.0.1:4800/webhook/claude-code",
            ),
            (
                "https://github.com/acme/project-2024-redesign.git",
                "https://github.com/acme/project-2024-redesign.git",
            ),
            ("git@github.com:acme/x.git", "git@github.com:acme/x.git"),
            ("ssh://git:pw@h.example/x", "ssh://git@h.example/x"),
            ("https://ghp_tok@h.example/x", "https://h.example/x"),
            ("http://h.example?key=v", "http://h.example?key=***"),
            ("/srv/git/x.git", "/srv/git/x.git"),
            (
                "/tmp/hookrelay-unit-git-submodule-GzFfa8/lib",
                "/tmp/hookrelay-unit-git-submodule-GzFfa8/lib",
            ),
            (
                "file:///tmp/x-GzFfa8Qq91ZZpp00/y",
                "file:///tmp/x-GzFfa8Qq91ZZpp00/y",
            ),
            ("http://h.example/a?flag&x=", "http://h.example/a?flag&x="),
        ];
        for (url, want) in cases {
            assert_eq!(display(url), want, "{url}");
        }
    }

    #[test]
    fn urls_and_their_secrets_are_masked_in_messages() {
        let url =
            "https://bob:pw-fake-1@h.example/hook/T01/aB3dE5gH7jK9mN1pQ3sT5vX7?token=tok-fake-9";
        let msg = format!(
            "{url}: 404 no route /hook/T01/aB3dE5gH7jK9mN1pQ3sT5vX7 (token tok-fake-9), see http://x.example/?a=bcdefg."
        );
        let got = scrub(&msg, url);
        for s in ["pw-fake-1", "aB3dE5gH7jK9", "tok-fake-9", "bcdefg"] {
            assert!(!got.contains(s), "{s} in {got}");
        }
        assert!(
            got.starts_with("https://h.example/hook/T01/***?token=***: 404"),
            "{got}"
        );
        assert!(got.ends_with("see http://x.example/?a=***."), "{got}");
        assert_eq!(mask_urls("no url here"), "no url here");
    }
}
