#!/bin/sh
# install.sh: build hookrelay from this source tree, install it, write its config and
# wire it into Claude Code. Safe to repeat; `--uninstall` undoes it. POSIX sh only.
#
#   ./install.sh --bloodbank-url http://10.0.0.5:8682 \
#                --chroma-endpoint https://chroma.example/ingest --api-key zo_...
#   ./install.sh --dry-run ...      # print what would happen, change nothing
#   ./install.sh --uninstall        # remove what install.sh added
#
# See docs/install.md for every flag and the reasons behind the defaults.

set -eu
# Directories and the binary: the usual 022. The config is written under 077.
umask 022

PROG=install.sh
SRC_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

die() {
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit 1
}
say() { printf '%s\n' "$*"; }

usage() {
    cat <<'EOF'
Usage: ./install.sh [OPTIONS]

Builds hookrelay (statically linked where possible), installs it to PREFIX/bin, writes
its config (mode 0600) and registers it in Claude Code's settings.json.

Install:
  --prefix DIR            install to DIR/bin/hookrelay (default: ~/.local)
  --binary PATH           install this prebuilt binary instead of building
                          (also $HOOKRELAY_INSTALL_BINARY)
  --dynamic               build the ordinary dynamically linked binary (default:
                          statically linked where the platform allows, checked
                          to run, else the ordinary one)
  --scope user|project    settings file to wire: ~/.claude/settings.json (user, default)
                          or ./.claude/settings.json (project)
  --events SET            all (default), tools, lifecycle or Event1,Event2
  --no-wire               do not touch Claude Code settings
  --config FILE           config path (default: $XDG_CONFIG_HOME/hookrelay/config.json
                          or ~/.config/hookrelay/config.json)
  --force                 rewrite an existing config from these flags (keys and
                          secrets not given again are carried over)
  --dry-run               print what would be done; change nothing
  --uninstall             remove what install.sh added (see docs/install.md)
  -h, --help              this help

Config (flags win over the environment variables in brackets):
  --bloodbank-url URL     nats://host:port (today's Bloodbank) or its old HTTP base URL
                          [BLOODBANK_ENABLED=true with BLOODBANK_NATS_HOST/_PORT
                           (default nats://127.0.0.1:4222), or BLOODBANK_URL]
  --chroma-endpoint URL   ChromaDB bridge /ingest   [ZO_EVENT_ENDPOINT]
  --api-key KEY           the bridge's API key      [ZO_API_KEY]
  --api-key-file FILE     read it from FILE (first line) instead: not shown in `ps`
  --hostname-salt SALT    salt for hashed host names [HOSTNAME_SALT]
  --orgloop-url URL       OrgLoop webhook URL       [ORGLOOP_WEBHOOK_URL, ORGLOOP_PORT]
  --orgloop-secret S      OrgLoop HMAC secret       [CLAUDE_CODE_WEBHOOK_SECRET]
  --orgloop-secret-file FILE  read it from FILE (first line)
  --webhook-url URL       generic webhook URL; without a path, /events is used
                                                    [HOOK_BACKEND_URL]
  --webhook-api-key KEY   its X-API-Key             [HOOK_API_KEY]
  --webhook-api-key-file FILE  read it from FILE (first line)
Secrets are best given in the environment variables in brackets or in files:
a value on the command line is visible to other users in `ps`.
  --project-id NAME       project label             [HOOKRELAY_PROJECT]
  --run-id ID             run label                 [CLAUDE_RUN_ID]
EOF
}

# ---- arguments -------------------------------------------------------------------

PREFIX=${HOME:?HOME is not set}/.local
BINARY=${HOOKRELAY_INSTALL_BINARY:-}
SCOPE=user
EVENTS=all
WIRE=1
STATIC=1
CONFIG=
FORCE=0
DRY=0
UNINSTALL=0
BB_URL=
CH_ENDPOINT=
CH_KEY=
CH_SALT=
OL_URL=
OL_SECRET=
WH_URL=
WH_KEY=
PROJECT=
RUN_ID=

need() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }
# The first line of a secret's file (the flag is named in the error).
secret_file() { # FLAG FILE
    [ -f "$2" ] && [ -r "$2" ] || die "$1 $2: no such readable file"
    IFS= read -r v <"$2" || [ -n "$v" ] || die "$1 $2: the file is empty"
    printf '%s' "$v"
}
while [ $# -gt 0 ]; do
    case $1 in
    --prefix) need "$@"; PREFIX=$2; shift ;;
    --binary) need "$@"; BINARY=$2; shift ;;
    --scope) need "$@"; SCOPE=$2; shift ;;
    --events) need "$@"; EVENTS=$2; shift ;;
    --no-wire) WIRE=0 ;;
    --dynamic) STATIC=0 ;;
    --config) need "$@"; CONFIG=$2; shift ;;
    --force) FORCE=1 ;;
    --dry-run) DRY=1 ;;
    --uninstall) UNINSTALL=1 ;;
    --bloodbank-url) need "$@"; BB_URL=$2; shift ;;
    --chroma-endpoint) need "$@"; CH_ENDPOINT=$2; shift ;;
    --api-key) need "$@"; CH_KEY=$2; shift ;;
    --api-key-file) need "$@"; CH_KEY=$(secret_file "$1" "$2") || exit 1; shift ;;
    --hostname-salt) need "$@"; CH_SALT=$2; shift ;;
    --orgloop-url) need "$@"; OL_URL=$2; shift ;;
    --orgloop-secret) need "$@"; OL_SECRET=$2; shift ;;
    --orgloop-secret-file) need "$@"; OL_SECRET=$(secret_file "$1" "$2") || exit 1; shift ;;
    --webhook-url) need "$@"; WH_URL=$2; shift ;;
    --webhook-api-key) need "$@"; WH_KEY=$2; shift ;;
    --webhook-api-key-file) need "$@"; WH_KEY=$(secret_file "$1" "$2") || exit 1; shift ;;
    --project-id) need "$@"; PROJECT=$2; shift ;;
    --run-id) need "$@"; RUN_ID=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
    shift
