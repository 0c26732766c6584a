#!/usr/bin/env python3
"""A typical Python command hook, for comparison (benches/runner): reads the
HookInput on stdin and either appends it as one JSON line to a file
(`hook.py append FILE`) or posts it to a webhook (`hook.py post URL`)."""
import json
import sys
import urllib.request


def main():
    event = json.load(sys.stdin)
    body = json.dumps(event)
    mode, where = sys.argv[1], sys.argv[2]
    if mode == "append":
        with open(where, "a", encoding="utf-8") as f:
            f.write(body + "\n")
    else:
        req = urllib.request.Request(
            where, data=body.encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=5) as r:
            r.read()


main()
