# Source: hookrelay's OTLP contract notes (contracts/otlp/strict_otlp_logs.py, written for
# this project, same licence as hookrelay: MIT), copied unchanged below this header.
# It checks requests against the `opentelemetry-proto` package's generated classes
# (Apache-2.0, https://pypi.org/project/opentelemetry-proto/), installed separately.
"""Strict validator for OTLP/HTTP logs requests (test-side only).
Needs: pip install opentelemetry-proto  (pulls protobuf)."""
import base64, gzip, json, re
from google.protobuf import json_format
from google.protobuf.unknown_fields import UnknownFieldSet
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest, ExportLogsServiceResponse)

HEX = re.compile(r"^[0-9a-fA-F]*$")
INT64_FIELDS = {"timeUnixNano", "observedTimeUnixNano", "intValue"}

class Invalid(Exception): pass

def _walk_json(node, path="$"):
    if isinstance(node, dict):
        for k, v in node.items():
            p = f"{path}.{k}"
            if "_" in k:
                raise Invalid(f"{p}: JSON keys must be lowerCamelCase")
            if k in ("traceId", "spanId"):
                want = 32 if k == "traceId" else 16
                if not isinstance(v, str) or not HEX.match(v) or len(v) not in (0, want):
                    raise Invalid(f"{p}: must be {want} hex chars")
                node[k] = base64.b64encode(bytes.fromhex(v)).decode()
                continue
            if k == "severityNumber" and not isinstance(v, int):
                raise Invalid(f"{p}: enum must be an integer")
            if k in INT64_FIELDS and not isinstance(v, str):
                raise Invalid(f"{p}: int64 should be a decimal string (canonical ProtoJSON)")
            _walk_json(v, p)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _walk_json(v, f"{path}[{i}]")

def _semantic(req):
    n = 0
    for rl in req.resource_logs:
        keys = [kv.key for kv in rl.resource.attributes]
        if len(keys) != len(set(keys)): raise Invalid("duplicate resource attribute")
        if "service.name" not in keys: raise Invalid("resource lacks service.name")
        if not rl.scope_logs: raise Invalid("empty ResourceLogs")
        for sl in rl.scope_logs:
            if not sl.log_records: raise Invalid("empty ScopeLogs")
            for lr in sl.log_records:
                n += 1
                k = [kv.key for kv in lr.attributes]
                if len(k) != len(set(k)): raise Invalid("duplicate log attribute")
                if lr.time_unix_nano == 0 and lr.observed_time_unix_nano == 0:
                    raise Invalid("no timestamp")
                if lr.span_id and not lr.trace_id: raise Invalid("spanId without traceId")
    if n == 0: raise Invalid("no log records")
    return n

def validate(headers, raw_body):
    """headers: dict with lower-case names. Returns (ExportLogsServiceRequest, encoding)."""
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    body = raw_body
    if headers.get("content-encoding", "").lower() == "gzip":
        body = gzip.decompress(raw_body)
    elif headers.get("content-encoding", "") not in ("", "identity"):
        raise Invalid("unsupported content-encoding")
    if ctype == "application/json":
        doc = json.loads(body)
        _walk_json(doc)
        req = json_format.ParseDict(doc, ExportLogsServiceRequest())  # unknown fields -> error
    elif ctype == "application/x-protobuf":
        req = ExportLogsServiceRequest()
        req.ParseFromString(body)
        if len(UnknownFieldSet(req)):
            raise Invalid("unknown protobuf fields at top level")
    else:
        raise Invalid(f"bad content-type {ctype!r}")
    _semantic(req)
    return req, ctype

def success_body(ctype):
    r = ExportLogsServiceResponse()
    return (b"{}" if ctype == "application/json" else r.SerializeToString())
