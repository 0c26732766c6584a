"""The strict OTLP collector's brain for hookrelay's integration tests
(tests/testenv/otlp.rs): reads one request per line on stdin and answers one
verdict per line on stdout, so a test server validates every body it receives
with `strict_otlp_logs.validate` without starting Python per request.

In:  {"content_type": "...", "content_encoding": "...", "body_hex": "..."}
Out: {"ok": true, "request": <the ExportLogsServiceRequest as ProtoJSON>}
     {"ok": false, "error": "<why the validator refused it>"}
On start it prints {"ready": true}, or {"ready": false, "error": ...} when the
opentelemetry-proto package is missing (pip install opentelemetry-proto).
"""
import json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


try:
    from google.protobuf import json_format
    from strict_otlp_logs import validate
except Exception as e:  # ImportError, or a protobuf too old for the package
    say({"ready": False, "error": f"{type(e).__name__}: {e}"})
    sys.exit(0)

say({"ready": True})
for line in sys.stdin:
    if not line.strip():
        continue
    try:
        msg = json.loads(line)
        headers = {"content-type": msg.get("content_type", "")}
        if msg.get("content_encoding"):
            headers["content-encoding"] = msg["content_encoding"]
        req, _ = validate(headers, bytes.fromhex(msg["body_hex"]))
        say({"ok": True, "request": json_format.MessageToDict(req, use_integers_for_enums=True)})
    except Exception as e:  # every refusal, whatever raised it, is a 400
        say({"ok": False, "error": f"{type(e).__name__}: {e}"})