done

case $SCOPE in user | project) ;; *) die "--scope must be user or project, not '$SCOPE'" ;; esac
case $PREFIX in /*) ;; *) PREFIX=$(pwd)/$PREFIX ;; esac
CONFIG_HOME=${XDG_CONFIG_HOME:-$HOME/.config}
STATE_HOME=${XDG_STATE_HOME:-$HOME/.local/state}
[ -n "$CONFIG" ] || CONFIG=$CONFIG_HOME/hookrelay/config.json
case $CONFIG in /*) ;; *) CONFIG=$(pwd)/$CONFIG ;; esac
BIN_DIR=$PREFIX/bin
DEST=$BIN_DIR/hookrelay
# What install.sh added, so that --uninstall removes exactly that.
MANIFEST=$STATE_HOME/hookrelay/install.manifest
# Only for the config file's own default location is --config left off the hook
# command; any other path is passed explicitly so the hook finds it.
DEFAULT_CONFIG=$CONFIG_HOME/hookrelay/config.json

remove_file() {
    if [ "$DRY" = 1 ]; then say "would remove $1"; else rm -f -- "$1" && say "removed $1"; fi
}

# ---- manifest --------------------------------------------------------------------
# One line per thing added: "dir PATH", "binary PATH", "config PATH CKSUM",
# "settings PATH". Paths never contain a tab or newline (checked).

manifest_has() { [ -f "$MANIFEST" ] && grep -qxF "$1" "$MANIFEST"; }
manifest_add() {
    [ "$DRY" = 1 ] && return 0
    if [ ! -f "$MANIFEST" ]; then
        # The manifest's own directories are recorded too, once it exists.
        new=
        d=$(dirname -- "$MANIFEST")
        while [ ! -d "$d" ]; do
            new="$d
$new"
            d=$(dirname -- "$d")
        done
        mkdir -p -- "$(dirname -- "$MANIFEST")" || die "cannot create $(dirname -- "$MANIFEST")"
        : >"$MANIFEST"
        printf '%s' "$new" | while IFS= read -r x; do
            [ -z "$x" ] || printf 'dir %s\n' "$x" >>"$MANIFEST"
        done
    fi
    manifest_has "$1" || printf '%s\n' "$1" >>"$MANIFEST"
}

# mkdir -p that records each directory it creates (removed again if empty).
mkdir_tracked() {
    [ -d "$1" ] && return 0
    mkdir_tracked "$(dirname -- "$1")"
    if [ "$DRY" = 1 ]; then
        say "would create directory $1"
        return 0
    fi
    mkdir "$1" 2>/dev/null || die "cannot create directory $1: permission denied? (choose another --prefix or fix the parent's permissions)"
    manifest_add "dir $1"
}

checksum() { cksum <"$1" | awk '{print $1 "-" $2}'; }

# ---- validation ------------------------------------------------------------------

# A URL for messages: credentials (user:password@) masked.
shown_url() { printf '%s' "$1" | sed -E 's#^([A-Za-z][A-Za-z0-9+.-]*://)?[^/@]*@#\1***@#'; }

check_url() { # FLAG VALUE [nats]
    [ -z "$2" ] && return 0
    case $2 in
    http://?* | https://?*) ;;
    nats://?*) [ "${3:-}" = nats ] || die "$1: '$(shown_url "$2")' is not an http(s) URL (expected e.g. http://host:port/path)" ;;
    *) die "$1: '$(shown_url "$2")' is not an http(s) URL (expected e.g. http://host:port/path)" ;;
    esac
    case $2 in
    *[[:space:]]* | *[[:cntrl:]]* | *'"'* | *\\*) die "$1: '$(shown_url "$2")' contains spaces, quotes or control characters" ;;
    esac
}

check_text() { # FLAG VALUE (may be a secret: never printed)
    case $2 in
    *[[:cntrl:]]*) die "$1: the value contains control characters (newline, tab...)" ;;
    esac
}

for p in "$PREFIX" "$CONFIG" "$(pwd)"; do
    case $p in *"$(printf '\t')"* | *"
"*) die "path '$p' contains a tab or newline" ;; esac
done

# ---- uninstall -------------------------------------------------------------------

if [ "$UNINSTALL" = 1 ]; then
    [ -f "$MANIFEST" ] || die "nothing to uninstall: no $MANIFEST (install.sh was not run here, or already undone)"
    # Settings first, with the installed binary, while it still exists.
    hr=
    while IFS= read -r line; do
        case $line in "binary "*) hr=${line#binary } ;; esac
    done <"$MANIFEST"
    [ -x "$hr" ] || hr=$BINARY
    while IFS= read -r line; do
        case $line in
        "settings "*)
            s=${line#settings }
            if [ -x "$hr" ]; then
                if [ "$DRY" = 1 ]; then
                    "$hr" uninstall --settings "$s" --dry-run </dev/null
                else
                    "$hr" uninstall --settings "$s" </dev/null || die "could not unwire $s (see above); nothing else removed"
                fi
            else
                die "cannot unwire $s: no hookrelay binary; pass --binary PATH"
            fi
            ;;
        esac
    done <"$MANIFEST"
    while IFS= read -r line; do
        case $line in
        "binary "*)
            b=${line#binary }
            if [ -e "$b" ]; then remove_file "$b"; fi
            ;;
        "file "*)
            f=${line#file }
            if [ -e "$f" ]; then remove_file "$f"; fi
            ;;
        "config "*)
            rest=${line#config }
            c=${rest% *}
            sum=${rest##* }
            if [ -f "$c" ]; then
                if [ "$(checksum "$c")" = "$sum" ]; then
                    remove_file "$c"
                else
                    say "kept $c: it was edited after install.sh wrote it (delete it yourself if unwanted)"
                fi
            fi
            ;;
        esac
    done <"$MANIFEST"
    # Directories install.sh created, deepest first, only when empty.
    dirs=$(sed -n 's/^dir //p' "$MANIFEST" | sort -r)
    if [ "$DRY" = 1 ]; then say "would remove $MANIFEST"; else rm -f -- "$MANIFEST"; fi
    printf '%s\n' "$dirs" | while IFS= read -r d; do
        [ -n "$d" ] && [ -d "$d" ] || continue
        if [ "$DRY" = 1 ]; then say "would remove $d if empty"; else rmdir -- "$d" 2>/dev/null || true; fi
    done
    [ "$DRY" = 1 ] && { say "dry run: nothing was changed."; exit 0; }
    say "hookrelay uninstalled. Kept events and spools stay in ~/.local/share/hookrelay (delete them yourself if unwanted)."
    exit 0
fi

# ---- config values: flags, then the environment ------------------------------------

if [ -z "$BB_URL" ]; then
    case ${BLOODBANK_ENABLED-unset} in
    true)
        # As Bloodbank's own hook: NATS on this machine unless BLOODBANK_URL
        # (the old HTTP API) is given; BLOODBANK_NATS_* choose NATS in any case.
        if [ -n "${BLOODBANK_NATS_HOST:-}${BLOODBANK_NATS_PORT:-}" ] || [ -z "${BLOODBANK_URL:-}" ]; then
            BB_URL=nats://${BLOODBANK_NATS_HOST:-127.0.0.1}:${BLOODBANK_NATS_PORT:-4222}
        else
            BB_URL=$BLOODBANK_URL
        fi
        ;;
    unset) BB_URL=${BLOODBANK_URL:-} ;;
    *) ;; # BLOODBANK_ENABLED set to anything else: the seed integration was off
    esac
fi
[ -n "$CH_ENDPOINT" ] || CH_ENDPOINT=${ZO_EVENT_ENDPOINT:-}
[ -n "$CH_KEY" ] || CH_KEY=${ZO_API_KEY:-}
[ -n "$CH_SALT" ] || CH_SALT=${HOSTNAME_SALT:-}
if [ -z "$OL_URL" ]; then
    if [ -n "${ORGLOOP_WEBHOOK_URL:-}" ]; then
        OL_URL=$ORGLOOP_WEBHOOK_URL
    elif [ -n "${ORGLOOP_PORT:-}" ]; then
        OL_URL=http://127.0.0.1:$ORGLOOP_PORT/webhook/claude-code
    fi
fi
[ -n "$OL_SECRET" ] || OL_SECRET=${CLAUDE_CODE_WEBHOOK_SECRET:-}
[ -n "$WH_URL" ] || WH_URL=${HOOK_BACKEND_URL:-}
# One rule for flag and variable: the custom-backend example posts to /events
# when the URL has no path.
if [ -n "$WH_URL" ]; then
    case ${WH_URL#*://} in */*) ;; *) WH_URL=$WH_URL/events ;; esac
