//! Backend URLs: checking a configured URL once, the parts of one `doctor` probes,
//! and recognising loopback hosts. How a URL is printed or stored is
//! `util::url::display` (no credentials, query values or token-like path
//! segments). The one URL parser of the crate is ureq's `Uri`.

use super::Error;
use crate::error::{Problem, Warnings};

/// Checks that `url` is an absolute http(s) URL with a host. `field` names the
/// setting in messages (`backends.chroma.endpoint`, `$ZO_EVENT_ENDPOINT`).
pub fn check_url(field: &str, url: &str) -> Result<ureq::http::Uri, Error> {
    let shown = crate::util::url::display(url);
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e| Error::at(field, format!("`{shown}` is not a valid URL ({e})")))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        Some(other) => {
            return Err(Error::at(field, format!("`{shown}` uses `{other}`"))
                .fix("only http:// and https:// are supported"));
        }
        None => {
            return Err(Error::at(field, format!("`{shown}` has no scheme"))
                .fix("write it as http://host:port/..."));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(Error::at(field, format!("`{shown}` has no host")));
    }
    if let Some(port) = port_text(&uri)
        && port.parse::<u16>().is_err()
    {
        return Err(Error::at(
            field,
            format!("`{shown}` has an invalid port `{port}`"),
        ));
    }
    Ok(uri)
}

/// The text after the host's `:`, if any. The parser keeps whatever is there;
/// a port must be a number, which the caller checks. Credentials (`user:pw@`)
/// are not a port: looking only after the `@` also keeps a password out of the
/// "invalid port" message.
fn port_text(uri: &ureq::http::Uri) -> Option<&str> {
    let authority = uri.authority().map_or("", |a| a.as_str());
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let after_host = host_port.rsplit(']').next().unwrap_or(host_port);
    after_host.rsplit_once(':').map(|(_, port)| port)
}

/// The parts of an http(s) URL that `doctor` probes and judges.
#[derive(Clone, Debug, PartialEq)]
pub struct Url {
    /// `http` or `https`, lower case.
    pub scheme: String,
    /// Without the brackets of an IPv6 literal.
    pub host: String,
    /// The explicit port, else 80 or 443.
    pub port: u16,
    /// Does the URL carry `user[:password]@`?
    pub userinfo: bool,
}

impl Url {
    /// `None` unless `url` is an http(s) URL with a host and a valid port.
    pub fn parse(url: &str) -> Option<Url> {
        let uri: ureq::http::Uri = url.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            "nats" => 4222,
            _ => return None,
        };
        let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return None;
        }
        let port = match port_text(&uri) {
            Some(p) => p.parse().ok()?,
            None => default_port,
        };
        Some(Url {
            host: host.to_string(),
            port,
            userinfo: uri.authority().is_some_and(|a| a.as_str().contains('@')),
            scheme,
        })
    }
}

/// Is this host the local machine (where plain http cannot be sniffed)?
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Is a key or secret (or the URL's own credentials) sent in clear text over the network?
pub fn exposes_secret(u: &Url, sends_secret: bool) -> bool {
    u.scheme == "http" && (sends_secret || u.userinfo) && !is_loopback(&u.host)
}

/// Warns when a credential would cross the network in the clear.
pub fn warn_plain_http(field: &str, uri: &ureq::http::Uri, what: &str, warnings: &mut Warnings) {
    let host = uri.host().unwrap_or("");
    if uri.scheme_str() == Some("http") && !is_loopback(host) {
        warnings.push(
            Problem::new(format!("the {what} is sent over plain http to {host}"))
                .at(field)
                .fix("anyone on the path can read it (use https)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_carry_url_credentials() {
        assert_eq!(
            crate::util::url::display("https://bob:hunter2@example.test:8443/x"),
            "https://example.test:8443/x"
        );
        assert_eq!(
            crate::util::url::display("http://127.0.0.1:9/a@b"),
            "http://127.0.0.1:9/a@b"
        );
        let e = check_url(
            "f",
            "ftp://h.example/hook/aB3dE5gH7jK9mN1pQ3sT5vX7?token=tok-fake",
        )
        .unwrap_err()
        .to_string();
        assert!(
            !e.contains("aB3dE5gH7jK9") && !e.contains("tok-fake"),
            "{e}"
        );
    }

    #[test]
    fn urls_are_checked_and_named() {
        assert!(check_url("f", "http://127.0.0.1:4800/x").is_ok());
        assert!(check_url("f", "https://[::1]:8443/x").is_ok());
        assert!(check_url("f", "http://h/x").is_ok());
        let e = check_url("$ORGLOOP_PORT", "http://127.0.0.1:abc/x")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("$ORGLOOP_PORT:") && e.contains("port"), "{e}");
        assert!(
            check_url("f", "localhost:8682")
                .unwrap_err()
                .to_string()
                .contains("scheme")
        );
        assert!(
            check_url("f", "ftp://h/x")
                .unwrap_err()
                .to_string()
                .contains("ftp")
        );
        let e = check_url("f", "http://u:pw-fake@/x")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("pw-fake"), "{e}");
    }

    #[test]
    fn credentials_are_not_a_port() {
        assert!(check_url("f", "http://u:pw-fake@h.example.test/x").is_ok());
        let e = check_url("f", "http://u:pw-fake@h:x/x")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("invalid port `x`") && !e.contains("pw-fake"),
            "{e}"
        );
        let u = Url::parse("http://u:pw@[::1]:8080/x").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.userinfo), ("::1", 8080, true));
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
