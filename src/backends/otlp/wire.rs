//! The two OTLP/HTTP encodings of one `ExportLogsServiceRequest` (contract §1.3,
//! §1.4) and the reading of the collector's `ExportLogsServiceResponse`.
//!
//! JSON is OTLP's ProtoJSON, not generic ProtoJSON: lowerCamelCase keys only,
//! enums as integers, 64-bit integers as decimal strings. Protobuf is written by
//! hand: the message is small and fixed (one resource, one scope, one record),
//! so a few varint and length-prefix helpers replace a code generator.

use serde_json::{Value, json};

/// An attribute value. Only scalars: hookrelay sends flat attributes (contract
/// §1.4: many backends flatten maps badly); structured input goes as a JSON string.
#[derive(Clone, Debug, PartialEq)]
pub enum Any {
    Str(String),
    Bool(bool),
    Int(i64),
    Double(f64),
}

pub type KeyValues = Vec<(String, Any)>;

/// One request: one ResourceLogs, one ScopeLogs, one LogRecord (one hook event
/// per process, contract §1.4 "Batching").
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    pub resource: KeyValues,
    pub scope_name: String,
    pub scope_version: String,
    pub record: Record,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Nanoseconds since the epoch (`timeUnixNano` and `observedTimeUnixNano`).
    pub time_ns: u64,
    pub severity_number: i32,
    pub severity_text: &'static str,
    pub event_name: String,
    pub body: String,
    pub attributes: KeyValues,
}

fn any_json(v: &Any) -> Value {
    match v {
        Any::Str(s) => json!({ "stringValue": s }),
        Any::Bool(b) => json!({ "boolValue": b }),
        // int64 is a decimal string in ProtoJSON.
        Any::Int(i) => json!({ "intValue": i.to_string() }),
        // Finite by construction (it came from JSON), so always a JSON number.
        Any::Double(d) => json!({ "doubleValue": d }),
    }
}

fn kvs_json(kvs: &KeyValues) -> Value {
    Value::Array(
        kvs.iter()
            .map(|(k, v)| json!({ "key": k, "value": any_json(v) }))
            .collect(),
    )
}

/// `application/json` body.
pub fn to_json(e: &Export) -> Vec<u8> {
    let r = &e.record;
    let time = r.time_ns.to_string();
    let doc = json!({
        "resourceLogs": [{
            "resource": { "attributes": kvs_json(&e.resource) },
            "scopeLogs": [{
                "scope": { "name": e.scope_name, "version": e.scope_version },
                "logRecords": [{
                    "timeUnixNano": time,
                    "observedTimeUnixNano": time,
                    "severityNumber": r.severity_number,
                    "severityText": r.severity_text,
                    "eventName": r.event_name,
                    "body": { "stringValue": r.body },
                    "attributes": kvs_json(&r.attributes),
                }]
            }]
        }]
    });
    serde_json::to_vec(&doc).expect("a JSON value always serialises")
}

// Protobuf wire types.
const VARINT: u64 = 0;
const FIXED64: u64 = 1;
const LEN: u64 = 2;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn tag(out: &mut Vec<u8>, field: u64, wire: u64) {
    varint(out, (field << 3) | wire);
}

