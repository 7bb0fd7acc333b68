#!/usr/bin/env bash
# Builds daprd + scheduler from the Go module proxy into
#   ${TODO_FN_CACHE:-~/.cache/todo-fn}/dapr-<ver>/bin
# Idempotent: a complete cached build is reused (seconds). Prints the bin dir on stdout.
# go install does not work (dapr/dapr's go.mod has replace directives), so: download the module,
# copy it to a writable dir and `go build` inside it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache="${TODO_FN_CACHE:-$HOME/.cache/todo-fn}"
dest="$cache/dapr-$DAPR_VERSION"
bin="$dest/bin"
log() { echo "[get-dapr] $*" >&2; }

complete() { [ -x "$bin/daprd" ] && [ -x "$bin/scheduler" ]; }
if complete; then echo "$bin"; exit 0; fi

mkdir -p "$dest"
exec 9>"$dest/.lock"
log "waiting for build lock $dest/.lock"
flock 9
if complete; then echo "$bin"; exit 0; fi

command -v go >/dev/null || { log "go is not installed (need Go >= 1.26)"; exit 1; }
start=$(date +%s)
work="$(mktemp -d "$dest/build.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

log "downloading github.com/dapr/dapr@v$DAPR_VERSION"
dir="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
[ -n "$dir" ] && [ -d "$dir" ] || { log "go mod download gave no Dir"; exit 1; }
cp -r "$dir" "$work/src"
chmod -R u+w "$work/src"

log "building daprd + scheduler (cold build takes tens of minutes; nice -n 10)"
mkdir -p "$work/bin"
(cd "$work/src" && CGO_ENABLED=0 nice -n 10 go build -trimpath -tags stablecomponents \
  ${DAPR_BUILD_FLAGS:-} -o "$work/bin/" ./cmd/daprd ./cmd/scheduler)
"$work/bin/daprd" --version >&2
# Atomic publish: a half build is never seen as cached.
rm -rf "$bin"
mv "$work/bin" "$bin"
log "built in $(( $(date +%s) - start ))s -> $bin"
echo "$bin"
