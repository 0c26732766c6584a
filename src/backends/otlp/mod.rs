//! OTLP/HTTP logs (`contracts/otlp-logs.md`): one LogRecord per hook event,
//! POSTed to an OpenTelemetry Collector's `/v1/logs`, with the attribute names
//! Claude Code's own telemetry uses so the two streams join on `session.id`,
//! `prompt.id` and `tool_use_id`.
//!
//! - `config`: the section, the `HOOKRELAY_OTLP_*` / `OTEL_*` variables, the URL.
//! - `record`: the event as a LogRecord (mapping, severity, content switches).
//! - `wire`: OTLP JSON and protobuf, and the collector's answer.
//! - `gzip`: `compression: "gzip"` without a crate.
//!
//! Here: the backend and its classifier, which follows OTLP's response rules
//! (contract §2) rather than the shared table where they differ.

pub mod config;
pub mod gzip;
pub mod record;
pub mod wire;

pub use config::OtlpConfig;

use super::{Backend, HttpResponse, Outcome, Request, status};
use crate::protocol::envelope::Envelope;
use config::Protocol;

single_backend_config!(OtlpConfig, "backends.otlp", Otlp);

pub struct Otlp {
    config: OtlpConfig,
    url: String,
    /// A config that passed `validate` has a protocol; `build` also runs before
    /// it (to read the name), so an unknown one falls back to JSON here.
    protocol: Protocol,
    gzip: bool,
}

impl Otlp {
    pub fn new(config: OtlpConfig) -> Otlp {
        let url = config.url();
        let protocol = config.protocol().unwrap_or(Protocol::Json);
        let gzip = config.gzip().unwrap_or(false);
        Otlp {
            config,
            url,
            protocol,
            gzip,
        }
    }

    fn service_name(&self) -> &str {
        self.config
            .service_name
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or("hookrelay")
    }

    /// A POST of `body` to the collector: `headers`, then the configured ones
    /// (credentials), and the configured CA. The event and the probe alike.
    fn post(&self, mut headers: Vec<(String, String)>, body: Vec<u8>) -> Request {
        for (k, v) in self.config.all_headers() {
            headers.push((k, v.expose().to_string()));
        }
        super::with_ca_file(
            Request {
                method: "POST",
                url: self.url.clone(),
                headers,
                body,
            },
            &self.config.ca_file,
        )
    }
}

/// The collector's answer (contract §2):
/// - 2xx: delivered, a `partialSuccess` included (OTLP forbids retrying it;
///   `partial_note` says what was rejected);
/// - 429, 502, 503, 504: retry (a `Retry-After` is the breaker's business);
/// - 401, 403: held, the credentials are wrong;
/// - 404, 405, 415: held, the URL is not an OTLP/HTTP logs receiver (fixing the
///   endpoint delivers what waited; OTLP calls these permanent, but they are
///   never the event's fault);
/// - 400, 413 and every other 4xx/5xx (500 included): refused, as OTLP says
///   they must not be retried; the event becomes a dead letter (re-drivable);
/// - anything else (redirects): the shared table.
///
/// `config` names the settings to check in the messages.
pub fn classify(resp: &HttpResponse, config: &OtlpConfig) -> Outcome {
    let auth_hint = format!(
        "the collector refused the credentials: check {}",
        config.headers_field()
    );
    match resp.status {
        200..=299 => Outcome::Delivered,
        429 | 502 | 503 | 504 => Outcome::Retry(status::status_text(resp)),
        401 | 403 => status::outcome(resp, &auth_hint),
        404 | 405 | 415 => status::held(
            resp,
            &format!(
                "not an OTLP/HTTP logs receiver; check {} (usually http://<collector>:4318/v1/logs)",
                config.endpoint_field()
            ),
        ),
        400..=599 => Outcome::Rejected(status::status_text(resp)),
        _ => status::outcome(resp, &auth_hint),
    }
}

/// The collector's answer to an empty export.
pub fn judge_probe(resp: &HttpResponse, config: &OtlpConfig) -> super::Finding {
    use super::Finding;
    if (200..300).contains(&resp.status) {
        let creds = if config.all_headers().is_empty() {
            ""
        } else {
            " with the configured headers"
        };
        return Finding::proven(format!(
            "the collector accepted an empty export{creds} ({}; nothing stored)",
            resp.status
        ));
    }
    let fix = match resp.status {
        401 | 403 => format!("fix {}", config.headers_field()),
        _ => format!(
            "check {} (an OTLP/HTTP logs receiver, usually http://<collector>:4318/v1/logs)",
            config.endpoint_field()
        ),
    };
    Finding::unexpected(resp, classify(resp, config), &fix)
}

