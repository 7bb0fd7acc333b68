#!/usr/bin/env bash
# Installs schemathesis from PyPI into a virtualenv at
#   ${TODO_FN_CACHE:-~/.cache/todo-fn}/schemathesis-<ver>/
# Idempotent: a complete cached venv is reused. Prints the venv dir on stdout (the CLI is bin/st).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache="${TODO_FN_CACHE:-$HOME/.cache/todo-fn}"
dest="$cache/schemathesis-$SCHEMATHESIS_VERSION"
log() { echo "[get-schemathesis] $*" >&2; }

# .complete is written only after the install answered --version, so a half install is never taken as cached.
if [ -f "$dest/.complete" ]; then echo "$dest"; exit 0; fi

mkdir -p "$cache"
exec 9>"$dest.lock"
flock 9
if [ -f "$dest/.complete" ]; then echo "$dest"; exit 0; fi

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { log "$python is not installed (need Python 3.9+ with venv)"; exit 1; }
start=$(date +%s)
# A venv records its own absolute path, so it is built where it will live: in a temp dir beside it,
# then renamed into place (same filesystem); the scripts' shebangs are rewritten to the final path.
tmp="$(mktemp -d "$dest.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
log "creating a venv with $("$python" --version 2>&1)"
"$python" -m venv "$tmp" >&2
log "installing schemathesis==$SCHEMATHESIS_VERSION from PyPI"
"$tmp/bin/python" -m pip install --disable-pip-version-check -q "schemathesis==$SCHEMATHESIS_VERSION" >&2
"$tmp/bin/st" --version >&2
# Point the venv at its final home: activate scripts, console-script shebangs and pyvenv.cfg.
grep -rlF "$tmp" "$tmp/bin" "$tmp/pyvenv.cfg" 2>/dev/null | while read -r f; do
  sed -i "s#$tmp#$dest#g" "$f"
done
touch "$tmp/.complete"
rm -rf "$dest"
mv "$tmp" "$dest"
"$dest/bin/st" --version >/dev/null
log "installed in $(( $(date +%s) - start ))s -> $dest"
echo "$dest"
