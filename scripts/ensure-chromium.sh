#!/usr/bin/env bash
# Debian's chromium for the dashboard's browser tests (tests/e2e), installed
# where that can be done: as root with apt-get. The tests look where this
# script looks (tests/e2e/browser.ts): CHROMIUM_PATH when set, else `chromium`
# on PATH. Exits 0 when a browser is there afterwards; otherwise says why and
# exits 1, and the caller decides: the quick start carries on (`pnpm test`
# then skips the browser tests and says so), CI stops.
set -uo pipefail

found() {
  if [[ -n "${CHROMIUM_PATH:-}" ]]; then [[ -f "$CHROMIUM_PATH" && -x "$CHROMIUM_PATH" ]]; else command -v chromium >/dev/null 2>&1; fi
}
location() { if [[ -n "${CHROMIUM_PATH:-}" ]]; then echo "$CHROMIUM_PATH"; else command -v chromium; fi; }
missing() {
  echo "No browser for the dashboard tests: $1." >&2
  echo "  'pnpm test' skips the browser tests and lists them as skipped with this reason (under CI=true they fail)." >&2
  echo "  To run them: as root, apt-get install -y chromium; or point CHROMIUM_PATH at a Chromium." >&2
  exit 1
}

if found; then
  echo "Browser for the dashboard tests: $(location)"
  exit 0
fi
# An explicit path is what the tests will use, so installing the package would not help.
[[ -n "${CHROMIUM_PATH:-}" ]] && missing "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file"
command -v apt-get >/dev/null 2>&1 || missing "chromium is not on PATH, and without apt-get it cannot be installed here"
[[ "$(id -u)" == 0 ]] || missing "chromium is not on PATH, and installing it with apt-get needs root"

echo "Installing Debian's chromium for the dashboard's browser tests (apt-get install -y chromium)..."
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
  missing "apt-get could not install chromium (see its messages above)"
fi
found || missing "apt-get installed chromium, but there is no chromium on PATH"
echo "Browser for the dashboard tests: $(location)"
