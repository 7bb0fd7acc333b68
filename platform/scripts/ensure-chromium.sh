#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests (playwright-core cannot download
# browsers here). Idempotent: does nothing when the binary exists. Fails loudly when it cannot install.
set -euo pipefail
BIN="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi
# Elsewhere (e.g. a CI image) a Chrome or Chromium may already be installed under another name.
if [ -z "${CHROMIUM_PATH:-}" ]; then
  for candidate in google-chrome-stable google-chrome chromium-browser; do
    found="$(command -v "$candidate" 2>/dev/null || true)"
    if [ -n "$found" ] && "$found" --version >/dev/null 2>&1; then
      echo "$found"
      exit 0
    fi
  done
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing at $BIN and apt-get is not available: install Chromium and set CHROMIUM_PATH." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Chromium is missing at $BIN; run as root or install it: apt-get install -y chromium" >&2
    exit 1
  fi
fi
# Serialise concurrent callers (parallel test files) on one lock.
exec 9>/tmp/todo-ensure-chromium.lock
flock 9
if [ ! -x "$BIN" ]; then
  echo "Installing Debian's chromium (apt-get)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2 || true
  if ! $SUDO apt-get install -y -qq chromium >&2; then
    echo "apt-get could not install chromium; the browser tests cannot run without it." >&2
    exit 1
  fi
fi
if [ ! -x "$BIN" ]; then
  echo "chromium installed but $BIN is still missing" >&2
  exit 1
fi
echo "$BIN"
