#!/bin/sh
# Installs the real Claude Code CLI from the npm registry into a private prefix and
# prints the path of its `claude` binary. Used by tests/e2e_claude.rs on first use.
# usage: install_claude.sh PREFIX [VERSION]   (VERSION defaults to 2.1.330)
# 2.1.330 ships a native binary (~380 MB) through the optional dependency
# @anthropic-ai/claude-code-linux-x64; nothing is downloaded outside npm.
set -eu
P=$1
V=${2:-2.1.330}
if ! command -v npm >/dev/null 2>&1; then
  echo "install_claude.sh: npm not found; install Node.js (with npm) or set CLAUDE_BIN" >&2
  exit 127
fi
if [ ! -x "$P/node_modules/.bin/claude" ] || ! "$P/node_modules/.bin/claude" --version >/dev/null 2>&1; then
  mkdir -p "$P"
  npm install --prefix "$P" --no-audit --no-fund "@anthropic-ai/claude-code@$V" >&2
fi
# If npm skipped the postinstall (bin/claude.exe still a stub), use the platform binary.
if ! "$P/node_modules/.bin/claude" --version >/dev/null 2>&1; then
  for b in "$P"/node_modules/@anthropic-ai/claude-code-*/claude; do
    if [ -x "$b" ] && "$b" --version >/dev/null 2>&1; then echo "$b"; exit 0; fi
  done
  echo "install_claude.sh: $P/node_modules/.bin/claude does not run after npm install" >&2
  exit 1
fi
echo "$P/node_modules/.bin/claude"
