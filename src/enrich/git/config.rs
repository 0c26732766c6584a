//! A small reader of git's config file: the remote URL (credentials stripped),
//! the object format, `core.bare` and `core.filemode`.

use crate::util::url;

/// One `key = value` of a git config file. Section and key are lowercased (git
/// compares them case-insensitively); the subsection is kept as written.
#[derive(Debug, PartialEq)]
pub(super) struct ConfigEntry {
    section: String,
    subsection: Option<String>,
    key: String,
    value: String,
}

/// A small git-config reader: sections, subsections (`[remote "origin"]` and the
/// old `[remote.origin]`), quoted values, escapes and comments. `include` and
/// `includeIf` are not followed, and continuation lines are not joined.
pub(super) fn parse_config(text: &str) -> Vec<ConfigEntry> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut subsection: Option<String> = None;
    for line in text.lines() {
        let mut rest = line.trim_start();
        if rest.starts_with('[') {
            let Some((name, sub, after)) = parse_section_header(rest) else {
                // A broken header: ignore its keys rather than mis-file them.
                section.clear();
                subsection = None;
                continue;
            };
            section = name;
            subsection = sub;
            rest = after.trim_start();
        }
        if rest.is_empty() || rest.starts_with('#') || rest.starts_with(';') || section.is_empty() {
            continue;
        }
        let key_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        if key.is_empty() {
            continue;
        }
        let after_key = rest[key_end..].trim_start();
        let value = match after_key.strip_prefix('=') {
            Some(v) => parse_value(v),
            // `key` alone means true.
            None => "true".to_string(),
        };
        out.push(ConfigEntry {
            section: section.clone(),
            subsection: subsection.clone(),
            key,
            value,
        });
    }
    out
}

/// `[section "sub"]` or `[section.sub]` -> (section, sub, rest of the line).
fn parse_section_header(line: &str) -> Option<(String, Option<String>, &str)> {
    let inner = &line[1..];
    let name_end = inner.find([' ', '\t', '"', ']'])?;
    let name = &inner[..name_end];
    let mut rest = inner[name_end..].trim_start();
    let mut sub = None;
    if let Some(quoted) = rest.strip_prefix('"') {
        let mut s = String::new();
        let mut chars = quoted.char_indices();
        let mut close = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        s.push(n);
                    }
                }
                '"' => {
                    close = Some(i);
                    break;
                }
                _ => s.push(c),
            }
        }
        rest = quoted[close? + 1..].trim_start();
        sub = Some(s);
    }
    let after = rest.strip_prefix(']')?;
    let (section, sub) = match (name.split_once('.'), sub) {
        (Some((sec, old_sub)), None) => (sec, Some(old_sub.to_ascii_lowercase())),
        (_, sub) => (name, sub),
    };
    if section.is_empty() {
        return None;
    }
    Some((section.to_ascii_lowercase(), sub, after))
}

/// A value after `=`: quotes removed, escapes resolved, trailing comment dropped.
fn parse_value(raw: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    // Whitespace is only kept when something follows it.
    let mut pending_ws = String::new();
    let mut chars = raw.trim_start().chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push_str(&pending_ws);
                pending_ws.clear();
                quoted = !quoted;
            }
            '\\' => {
                out.push_str(&pending_ws);
                pending_ws.clear();
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('b') => {
                        out.pop();
                    }
                    Some(other) => out.push(other),
                    None => {}
                }
            }
            '#' | ';' if !quoted => break,
            c if c.is_whitespace() && !quoted => pending_ws.push(c),
            c => {
                out.push_str(&pending_ws);
                pending_ws.clear();
                out.push(c);
            }
        }
    }
    out
}

pub(super) fn config_value<'a>(
    config: &'a [ConfigEntry],
    section: &str,
    subsection: Option<&str>,
    key: &str,
) -> Option<&'a str> {
    // Last one wins, as in git.
    config
        .iter()
        .rev()
        .find(|e| e.section == section && e.subsection.as_deref() == subsection && e.key == key)
        .map(|e| e.value.as_str())
}

pub(super) fn is_true(v: &str) -> bool {
    ["true", "yes", "on", "1"]
        .iter()
        .any(|t| v.eq_ignore_ascii_case(t))
}

pub(super) fn is_false(v: &str) -> bool {
    ["false", "no", "off", "0", ""]
        .iter()
        .any(|t| v.eq_ignore_ascii_case(t))
}

/// `remote "origin"`'s url, else the first remote's (file order). For a remote with
/// several urls, the first (the one fetched from).
pub(super) fn remote_url(config: &[ConfigEntry]) -> Option<String> {
    let url_of = |e: &&ConfigEntry| e.section == "remote" && e.key == "url" && !e.value.is_empty();
    config
        .iter()
        .filter(url_of)
        .find(|e| e.subsection.as_deref() == Some("origin"))
        .or_else(|| config.iter().find(url_of))
        .map(|e| e.value.clone())
}

/// Removes credentials from a remote URL so a token embedded in it never leaves the
/// machine: `https://user:token@host/x` -> `https://host/x`, query values
/// (`?private_token=***`) and token-like path segments masked. Over ssh the user
/// name is kept (`ssh://git@host/x`), as it is an account, not a secret; any
/// password goes (see `util::url::display`).
pub fn strip_credentials(url: &str) -> String {
    url::display(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_credentials_forms() {
        let cases = [
            ("https://u:p@h.example/x.git", "https://h.example/x.git"),
            ("https://tok@h.example/x", "https://h.example/x"),
            ("http://u:p%40q@h.example:8080/x", "http://h.example:8080/x"),
            ("ssh://git:pw@h.example/x", "ssh://git@h.example/x"),
            ("ssh://git@h.example/x", "ssh://git@h.example/x"),
            ("git@github.com:acme/x.git", "git@github.com:acme/x.git"),
            ("me:secret@host.example:x.git", "me@host.example:x.git"),
            ("/srv/git/x.git", "/srv/git/x.git"),
            ("https://h.example/p@v1", "https://h.example/p@v1"),
            (
                "https://gl.example/acme/x.git?private_token=glpat-Ab3De5Gh7Jk9Mn1Pq3St",
                "https://gl.example/acme/x.git?private_token=***",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(strip_credentials(url), want, "{url}");
        }
    }

    #[test]
    fn config_parser_handles_quotes_comments_and_old_syntax() {
        let c = parse_config(
            "[core]\n\tbare = false ; comment\n[Remote \"Up\"]\n\tURL = \"https://a.example/x y\" # c\n[remote.old]\nurl=/srv/old\n[extensions]\n\tobjectFormat = sha256\n",
        );
        assert_eq!(config_value(&c, "core", None, "bare"), Some("false"));
        assert_eq!(
            config_value(&c, "remote", Some("Up"), "url"),
            Some("https://a.example/x y")
        );
        assert_eq!(
            config_value(&c, "remote", Some("old"), "url"),
            Some("/srv/old")
        );
        assert_eq!(
            config_value(&c, "extensions", None, "objectformat"),
            Some("sha256")
        );
        assert_eq!(remote_url(&c).as_deref(), Some("https://a.example/x y"));
    }
}
