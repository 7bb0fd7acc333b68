#!/usr/bin/env bash
# Builds daprd + scheduler from the Go module proxy into
#   ${TODO_FN_CACHE:-~/.cache/todo-fn}/dapr-<ver>/bin
# Idempotent: a complete cached build of the same recipe is reused (milliseconds). Prints the bin dir.
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

# Bump when the build changes so caches built by an older recipe are rebuilt (incrementally: Go's build
# cache keeps the compiled packages, so a recipe change costs a relink, not a cold build).
# r2: stablecomponents + the sqlite name resolver (only tagged `allcomponents` upstream; mDNS multicasts),
#     version stamped via ldflags (else daprd reports "edge"), -s -w.
recipe="r2 tags=stablecomponents nr=sqlite ldflags=version,-s,-w"

complete() { [ -x "$bin/daprd" ] && [ -x "$bin/scheduler" ] && [ "$(cat "$bin/.recipe" 2>/dev/null)" = "$recipe" ]; }
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

# Register the sqlite name resolver in the stablecomponents build.
nr="$work/src/cmd/daprd/components/nameresolution_sqlite.go"
sed -i '1s#^//go:build allcomponents$#//go:build allcomponents || stablecomponents#' "$nr"
head -1 "$nr" | grep -q stablecomponents || { log "could not enable the sqlite name resolver in $nr"; exit 1; }

log "building daprd + scheduler (a cold build takes tens of minutes; nice -n 10)"
mkdir -p "$work/bin"
(cd "$work/src" && CGO_ENABLED=0 nice -n 10 go build -trimpath -tags stablecomponents \
  -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION" \
  ${DAPR_BUILD_FLAGS:-} -o "$work/bin/" ./cmd/daprd ./cmd/scheduler)
"$work/bin/daprd" --version >&2
echo "$recipe" > "$work/bin/.recipe"
# Publish the new bin dir in one rename, so a half build is never seen as cached.
rm -rf "$bin.old"
[ -d "$bin" ] && mv "$bin" "$bin.old"
mv "$work/bin" "$bin"
rm -rf "$bin.old"
log "built in $(( $(date +%s) - start ))s -> $bin"
echo "$bin"