/// A 2xx that carries a `partialSuccess`: the line to report (the event counts as
/// delivered). `None` for a full success.
pub fn partial_note(resp: &HttpResponse, protobuf: bool) -> Option<String> {
    if !(200..300).contains(&resp.status) {
        return None;
    }
    let p = wire::partial_success(&resp.body, protobuf);
    if p.is_empty() {
        return None;
    }
    let message: String = crate::util::text::truncate_chars(&p.message, 300)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let message = crate::util::url::mask_urls(message.trim());
    Some(if p.rejected > 0 {
        format!(
            "otlp: the collector accepted the request but rejected {} log record(s): {}",
            p.rejected,
            if message.is_empty() {
                "no reason given"
            } else {
                &message
            }
        )
    } else {
        format!("otlp: the collector accepted the event with a warning: {message}")
    })
}

impl Backend for Otlp {
    fn name(&self) -> &str {
        "otlp"
    }

    fn wants(&self, event: &str) -> bool {
        self.config
            .events
            .as_ref()
            .is_none_or(|e| e.contains(event))
    }

    fn request(&self, env: &Envelope) -> Option<Request> {
        let export = record::export(env, self.service_name(), self.config.content());
        let (content_type, body) = match self.protocol {
            Protocol::Json => ("application/json", wire::to_json(&export)),
            Protocol::Protobuf => ("application/x-protobuf", wire::to_proto(&export)),
        };
        let mut headers = vec![
            ("Content-Type".to_string(), content_type.to_string()),
            (
                "User-Agent".into(),
                format!("hookrelay/{} (otlp-http)", env!("CARGO_PKG_VERSION")),
            ),
        ];
        let body = if self.gzip {
            headers.push(("Content-Encoding".into(), "gzip".into()));
            gzip::gzip(&body)
        } else {
            body
        };
        Some(self.post(headers, body))
    }

    /// An empty `ExportLogsServiceRequest` (no resource, no record): a collector
    /// answers it 200 and stores nothing (OTLP: "success with empty request"),
    /// so it proves endpoint, protocol and headers without an event.
    fn probe(&self) -> super::Probe {
        let (content_type, body) = match self.protocol {
            Protocol::Json => ("application/json", br#"{"resourceLogs":[]}"#.to_vec()),
            // The protobuf encoding of an empty message is no bytes at all.
            Protocol::Protobuf => ("application/x-protobuf", Vec::new()),
        };
        let headers = vec![("Content-Type".to_string(), content_type.to_string())];
        super::Probe::Http(self.post(headers, body))
    }

    fn judge_probe(&self, resp: &HttpResponse) -> super::Finding {
        judge_probe(resp, &self.config)
    }

    /// `classify`; a partial success is also said on stderr here, since an
    /// outcome has no room for a note on a delivered event.
    fn classify(&self, resp: &HttpResponse) -> Outcome {
        if let Some(note) = partial_note(resp, self.protocol == Protocol::Protobuf) {
            crate::error::report(note);
        }
        classify(resp, &self.config)
    }

    fn endpoint(&self) -> String {
        self.url.clone()
    }

    fn carries_secret(&self) -> bool {
        !self.config.all_headers().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::testing::{env_from, envelope, resp};
    use crate::error::Warnings;

    fn backend(pairs: &[(&str, &str)]) -> Otlp {
        let mut slot = None;
        OtlpConfig::apply_env(&mut slot, &env_from(pairs), &mut Warnings::new());
        Otlp::new(slot.expect("enabled"))
    }

    #[test]
    fn the_request_is_a_json_post_to_v1_logs_with_the_headers() {
        let b = backend(&[
            ("HOOKRELAY_OTLP_ENDPOINT", "http://127.0.0.1:4318"),
            ("HOOKRELAY_OTLP_HEADERS", "Authorization=Bearer t0ken"),
        ]);
        let r = b.request(&envelope("PreToolUse")).unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, "http://127.0.0.1:4318/v1/logs");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("authorization"), Some("Bearer t0ken"));
        assert!(b.carries_secret());
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            v["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]["eventName"],
            "hookrelay.hook.pre_tool_use"
        );
        // Pure: a replay sends the same bytes.
        assert_eq!(b.request(&envelope("PreToolUse")).unwrap(), r);
    }

    #[test]
    fn protobuf_when_asked() {
        let b = backend(&[
            ("HOOKRELAY_OTLP_ENDPOINT", "http://127.0.0.1:4318"),
            ("HOOKRELAY_OTLP_PROTOCOL", "http/protobuf"),
        ]);
        let r = b.request(&envelope("Stop")).unwrap();
        assert_eq!(r.header("content-type"), Some("application/x-protobuf"));
        assert_eq!(r.body[0], 0x0a, "field 1, resource_logs");
    }

    /// `classify` for a backend configured by `HOOKRELAY_OTLP_ENDPOINT`.
    fn classify_env(r: &HttpResponse) -> Outcome {
        classify(
            r,
            &backend(&[("HOOKRELAY_OTLP_ENDPOINT", "http://127.0.0.1:4318")]).config,
        )
    }

