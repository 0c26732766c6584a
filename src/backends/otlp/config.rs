//! The `backends.otlp` section and the environment variables that fill it.
//!
//! Claude Code strips `OTEL_*` variables from the processes it starts, hooks
//! included, so hookrelay's own `HOOKRELAY_OTLP_*` variables (and the file) come
//! first; the `OTEL_EXPORTER_OTLP_*` set is a fallback for a hook command that
//! sets them itself. The OTEL set is used as a whole (endpoint, headers,
//! protocol together): a token written for one collector never travels to
//! another endpoint.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::super::{Error, EventSet, Secret};
use crate::error::{Problem, Warnings};

/// OTLP/HTTP's port. 4317 is OTLP/gRPC's.
pub const HTTP_PORT: u16 = 4318;
pub const GRPC_PORT: u16 = 4317;
pub const DEFAULT_ENDPOINT: &str = "http://localhost:4318/v1/logs";

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtlpConfig {
    /// The logs URL. A URL without a path gets `/v1/logs`; any other is used as is.
    pub endpoint: Option<String>,
    #[serde(default = "super::super::yes")]
    pub enabled: bool,
    /// Events sent (default: all).
    pub events: Option<EventSet>,
    /// Extra headers (`Authorization`, a tenant header); values may use `${VAR}`.
    #[serde(default)]
    pub headers: BTreeMap<String, Secret>,
    /// `http/json` (default) or `http/protobuf`; `grpc` is refused.
    pub protocol: Option<String>,
    /// `none` (default) or `gzip`.
    pub compression: Option<String>,
    /// `service.name` of the resource (default `hookrelay`).
    pub service_name: Option<String>,
    /// Send prompt and assistant text (Claude Code: `OTEL_LOG_USER_PROMPTS`).
    pub include_prompts: Option<bool>,
    /// Send tool input, output and error text (Claude Code: `OTEL_LOG_TOOL_DETAILS`).
    pub include_tool_details: Option<bool>,
    /// A PEM file of CA certificates trusted for this endpoint, on top of the system's.
    pub ca_file: Option<String>,
    /// Where `endpoint` came from (`None`: the file, or the default).
    #[serde(skip)]
    pub origin: Option<Origin>,
    /// Headers from the environment (the file's `headers` win on the same name).
    #[serde(skip)]
    pub env_headers: Vec<(String, Secret)>,
    /// `env_headers` came from the OTEL variables.
    #[serde(skip)]
    pub headers_from_otel: bool,
    /// The variable `protocol` came from, for messages.
    #[serde(skip)]
    pub protocol_from: Option<&'static str>,
    /// The variable `compression` came from, for messages.
    #[serde(skip)]
    pub compression_from: Option<&'static str>,
}

/// Which variable gave the endpoint.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Origin {
    Hookrelay,
    OtelLogs,
    Otel,
}

/// The wire encoding.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Protocol {
    Json,
    Protobuf,
}

/// An `OTEL_*` boolean: only `true` (any case) is true, as the SDKs read it;
/// Claude Code's switches also take `1`.
fn truthy(v: &str) -> bool {
    let v = v.trim();
    v.eq_ignore_ascii_case("true") || v == "1"
}

impl OtlpConfig {
    fn empty() -> OtlpConfig {
        OtlpConfig {
            endpoint: None,
            enabled: true,
            events: None,
            headers: BTreeMap::new(),
            protocol: None,
            compression: None,
            service_name: None,
            include_prompts: None,
            include_tool_details: None,
            ca_file: None,
            origin: None,
            env_headers: Vec::new(),
            headers_from_otel: false,
            protocol_from: None,
            compression_from: None,
        }
    }