fn bytes_field(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    tag(out, field, LEN);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn any_proto(v: &Any) -> Vec<u8> {
    let mut out = Vec::new();
    match v {
        Any::Str(s) => bytes_field(&mut out, 1, s.as_bytes()),
        Any::Bool(b) => {
            tag(&mut out, 2, VARINT);
            varint(&mut out, u64::from(*b));
        }
        Any::Int(i) => {
            // int64: two's complement as a 10-byte varint when negative.
            tag(&mut out, 3, VARINT);
            varint(&mut out, *i as u64);
        }
        Any::Double(d) => {
            tag(&mut out, 4, FIXED64);
            out.extend_from_slice(&d.to_le_bytes());
        }
    }
    out
}

/// `KeyValue { key = 1; value = 2 }`, one per attribute, as field `field`.
fn kvs_proto(out: &mut Vec<u8>, field: u64, kvs: &KeyValues) {
    for (k, v) in kvs {
        let mut kv = Vec::new();
        bytes_field(&mut kv, 1, k.as_bytes());
        bytes_field(&mut kv, 2, &any_proto(v));
        bytes_field(out, field, &kv);
    }
}

/// `application/x-protobuf` body (field numbers from `logs.proto`,
/// `common.proto`, `resource.proto`, `logs_service.proto`).
pub fn to_proto(e: &Export) -> Vec<u8> {
    let r = &e.record;
    let mut record = Vec::new();
    tag(&mut record, 1, FIXED64); // time_unix_nano
    record.extend_from_slice(&r.time_ns.to_le_bytes());
    tag(&mut record, 2, VARINT); // severity_number
    varint(&mut record, r.severity_number as u64);
    bytes_field(&mut record, 3, r.severity_text.as_bytes());
    bytes_field(&mut record, 5, &any_proto(&Any::Str(r.body.clone())));
    kvs_proto(&mut record, 6, &r.attributes);
    tag(&mut record, 11, FIXED64); // observed_time_unix_nano
    record.extend_from_slice(&r.time_ns.to_le_bytes());
    bytes_field(&mut record, 12, r.event_name.as_bytes());

    let mut scope = Vec::new();
    bytes_field(&mut scope, 1, e.scope_name.as_bytes());
    bytes_field(&mut scope, 2, e.scope_version.as_bytes());
    let mut scope_logs = Vec::new();
    bytes_field(&mut scope_logs, 1, &scope);
    bytes_field(&mut scope_logs, 2, &record);

    let mut resource = Vec::new();
    kvs_proto(&mut resource, 1, &e.resource);
    let mut resource_logs = Vec::new();
    bytes_field(&mut resource_logs, 1, &resource);
    bytes_field(&mut resource_logs, 2, &scope_logs);

    let mut out = Vec::new();
    bytes_field(&mut out, 1, &resource_logs);
    out
}

/// A 200's `partialSuccess`: how many records the collector rejected and why.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartialSuccess {
    pub rejected: i64,
    pub message: String,
}

impl PartialSuccess {
    /// `rejected == 0` with an empty message is a full success (contract §2).
    pub fn is_empty(&self) -> bool {
        self.rejected == 0 && self.message.is_empty()
    }
}

/// Reads a success body of either encoding. An unreadable body is a full
/// success: the status already said so, and proxies answer with anything.
pub fn partial_success(body: &[u8], protobuf: bool) -> PartialSuccess {
    let found = if protobuf {
        proto_partial(body)
    } else {
        json_partial(body)
    };
    found.unwrap_or_default()
}

fn json_partial(body: &[u8]) -> Option<PartialSuccess> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let p = v.get("partialSuccess")?;
    // int64 as a string (canonical) or a number (accepted from any encoder).
    let rejected = match p.get("rejectedLogRecords") {
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        _ => 0,
    };
    let message = p
        .get("errorMessage")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Some(PartialSuccess { rejected, message })
}

fn read_varint(b: &[u8], i: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*i)?;
        *i += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(v);
        }
    }
    None
}

/// One decoded field: its number, and its varint value or its bytes.
type Field<'a> = (u64, Result<u64, &'a [u8]>);

/// The fields of one message: (field number, varint value or bytes). Fixed-size
/// fields are skipped (none are read here).
fn fields(b: &[u8]) -> Option<Vec<Field<'_>>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let key = read_varint(b, &mut i)?;
        let (field, wire) = (key >> 3, key & 7);
        match wire {
            VARINT => out.push((field, Ok(read_varint(b, &mut i)?))),
            FIXED64 => i += 8,
            LEN => {
                let n = usize::try_from(read_varint(b, &mut i)?).ok()?;
                let end = i.checked_add(n).filter(|e| *e <= b.len())?;
                out.push((field, Err(&b[i..end])));
                i = end;
            }
            5 => i += 4,
            _ => return None,
        }
    }
    (i == b.len()).then_some(out)
}