fi
[ -n "$WH_KEY" ] || WH_KEY=${HOOK_API_KEY:-}
[ -n "$PROJECT" ] || PROJECT=${HOOKRELAY_PROJECT:-}
[ -n "$RUN_ID" ] || RUN_ID=${CLAUDE_RUN_ID:-}

check_url --bloodbank-url "$BB_URL" nats
check_url --chroma-endpoint "$CH_ENDPOINT"
check_url --orgloop-url "$OL_URL"
check_url --webhook-url "$WH_URL"
for v in "--api-key:$CH_KEY" "--hostname-salt:$CH_SALT" "--orgloop-secret:$OL_SECRET" \
    "--webhook-api-key:$WH_KEY" "--project-id:$PROJECT" "--run-id:$RUN_ID"; do
    check_text "${v%%:*}" "${v#*:}"
done
[ -z "$CH_KEY$CH_SALT" ] || [ -n "$CH_ENDPOINT" ] || die "--api-key/--hostname-salt are for the ChromaDB bridge: also give --chroma-endpoint (or ZO_EVENT_ENDPOINT)"
[ -z "$OL_SECRET" ] || [ -n "$OL_URL" ] || die "--orgloop-secret needs --orgloop-url (or ORGLOOP_WEBHOOK_URL / ORGLOOP_PORT)"
[ -z "$WH_KEY" ] || [ -n "$WH_URL" ] || die "--webhook-api-key needs --webhook-url (or HOOK_BACKEND_URL)"