    /// Enables the backend from `HOOKRELAY_OTLP_ENDPOINT`, else from
    /// `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT` (unless
    /// `OTEL_SDK_DISABLED=true` or `OTEL_LOGS_EXPORTER=none`), and fills what the
    /// file's section leaves unset.
    pub fn apply_env(
        slot: &mut Option<OtlpConfig>,
        env: &dyn Fn(&str) -> Option<String>,
        warnings: &mut Warnings,
    ) {
        let get = |k: &str| {
            env(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let own = get("HOOKRELAY_OTLP_ENDPOINT");
        let otel_off = get("OTEL_SDK_DISABLED").is_some_and(|v| truthy(&v))
            || get("OTEL_LOGS_EXPORTER").is_some_and(|v| v.eq_ignore_ascii_case("none"));
        let otel = if otel_off {
            None
        } else {
            get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")
                .map(|u| (Origin::OtelLogs, u))
                .or_else(|| get("OTEL_EXPORTER_OTLP_ENDPOINT").map(|u| (Origin::Otel, u)))
        };
        if slot.is_none() {
            if own.is_none() && otel.is_none() {
                return;
            }
            *slot = Some(OtlpConfig::empty());
        }
        let c = slot.as_mut().expect("set above");
        if c.endpoint.is_none() {
            if let Some(u) = own {
                (c.endpoint, c.origin) = (Some(u), Some(Origin::Hookrelay));
            } else if let Some((origin, u)) = otel {
                (c.endpoint, c.origin) = (Some(u), Some(origin));
            }
        }
        let from_otel = matches!(c.origin, Some(Origin::Otel | Origin::OtelLogs));

        if let Some(h) = get("HOOKRELAY_OTLP_HEADERS") {
            c.env_headers = parse_headers(&h, "$HOOKRELAY_OTLP_HEADERS", warnings);
        } else if from_otel && c.headers.is_empty() {
            // The generic set, then the logs set over it (Claude Code merges the two
            // the same way).
            c.headers_from_otel = true;
            for var in [
                "OTEL_EXPORTER_OTLP_HEADERS",
                "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
            ] {
                if let Some(h) = get(var) {
                    for (k, v) in parse_headers(&h, &format!("${var}"), warnings) {
                        c.env_headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&k));
                        c.env_headers.push((k, v));
                    }
                }
            }
        }

        // Protocol and compression: hookrelay's variable, then (with an OTEL
        // endpoint only) the logs variable, then the generic one.
        let pick = |own: &'static str, logs: &'static str, generic: &'static str| {
            let mut vars = vec![own];
            if from_otel {
                vars.extend([logs, generic]);
            }
            vars.into_iter().find_map(|v| get(v).map(|p| (v, p)))
        };
        if c.protocol.is_none()
            && let Some((var, p)) = pick(
                "HOOKRELAY_OTLP_PROTOCOL",
                "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
                "OTEL_EXPORTER_OTLP_PROTOCOL",
            )
        {
            (c.protocol, c.protocol_from) = (Some(p), Some(var));
        }
        if c.compression.is_none()
            && let Some((var, p)) = pick(
                "HOOKRELAY_OTLP_COMPRESSION",
                "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION",
                "OTEL_EXPORTER_OTLP_COMPRESSION",
            )
        {
            (c.compression, c.compression_from) = (Some(p), Some(var));
        }
        if c.service_name.is_none() {
            c.service_name = get("OTEL_SERVICE_NAME");
        }
        let switch = |own: &str, otel: &str| {
            get(own)
                .or_else(|| get(otel))
                .map(|v| truthy(&v))
                .filter(|on| *on)
        };
        if c.include_prompts.is_none() {
            c.include_prompts = switch("HOOKRELAY_OTLP_LOG_USER_PROMPTS", "OTEL_LOG_USER_PROMPTS");
        }
        if c.include_tool_details.is_none() {
            c.include_tool_details =
                switch("HOOKRELAY_OTLP_LOG_TOOL_DETAILS", "OTEL_LOG_TOOL_DETAILS");
        }
    }

    /// The setting that named the endpoint, for messages.
    pub fn endpoint_field(&self) -> &'static str {
        match self.origin {
            Some(Origin::Hookrelay) => "$HOOKRELAY_OTLP_ENDPOINT",
            Some(Origin::OtelLogs) => "$OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
            Some(Origin::Otel) => "$OTEL_EXPORTER_OTLP_ENDPOINT",
            None => "backends.otlp.endpoint",
        }
    }

    /// The settings that give the headers, for a 401/403's message.
    pub fn headers_field(&self) -> &'static str {
        if self.headers.is_empty() && self.headers_from_otel {
            "$OTEL_EXPORTER_OTLP_HEADERS / $OTEL_EXPORTER_OTLP_LOGS_HEADERS"
        } else {
            "backends.otlp.headers / $HOOKRELAY_OTLP_HEADERS"
        }
    }

    fn protocol_field(&self) -> String {
        self.protocol_from
            .map(|v| format!("${v}"))
            .unwrap_or_else(|| "backends.otlp.protocol".into())
    }

    /// The URL posted to (OpenTelemetry's rules, contract §1.1): the generic
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` is a base that gets `v1/logs`; the logs
    /// variable is used as is (`/` when it has no path); hookrelay's own endpoint
    /// gets `/v1/logs` only when it has no path (a bare `http://host:4318` is
    /// what people write, and `/` is never a logs receiver).
    pub fn url(&self) -> String {
        let Some(e) = self.endpoint.as_deref() else {
            return DEFAULT_ENDPOINT.into();
        };
        match self.origin {
            Some(Origin::Otel) => format!("{}/v1/logs", e.trim_end_matches('/')),
            Some(Origin::OtelLogs) if path_of(e).is_empty() => format!("{e}/"),
            Some(Origin::OtelLogs) => e.to_string(),
            _ if matches!(path_of(e), "" | "/") => format!("{}/v1/logs", e.trim_end_matches('/')),
            _ => e.to_string(),
        }
    }

    /// The protocol; `Err` for one hookrelay does not speak.
    pub fn protocol(&self) -> Result<Protocol, Error> {
        let Some(p) = self.protocol.as_deref() else {
            return Ok(Protocol::Json);
        };
        match p.trim().to_ascii_lowercase().as_str() {
            "http/json" => Ok(Protocol::Json),
            "http/protobuf" => Ok(Protocol::Protobuf),
            "grpc" => Err(Error::at(
                &self.protocol_field(),
                format!(
                    "`grpc` is OTLP over gRPC, which hookrelay does not speak (it would POST HTTP to {})",
                    crate::util::url::display(&self.url())
                ),
            )
            .fix(format!(
                "set $HOOKRELAY_OTLP_ENDPOINT (or backends.otlp.endpoint) to the collector's OTLP/HTTP receiver, usually port {HTTP_PORT} (http://<host>:{HTTP_PORT}/v1/logs), or switch the backend off with \"otlp\": {{\"enabled\": false}}"
            ))),
            other => Err(Error::at(
                &self.protocol_field(),
                format!("unknown protocol `{other}`"),
            )
            .fix("use http/json or http/protobuf")),
        }
    }

    /// Is the body gzipped? `Err` for an unknown compression.
    pub fn gzip(&self) -> Result<bool, Error> {
        match self
            .compression
            .as_deref()
            .map(|c| c.trim().to_ascii_lowercase())
        {
            None => Ok(false),
            Some(c) if c == "none" || c.is_empty() => Ok(false),
            Some(c) if c == "gzip" => Ok(true),
            Some(other) => Err(Error::at(
                &self
                    .compression_from
                    .map(|v| format!("${v}"))
                    .unwrap_or_else(|| "backends.otlp.compression".into()),
                format!("unknown compression `{other}`"),
            )
            .fix("use gzip or none")),
        }
    }

    /// Sending content is off unless switched on.
    pub fn content(&self) -> super::record::Content {
        super::record::Content {
            prompts: self.include_prompts.unwrap_or(false),
            tool_details: self.include_tool_details.unwrap_or(false),
        }
    }

    /// Every header sent besides the fixed ones: the environment's, then the
    /// file's (a file header replaces an environment one of the same name).
    pub fn all_headers(&self) -> Vec<(String, Secret)> {
        let mut out: Vec<(String, Secret)> = self
            .env_headers
            .iter()
            .filter(|(k, _)| !self.headers.keys().any(|f| f.eq_ignore_ascii_case(k)))
            .cloned()
            .collect();
        out.extend(self.headers.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }

    /// Checks the URL, the protocol and the headers. A `grpc` setup is an error
    /// (HTTP to a gRPC port gets nothing but protocol errors); port 4317 without
    /// an explicit HTTP protocol is a warning.
    pub fn validate(&self, warnings: &mut Warnings) -> Result<(), Error> {
        let field = self.endpoint_field();
        if let Some(raw) = &self.endpoint {
            // As written first, so a message quotes what the user wrote.
            super::super::url::check_url(field, raw)?;
        }
        let uri = super::super::url::check_url(field, &self.url())?;
        self.protocol()?;
        self.gzip()?;
        super::super::check_ca_file("backends.otlp.ca_file", &self.ca_file)?;
        if uri.port_u16() == Some(GRPC_PORT) && self.protocol.is_none() {
            warnings.push(
                Problem::new(format!(
                    "port {GRPC_PORT} is OTLP/gRPC's; hookrelay sends OTLP/HTTP (usually port {HTTP_PORT})"
                ))
                .at(field)
                .fix("if the collector answers HTTP there, set protocol http/json to silence this"),
            );
        }
        for (k, v) in &self.headers {
            if let Some(why) = bad_header(k, v.expose()) {
                return Err(Error::at("backends.otlp.headers", format!("`{k}` {why}")));
            }
        }
        if !self.all_headers().is_empty() {
            super::super::url::warn_plain_http(field, &uri, "OTLP headers' credential", warnings);
        }
        Ok(())
    }
}

