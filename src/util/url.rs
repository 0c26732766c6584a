//! Removing the credentials (`user:password@`) from a URL, so a token written
//! into one is never printed or stored. Text only: no parsing beyond finding the
//! userinfo, so it works on URLs that do not parse (the ones worth a message).

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
}