# ---- the config file (the one place that knows config key names) ----

# A JSON string literal. Control characters were refused above, so escaping the
# backslash and the double quote is all JSON needs.
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }

# An already-escaped value from a config install.sh wrote earlier: SECTION KEY FILE.
# Reads only install.sh's own layout (one "key": "value" per line, sections by name).
old_value() {
    awk -v sec="\"$1\"" -v key="\"$2\"" '
        index($0, sec ": ") { in_sec = 1; next }
        in_sec && /^ *[]}]/ { in_sec = 0 }
        in_sec && index($0, key ": \"") {
            v = substr($0, index($0, key ": \"") + length(key) + 3)
            sub(/",?[ \t]*$/, "", v); print v; exit
        }' "$3"
}

# Emits the config JSON. $1: the existing config (secrets not given now are carried over).
config_json() {
    old=${1:-}
    carry() { # VAR-VALUE SECTION KEY
        if [ -n "$1" ]; then json_str "$1"; elif [ -n "$old" ] && v=$(old_value "$2" "$3" "$old") && [ -n "$v" ]; then printf '"%s"' "$v"; fi
    }
    top=
    printf '{\n'
    if [ -n "$PROJECT" ]; then printf '  "project": %s' "$(json_str "$PROJECT")"; top=1; fi
    if [ -n "$RUN_ID" ]; then
        [ -n "$top" ] && printf ',\n'
        printf '  "run_id": %s' "$(json_str "$RUN_ID")"; top=1
    fi
    [ -n "$top" ] && printf ',\n'
    printf '  "backends": {'
    sep='\n'
    if [ -n "$BB_URL" ]; then
        printf "$sep"'    "bloodbank": {\n      "url": %s\n    }' "$(json_str "$BB_URL")"; sep=',\n'
    fi
    if [ -n "$CH_ENDPOINT" ]; then
        printf "$sep"'    "chroma": {\n      "endpoint": %s' "$(json_str "$CH_ENDPOINT")"; sep=',\n'
        k=$(carry "$CH_KEY" chroma api_key)
        [ -n "$k" ] && printf ',\n      "api_key": %s' "$k"
        k=$(carry "$CH_SALT" chroma hostname_salt)
        [ -n "$k" ] && printf ',\n      "hostname_salt": %s' "$k"
        printf '\n    }'
    fi
    if [ -n "$OL_URL" ]; then
        printf "$sep"'    "orgloop": {\n      "url": %s' "$(json_str "$OL_URL")"; sep=',\n'
        k=$(carry "$OL_SECRET" orgloop secret)
        [ -n "$k" ] && printf ',\n      "secret": %s' "$k"
        printf '\n    }'
    fi
    if [ -n "$WH_URL" ]; then
        printf "$sep"'    "webhooks": [\n      {\n        "name": "webhook",\n        "url": %s' "$(json_str "$WH_URL")"
        k=$(carry "$WH_KEY" webhooks api_key)
        [ -n "$k" ] && printf ',\n        "api_key": %s' "$k"
        printf '\n      }\n    ]'
    fi
    printf '\n  }\n}\n'
}