    #[test]
    fn gzip_when_asked() {
        let b = backend(&[
            ("HOOKRELAY_OTLP_ENDPOINT", "http://127.0.0.1:4318"),
            ("HOOKRELAY_OTLP_COMPRESSION", "GZIP"),
        ]);
        let r = b.request(&envelope("PostToolUse")).unwrap();
        assert_eq!(r.header("content-encoding"), Some("gzip"));
        assert_eq!(&r.body[..2], &[0x1f, 0x8b]);
        let plain = backend(&[("HOOKRELAY_OTLP_ENDPOINT", "http://127.0.0.1:4318")]);
        let p = plain.request(&envelope("PostToolUse")).unwrap();
        assert_eq!(p.header("content-encoding"), None);
        assert!(
            r.body.len() < p.body.len(),
            "{} vs {}",
            r.body.len(),
            p.body.len()
        );
    }

    #[test]
    fn events_headers_and_the_probe_read_as_configured() {
        let mut c = backend(&[("HOOKRELAY_OTLP_ENDPOINT", "http://127.0.0.1:4318")]).config;
        c.events = Some(crate::backends::EventSet::of(&["Stop", "SessionEnd"]));
        let b = Otlp::new(c);
        assert!(b.wants("Stop") && b.wants("SessionEnd") && !b.wants("PreToolUse"));
        // No headers: nothing secret travels.
        assert!(!b.carries_secret());
        // A refused probe names the headers to fix; a wrong path, the endpoint.
        let f = judge_probe(&resp(401, ""), &b.config);
        assert!(
            f.fix.as_deref().unwrap().contains("HOOKRELAY_OTLP_HEADERS"),
            "{f:?}"
        );
        let f = judge_probe(&resp(404, ""), &b.config);
        assert!(
            f.fix
                .as_deref()
                .unwrap()
                .contains("HOOKRELAY_OTLP_ENDPOINT"),
            "{f:?}"
        );
    }

    #[test]
    fn answers_follow_otlp() {
        for s in [200, 202] {
            assert_eq!(classify_env(&resp(s, "{}")), Outcome::Delivered);
        }
        for s in [429, 502, 503, 504] {
            assert!(
                matches!(classify_env(&resp(s, "")), Outcome::Retry(_)),
                "{s}"
            );
        }
        for s in [400, 413, 500, 501, 422] {
            assert!(
                matches!(classify_env(&resp(s, "")), Outcome::Rejected(_)),
                "{s}"
            );
        }
        for s in [401, 403] {
            match classify_env(&resp(s, "")) {
                Outcome::Retry(m) => assert!(m.contains("HOOKRELAY_OTLP_HEADERS"), "{m}"),
                o => panic!("{s}: {o:?}"),
            }
        }
        for s in [404, 405, 415] {
            match classify_env(&resp(s, "")) {
                Outcome::Retry(m) => assert!(
                    m.contains("OTLP/HTTP logs receiver; check $HOOKRELAY_OTLP_ENDPOINT"),
                    "{m}"
                ),
                o => panic!("{s}: {o:?}"),
            }
        }
        assert_eq!(
            classify_env(&resp(400, r#"{"code":3,"message":"bad"}"#)),
            Outcome::Rejected(r#"400 {"code":3,"message":"bad"}"#.into())
        );
        // The messages name the settings actually in use.
        let otel = backend(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "a=b"),
        ]);
        let Outcome::Retry(m) = classify(&resp(401, ""), &otel.config) else {
            panic!()
        };
        // Held (a configuration problem), with the settings in use named.
        let m = status::config_problem(&m).unwrap_or_else(|| panic!("held: {m}"));
        assert!(
            m.ends_with("check $OTEL_EXPORTER_OTLP_HEADERS / $OTEL_EXPORTER_OTLP_LOGS_HEADERS"),
            "{m}"
        );
        let Outcome::Retry(m) = classify(&resp(404, ""), &otel.config) else {
            panic!()
        };
        assert!(status::config_problem(&m).is_some(), "held: {m}");
        assert!(m.contains("check $OTEL_EXPORTER_OTLP_ENDPOINT"), "{m}");
    }

    #[test]
    fn a_partial_success_is_delivered_and_said() {
        let r = resp(
            200,
            r#"{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"record too old"}}"#,
        );
        assert_eq!(classify_env(&r), Outcome::Delivered);
        let note = partial_note(&r, false).unwrap();
        assert!(
            note.contains("rejected 1 log record(s): record too old"),
            "{note}"
        );
        // int64 as a JSON number, as some encoders write it: read the same.
        let number = resp(200, r#"{"partialSuccess":{"rejectedLogRecords":2}}"#);
        assert!(
            partial_note(&number, false)
                .unwrap()
                .contains("rejected 2 log record(s): no reason given")
        );
        assert_eq!(partial_note(&resp(200, "{}"), false), None);
        assert_eq!(
            partial_note(&resp(503, "{\"partialSuccess\":{}}"), false),
            None
        );
        let warn = resp(
            200,
            r#"{"partialSuccess":{"errorMessage":"deprecated field"}}"#,
        );
        assert!(
            partial_note(&warn, false)
                .unwrap()
                .contains("with a warning")
        );
    }
}