/// The path of a URL (`""` when it has none); query and fragment excluded.
fn path_of(url: &str) -> &str {
    let rest = url.find("://").map_or(url, |i| &url[i + 3..]);
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    rest.find('/').map_or("", |i| &rest[i..])
}

/// Why a header cannot be sent, if it cannot. The body's own headers are
/// hookrelay's: a header may not change how the body is read.
fn bad_header(name: &str, value: &str) -> Option<&'static str> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Some("is not a valid header name");
    }
    if value.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
        return Some("has a line break in its value");
    }
    if ["content-type", "content-length", "content-encoding", "host"]
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
    {
        return Some("is set by hookrelay and cannot be overridden");
    }
    None
}

/// `%XX` decoded (RFC 3986); `+` stays `+`, a malformed `%` stays as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `k1=v1,k2=v2` as the OTEL header variables write it (contract §3.1): items
/// split on `,`, each at its first `=`, trimmed and percent-decoded (raw spaces
/// are kept, as Claude Code's docs write `Authorization=Bearer token`). A
/// malformed item is skipped with a warning that names it but never its value.
pub fn parse_headers(text: &str, var: &str, warnings: &mut Warnings) -> Vec<(String, Secret)> {
    let mut out: Vec<(String, Secret)> = Vec::new();
    for (i, item) in text.split(',').enumerate() {
        if item.trim().is_empty() {
            continue;
        }
        let parsed = item
            .split_once('=')
            .map(|(k, v)| (percent_decode(k.trim()), percent_decode(v.trim())));
        let problem = match &parsed {
            None => Some(format!("item {} has no `=`", i + 1)),
            Some((k, v)) => bad_header(k, v).map(|why| format!("item {} (`{k}`) {why}", i + 1)),
        };
        if let Some(what) = problem {
            warnings.push(
                Problem::new(format!("{what}; skipped"))
                    .at(var)
                    .fix("write name=value pairs separated by commas"),
            );
            continue;
        }
        let (k, v) = parsed.expect("checked above");
        out.retain(|(n, _)| !n.eq_ignore_ascii_case(&k));
        out.push((k, Secret::new(v)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::testing::env_from;

    fn from_env(pairs: &[(&str, &str)]) -> (Option<OtlpConfig>, Warnings) {
        let mut w = Warnings::new();
        let mut slot = None;
        OtlpConfig::apply_env(&mut slot, &env_from(pairs), &mut w);
        (slot, w)
    }

    #[test]
    fn urls_follow_the_opentelemetry_rules() {
        let url = |var: &str, v: &str| from_env(&[(var, v)]).0.unwrap().url();
        let g = "OTEL_EXPORTER_OTLP_ENDPOINT";
        assert_eq!(url(g, "http://c:4318"), "http://c:4318/v1/logs");
        assert_eq!(
            url(g, "http://c:4318/mycollector/"),
            "http://c:4318/mycollector/v1/logs"
        );
        assert_eq!(
            url(g, "http://c:4318/mycollector"),
            "http://c:4318/mycollector/v1/logs"
        );
        let l = "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT";
        assert_eq!(url(l, "http://c:4318"), "http://c:4318/");
        // Used as is: a root path stays the root (the SDKs post there).
        assert_eq!(url(l, "http://c:4318/"), "http://c:4318/");
        assert_eq!(url(l, "https://x/v1/logs"), "https://x/v1/logs");
        assert_eq!(url(l, "https://x/custom"), "https://x/custom");
        let h = "HOOKRELAY_OTLP_ENDPOINT";
        assert_eq!(url(h, "http://c:4318"), "http://c:4318/v1/logs");
        assert_eq!(url(h, "http://c:4318/"), "http://c:4318/v1/logs");
        assert_eq!(
            url(h, "http://c:4318/otlp/v1/logs"),
            "http://c:4318/otlp/v1/logs"
        );
        let mut file = OtlpConfig::empty();
        assert_eq!(file.url(), DEFAULT_ENDPOINT);
        file.endpoint = Some("https://ingest.example.test".into());
        assert_eq!(file.url(), "https://ingest.example.test/v1/logs");
    }

    #[test]
    fn hookrelay_variables_come_before_the_otel_ones() {
        let (c, _) = from_env(&[
            ("HOOKRELAY_OTLP_ENDPOINT", "http://own:4318"),
            ("HOOKRELAY_OTLP_HEADERS", "x-own=1"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4318"),
            (
                "OTEL_EXPORTER_OTLP_HEADERS",
                "Authorization=Bearer otel-token",
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ]);
        let c = c.unwrap();
        assert_eq!(c.url(), "http://own:4318/v1/logs");
        let names: Vec<String> = c.all_headers().into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            ["x-own"],
            "an OTEL token never goes to hookrelay's endpoint"
        );
        assert_eq!(
            c.protocol(),
            Ok(Protocol::Json),
            "the OTEL protocol goes with the OTEL endpoint"
        );

        // Without hookrelay's headers, an OTEL endpoint takes the OTEL headers,
        // the logs set over the generic one.
        let (c, _) = from_env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4318"),
            (
                "OTEL_EXPORTER_OTLP_HEADERS",
                "Authorization=Bearer%20a,x-team=core",
            ),
            ("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "authorization=Bearer b"),
        ]);
        let h = c.unwrap().all_headers();
        let shown: Vec<(String, String)> = h
            .iter()
            .map(|(k, v)| (k.clone(), v.expose().to_string()))
            .collect();
        assert_eq!(
            shown,
            [
                ("x-team".to_string(), "core".to_string()),
                ("authorization".to_string(), "Bearer b".to_string())
            ]
        );
    }

    #[test]
    fn otel_variables_alone_enable_unless_switched_off() {
        assert!(from_env(&[]).0.is_none());
        assert!(
            from_env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")])
                .0
                .is_some()
        );
        // Read as the SDKs read it: only `true` switches the SDK off.
        for on in ["false", "0", "no"] {
            assert!(
                from_env(&[
                    ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
                    ("OTEL_SDK_DISABLED", on)
                ])
                .0
                .is_some(),
                "OTEL_SDK_DISABLED={on}"
            );
        }
        for off in [
            ("OTEL_SDK_DISABLED", "TRUE"),
            ("OTEL_LOGS_EXPORTER", "none"),
        ] {
            assert!(
                from_env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), off])
                    .0
                    .is_none(),
                "{off:?}"
            );
        }
        // hookrelay's own variable is not an OTEL SDK setting.
        assert!(
            from_env(&[
                ("HOOKRELAY_OTLP_ENDPOINT", "http://c:4318"),
                ("OTEL_SDK_DISABLED", "true")
            ])
            .0
            .is_some()
        );
    }

    #[test]
    fn a_grpc_setup_is_refused_with_the_way_out() {
        let (c, _) = from_env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ]);
        let e = c
            .unwrap()
            .validate(&mut Warnings::new())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("$OTEL_EXPORTER_OTLP_PROTOCOL: `grpc` is OTLP over gRPC"),
            "{e}"
        );
        assert!(
            e.contains("HOOKRELAY_OTLP_ENDPOINT") && e.contains("4318"),
            "{e}"
        );
        // Port 4317 without a protocol: probably gRPC, said but still sent.
        let (c, _) = from_env(&[("HOOKRELAY_OTLP_ENDPOINT", "http://localhost:4317")]);
        let mut w = Warnings::new();
        assert!(c.unwrap().validate(&mut w).is_ok());
        assert!(
            w.join("\n").contains("4317 is OTLP/gRPC's"),
            "{}",
            w.join("\n")
        );
        // The usual port, or 4317 with the HTTP protocol said: no warning; a
        // remote plain-http collector warns only when headers (credentials) go.
        let quiet = |pairs: &[(&str, &str)]| {
            let mut w = Warnings::new();
            from_env(pairs).0.unwrap().validate(&mut w).unwrap();
            w.join("\n")
        };
        assert_eq!(
            quiet(&[("HOOKRELAY_OTLP_ENDPOINT", "http://localhost:4318")]),
            ""
        );
        assert_eq!(
            quiet(&[
                ("HOOKRELAY_OTLP_ENDPOINT", "http://localhost:4317"),
                ("HOOKRELAY_OTLP_PROTOCOL", "http/json")
            ]),
            ""
        );
        assert_eq!(
            quiet(&[("HOOKRELAY_OTLP_ENDPOINT", "http://otel.example.test:4318")]),
            ""
        );
        let w = quiet(&[
            ("HOOKRELAY_OTLP_ENDPOINT", "http://otel.example.test:4318"),
            ("HOOKRELAY_OTLP_HEADERS", "authorization=Bearer t"),
        ]);
        assert!(w.contains("credential"), "{w}");
    }

    #[test]
    fn a_header_value_with_a_line_break_or_nul_is_refused() {
        for v in ["a\rb", "a\nb", "a\0b"] {
            assert_eq!(
                bad_header("x-team", v),
                Some("has a line break in its value"),
                "{v:?}"
            );
        }
        assert_eq!(bad_header("x-team", "agents"), None);
        assert_eq!(
            bad_header("x team", "a"),
            Some("is not a valid header name")
        );
    }

    #[test]
    fn bad_settings_are_named_as_written() {
        let (c, _) = from_env(&[("HOOKRELAY_OTLP_ENDPOINT", "ftp://collector:4318")]);
        let e = c
            .unwrap()
            .validate(&mut Warnings::new())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("$HOOKRELAY_OTLP_ENDPOINT: `ftp://collector:4318` uses `ftp`"),
            "{e}"
        );
        let mut file = OtlpConfig::empty();
        file.protocol = Some("GRPC".into());
        let e = file.validate(&mut Warnings::new()).unwrap_err().to_string();
        assert!(e.starts_with("backends.otlp.protocol: `grpc`"), "{e}");
        file.protocol = Some("http/xml".into());
        let e = file.validate(&mut Warnings::new()).unwrap_err().to_string();
        assert!(e.contains("unknown protocol `http/xml`"), "{e}");
        file.protocol = None;
        file.headers
            .insert("Content-Type".into(), Secret::new("text/plain"));
        let e = file.validate(&mut Warnings::new()).unwrap_err().to_string();
        assert!(
            e.starts_with("backends.otlp.headers: `Content-Type` is set by hookrelay"),
            "{e}"
        );
    }

    #[test]
    fn compression_goes_with_its_endpoint() {
        let (c, _) = from_env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
        ]);
        assert_eq!(c.unwrap().gzip(), Ok(true));
        let (c, _) = from_env(&[
            ("HOOKRELAY_OTLP_ENDPOINT", "http://c:4318"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
        ]);
        assert_eq!(c.unwrap().gzip(), Ok(false));
        let (c, _) = from_env(&[
            ("HOOKRELAY_OTLP_ENDPOINT", "http://c:4318"),
            ("HOOKRELAY_OTLP_COMPRESSION", "br"),
        ]);
        let e = c
            .unwrap()
            .validate(&mut Warnings::new())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("$HOOKRELAY_OTLP_COMPRESSION: unknown compression `br`"),
            "{e}"
        );
    }

    #[test]
    fn header_lists_are_parsed_leniently_and_never_echo_values() {
        let mut w = Warnings::new();
        let h = parse_headers(" a=b%20c, d = e ,bad, content-type=x,=v", "$V", &mut w);
        let shown: Vec<(String, String)> = h
            .iter()
            .map(|(k, v)| (k.clone(), v.expose().to_string()))
            .collect();
        assert_eq!(
            shown,
            [
                ("a".to_string(), "b c".to_string()),
                ("d".to_string(), "e".to_string())
            ]
        );
        assert_eq!(w.len(), 3, "{}", w.join("\n"));
        assert!(!w.join("\n").contains("=x"));
        assert_eq!(percent_decode("a+b%2"), "a+b%2");
    }

    #[test]
    fn content_switches() {
        let (c, _) = from_env(&[
            ("HOOKRELAY_OTLP_ENDPOINT", "http://c:4318"),
            ("OTEL_LOG_USER_PROMPTS", "1"),
        ]);
        let c = c.unwrap().content();
        assert!(c.prompts && !c.tool_details);
    }
}
