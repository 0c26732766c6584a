//! Backend URLs: checking a configured URL once, recognising loopback hosts, and
//! the form of a URL that may be printed or stored (no credentials).

/// Checks that `url` is an absolute http(s) URL with a host. `field` names the
/// setting in messages (`backends.chroma.endpoint`, `$ZO_EVENT_ENDPOINT`).
pub fn check_url(field: &str, url: &str) -> Result<ureq::http::Uri, String> {
    let shown = redact_userinfo(url);
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e| format!("{field}: `{shown}` is not a valid URL ({e})"))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        Some(other) => {
            return Err(format!(
                "{field}: `{shown}` uses `{other}`; only http:// and https:// are supported"
            ));
        }
        None => {
            return Err(format!(
                "{field}: `{shown}` has no scheme; write it as http://host:port/..."
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("{field}: `{shown}` has no host"));
    }
    // The parser keeps any text after the host's `:`; a port must be a number.
    let authority = uri.authority().map_or("", |a| a.as_str());
    let after_host = authority.rsplit(']').next().unwrap_or(authority);
    if let Some((_, port)) = after_host.rsplit_once(':')
        && port.parse::<u16>().is_err()
    {
        return Err(format!("{field}: `{shown}` has an invalid port `{port}`"));
    }
    Ok(uri)
}

/// Is this host the local machine (where plain http cannot be sniffed)?
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Warns when a credential would cross the network in the clear.
pub fn warn_plain_http(field: &str, uri: &ureq::http::Uri, what: &str, warnings: &mut Vec<String>) {
    let host = uri.host().unwrap_or("");
    if uri.scheme_str() == Some("http") && !is_loopback(host) {
        warnings.push(format!(
            "{field}: the {what} is sent over plain http to {host}; anyone on the path can read it (use https)"
        ));
    }
}

/// `scheme://user:pass@host/...` -> `scheme://host/...` for messages.
pub fn redact_userinfo(url: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let host_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..host_end].rfind('@') {
            return format!("{}{}", &url[..scheme_end + 3], &rest[at + 1..]);
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_carry_url_credentials() {
        assert_eq!(
            redact_userinfo("https://bob:hunter2@example.test:8443/x"),
            "https://example.test:8443/x"
        );
        assert_eq!(
            redact_userinfo("http://127.0.0.1:9/a@b"),
            "http://127.0.0.1:9/a@b"
        );
    }

    #[test]
    fn urls_are_checked_and_named() {
        assert!(check_url("f", "http://127.0.0.1:4800/x").is_ok());
        assert!(check_url("f", "https://[::1]:8443/x").is_ok());
        assert!(check_url("f", "http://h/x").is_ok());
        let e = check_url("$ORGLOOP_PORT", "http://127.0.0.1:abc/x").unwrap_err();
        assert!(e.starts_with("$ORGLOOP_PORT:") && e.contains("port"), "{e}");
        assert!(
            check_url("f", "localhost:8682")
                .unwrap_err()
                .contains("scheme")
        );
        assert!(check_url("f", "ftp://h/x").unwrap_err().contains("ftp"));
        let e = check_url("f", "http://u:pw-fake@/x").unwrap_err();
        assert!(!e.contains("pw-fake"), "{e}");
    }

    #[test]
    fn loopback_hosts() {
        for h in ["localhost", "127.0.0.1", "127.1.2.3", "[::1]", "::1"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["10.0.0.1", "example.test", "localhost.example.test"] {
            assert!(!is_loopback(h), "{h}");
        }
    }
}
