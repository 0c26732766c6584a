#!/usr/bin/env bash
# A typical Bash + jq + curl command hook, for comparison (benches/runner): jq
# reads the HookInput on stdin, curl posts it to the webhook given as $1.
set -euo pipefail
payload=$(jq -c .)
curl -sS -m 5 -H 'Content-Type: application/json' --data-binary "$payload" "$1" >/dev/null