# Empty when BIN runs: `--version`, then one real event through its local sink in
# a throwaway HOME; else why not, in a few words.
static_check() {
    [ -x "$1" ] || { printf 'no binary at %s' "$1"; return; }
    "$1" --version >/dev/null 2>&1 || { printf '%s --version failed' "$1"; return; }
    t=$(mktemp -d 2>/dev/null) || { printf 'mktemp failed'; return; }
    if ! (cd "$t" && env -i PATH=/usr/bin:/bin HOME="$t" "$1" <"$SRC_DIR/hooks/events/PostToolUse.json" >/dev/null 2>"$t/err"); then
        printf 'one event through it failed (%s)' "$(head -n 1 "$t/err" 2>/dev/null)"
    elif ! ls "$t"/.local/share/hookrelay/events/*.jsonl >/dev/null 2>&1; then
        printf 'one event through it was not kept'
    fi
    rm -rf -- "$t"
}

# ---- 1. the binary -------------------------------------------------------------------

if [ -n "$BINARY" ]; then
    [ -f "$BINARY" ] && [ -x "$BINARY" ] || die "--binary $BINARY: no such executable file"
    SRC_BIN=$BINARY
    say "using prebuilt $BINARY (no build)"
else
    command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust (https://rustup.rs), then re-run; or pass --binary PATH to install a prebuilt hookrelay"
    [ -f "$SRC_DIR/Cargo.lock" ] || die "$SRC_DIR/Cargo.lock is missing: run install.sh from a full hookrelay checkout"
    TARGET_DIR=${CARGO_TARGET_DIR:-$SRC_DIR/target}
    case $TARGET_DIR in /*) ;; *) TARGET_DIR=$SRC_DIR/$TARGET_DIR ;; esac
    SRC_BIN=$TARGET_DIR/release/hookrelay
    # The fast build first: statically linked and not position-independent, so
    # neither the dynamic loader nor a self-relocation runs on every event
    # (docs/performance.md). The explicit --target keeps the flags off proc-macros. It must build AND run (--version and one event through it),
    # else the ordinary build is installed, with one line saying why.
    HOST=$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')
    STATIC_FLAGS="${RUSTFLAGS:+$RUSTFLAGS }-C target-feature=+crt-static -C relocation-model=static"
    why_not=
    if [ "$STATIC" = 0 ]; then
        why_not="--dynamic given"
    else
        case $HOST in
        *-linux-gnu | *-linux-musl) ;;
        "") why_not="rustc -vV did not say the host target" ;;
        *) why_not="static linking is not offered for $HOST" ;;
        esac
    fi
    if [ "$DRY" = 1 ]; then
        if [ -z "$why_not" ]; then
            say "would run: RUSTFLAGS=\"$STATIC_FLAGS\" cargo build --release --locked --target $HOST (in $SRC_DIR), then check it runs; else cargo build --release --locked"
        else
            say "would run: cargo build --release --locked (in $SRC_DIR): $why_not"
        fi
    else
        if [ -z "$why_not" ]; then
            say "building hookrelay, statically linked (cargo build --release --locked --target $HOST)..."
            if (cd "$SRC_DIR" && RUSTFLAGS=$STATIC_FLAGS cargo build --release --locked --target "$HOST"); then
                why_not=$(static_check "$TARGET_DIR/$HOST/release/hookrelay")
                if [ -z "$why_not" ]; then
                    SRC_BIN=$TARGET_DIR/$HOST/release/hookrelay
                    say "built the statically linked binary (checked: --version and one event through it)"
                fi
            else
                why_not="its build failed (see above)"
            fi
        fi
        if [ -n "$why_not" ]; then
            say "not installing the statically linked build: $why_not; building the ordinary (dynamically linked) one instead"
            say "building hookrelay (cargo build --release --locked)..."
            (cd "$SRC_DIR" && cargo build --release --locked) || die "cargo build failed (see above)"
        fi
    fi
fi

mkdir_tracked "$BIN_DIR"
if [ "$DRY" = 0 ] && [ ! -w "$BIN_DIR" ]; then
    die "cannot write to $BIN_DIR: choose a --prefix you own (default ~/.local), or run as its owner"
fi
if [ -f "$DEST" ] && [ -f "$SRC_BIN" ] && cmp -s "$SRC_BIN" "$DEST"; then
    say "$DEST is up to date"
elif [ "$DRY" = 1 ]; then
    say "would install $SRC_BIN to $DEST (mode 0755)"
else
    cp -- "$SRC_BIN" "$DEST.tmp.$$" && chmod 0755 "$DEST.tmp.$$" && mv -f -- "$DEST.tmp.$$" "$DEST" ||
        { rm -f -- "$DEST.tmp.$$"; die "cannot install $DEST (permissions?)"; }
    say "installed $DEST"
fi
manifest_add "binary $DEST"

# ---- 2. the config ---------------------------------------------------------------------

OLD=
[ -f "$CONFIG" ] && OLD=$CONFIG
if [ -z "$BB_URL$CH_ENDPOINT$OL_URL$WH_URL$PROJECT$RUN_ID" ]; then
    if [ -n "$OLD" ]; then
        say "keeping $CONFIG (no config flags or variables given)"
    else
        say "no backend given: events are kept locally (~/.local/share/hookrelay/events); no config written"
    fi
elif [ -n "$OLD" ] && [ "$(config_json "$OLD")" = "$(cat "$OLD")" ]; then
    say "$CONFIG is up to date"
elif [ -n "$OLD" ] && [ "$FORCE" = 0 ]; then
    say "keeping existing $CONFIG (pass --force to rewrite it from these flags)"
elif [ "$DRY" = 1 ]; then
    say "would write $CONFIG (mode 0600):"
    config_json "$OLD" | sed -E -e 's/("(api_key|secret|hostname_salt)": )"([^"\\]|\\.)*"/\1"***"/' -e 's#//[^/@"]*@#//***@#'
else
    # Ours: created by install.sh now or on an earlier run (then --uninstall removes it).
    ours=0
    if [ -z "$OLD" ]; then
        ours=1
    elif [ -f "$MANIFEST" ] && awk -v p="config $CONFIG " 'index($0, p) == 1 { f = 1 } END { exit !f }' "$MANIFEST"; then
        ours=1
    fi
    umask 077
    mkdir_tracked "$(dirname -- "$CONFIG")"
    [ -w "$(dirname -- "$CONFIG")" ] || die "cannot write to $(dirname -- "$CONFIG"): fix its permissions or use --config"
    tmp=$CONFIG.tmp.$$
    config_json "$OLD" >"$tmp" && chmod 0600 "$tmp" || { rm -f -- "$tmp"; die "cannot write $CONFIG"; }
    # Never drop a key: one the old file has (in a layout install.sh could not
    # carry over, or in a section no longer given) stops the rewrite.
    if [ -n "$OLD" ]; then
        for k in api_key hostname_salt secret bearer_token; do
            if grep -q "\"$k\"" "$OLD" && ! grep -q "\"$k\"" "$tmp"; then
                rm -f -- "$tmp"
                die "--force would drop \"$k\" from $CONFIG: pass it again (see --help), or edit the file by hand"
            fi
        done
    fi
    if [ -n "$OLD" ]; then
        cp -- "$OLD" "$CONFIG.bak" && chmod 0600 "$CONFIG.bak"
        say "previous config saved as $CONFIG.bak"
        [ "$ours" = 1 ] && manifest_add "file $CONFIG.bak"
    fi
    mv -f -- "$tmp" "$CONFIG"
    say "wrote $CONFIG (mode 0600)"
    if [ "$ours" = 1 ]; then
        if [ -f "$MANIFEST" ]; then
            awk -v p="config $CONFIG " 'index($0, p) != 1' "$MANIFEST" >"$MANIFEST.tmp.$$"
            mv -f -- "$MANIFEST.tmp.$$" "$MANIFEST"
        fi
        manifest_add "config $CONFIG $(checksum "$CONFIG")"
    fi
fi

# ---- 3. Claude Code settings ----------------------------------------------------------

if [ "$WIRE" = 1 ]; then
    if [ "$SCOPE" = user ]; then SETTINGS=$HOME/.claude/settings.json; else SETTINGS=$(pwd)/.claude/settings.json; fi
    HR=$DEST
    [ -x "$HR" ] || HR=$SRC_BIN
    if [ -x "$HR" ]; then
        # The hook finds the default config itself; any other path goes on its command line.
        if [ "$CONFIG" = "$DEFAULT_CONFIG" ]; then set -- "$HR"; else set -- "$HR" --config "$CONFIG"; fi
        # The installed path, also in a dry run (the build tree's is not what runs).
        set -- "$@" install --settings "$SETTINGS" --events "$EVENTS" --binary "$DEST"
        if [ "$DRY" = 1 ]; then
            "$@" --dry-run
        else
            "$@" || die "could not wire $SETTINGS (see above); the binary and config are installed, re-run once fixed"
        fi
    else
        say "would run: $DEST install --scope $SCOPE --events $EVENTS"
    fi
    manifest_add "settings $SETTINGS"
fi

say ""
if [ "$DRY" = 1 ]; then
    say "dry run: nothing was changed."
else
    [ "$WIRE" = 1 ] || say "not wired (--no-wire): Claude Code runs hookrelay once you run: $DEST install"
    say "done. Check the setup with:  $DEST doctor"
    say "try an event with:           $DEST send SessionStart"
    say "undo with:                   $0 --uninstall"
    case :$PATH: in *:"$BIN_DIR":*) ;; *) say "note: $BIN_DIR is not on PATH" ;; esac
fi