fn proto_partial(body: &[u8]) -> Option<PartialSuccess> {
    let partial = fields(body)?.into_iter().find_map(|(f, v)| match (f, v) {
        (1, Err(bytes)) => Some(bytes),
        _ => None,
    })?;
    let mut out = PartialSuccess::default();
    for (f, v) in fields(partial)? {
        match (f, v) {
            (1, Ok(n)) => out.rejected = n as i64,
            (2, Err(text)) => out.message = String::from_utf8_lossy(text).into_owned(),
            _ => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Export {
        Export {
            resource: vec![("service.name".into(), Any::Str("hookrelay".into()))],
            scope_name: "hookrelay".into(),
            scope_version: "0.1.0".into(),
            record: Record {
                time_ns: 1_795_308_638_378_000_000,
                severity_number: 17,
                severity_text: "ERROR",
                event_name: "hookrelay.hook.stop_failure".into(),
                body: "StopFailure".into(),
                attributes: vec![
                    ("a".into(), Any::Int(-1)),
                    ("b".into(), Any::Bool(true)),
                    ("c".into(), Any::Double(0.5)),
                ],
            },
        }
    }

    #[test]
    fn json_uses_otlp_rules() {
        let v: Value = serde_json::from_slice(&to_json(&sample())).unwrap();
        let r = &v["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
        assert_eq!(r["timeUnixNano"], "1795308638378000000");
        assert_eq!(r["severityNumber"], 17);
        assert_eq!(r["attributes"][0]["value"], json!({"intValue": "-1"}));
        assert_eq!(r["attributes"][2]["value"], json!({"doubleValue": 0.5}));
        fn keys_camel(v: &Value) {
            match v {
                Value::Object(m) => m.iter().for_each(|(k, x)| {
                    assert!(!k.contains('_'), "{k}");
                    keys_camel(x)
                }),
                Value::Array(a) => a.iter().for_each(keys_camel),
                _ => {}
            }
        }
        keys_camel(&v);
    }

    #[test]
    fn protobuf_fields_are_where_the_schema_puts_them() {
        let b = to_proto(&sample());
        let top = fields(&b).unwrap();
        assert_eq!(top.len(), 1);
        let Err(rl) = top[0].1 else { panic!() };
        let rl = fields(rl).unwrap();
        let Err(sl) = rl[1].1 else { panic!() };
        let Err(rec) = fields(sl).unwrap()[1].1 else {
            panic!()
        };
        let rec = fields(rec).unwrap();
        assert!(rec.contains(&(2, Ok(17))));
        assert!(rec.contains(&(12, Err(b"hookrelay.hook.stop_failure".as_slice()))));
        assert_eq!(rec.iter().filter(|(f, _)| *f == 6).count(), 3);
    }

    #[test]
    fn partial_success_in_both_encodings() {
        let j = br#"{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"too old"}}"#;
        assert_eq!(
            partial_success(j, false),
            PartialSuccess {
                rejected: 1,
                message: "too old".into()
            }
        );
        assert!(partial_success(b"{}", false).is_empty());
        assert!(partial_success(b"<html>", false).is_empty());
        // ExportLogsServiceResponse { partial_success { rejected_log_records: 2, error_message: "x" } }
        let p = [0x0a, 0x05, 0x08, 0x02, 0x12, 0x01, b'x'];
        assert_eq!(
            partial_success(&p, true),
            PartialSuccess {
                rejected: 2,
                message: "x".into()
            }
        );
        assert!(partial_success(&[], true).is_empty());
        assert!(partial_success(&[0xff], true).is_empty());
    }
}
