#!/usr/bin/env bash
# One command on a fresh machine with Node 20: install (the workspace, and
# Debian's chromium for the browser tests where that can be done), import the
# shipped sample registrations into the embedded store, and print an indicator.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version)" != 10.* ]]; then
  echo "Installing pnpm 10 from the npm registry..."
  npm install -g pnpm@10
fi
pnpm install --frozen-lockfile
# Without a browser `pnpm test` skips the browser tests and says so, so the quick start goes on.
bash scripts/ensure-chromium.sh || true
export PATHWAYS_DB="${PATHWAYS_DB:-./data/sample.sqlite}"
pnpm --silent pathways import samples/small --known-at 2023-11-01
pnpm --silent pathways stats
pnpm --silent pathways report advice-position --cohort-type advice --cohort 2012-2013 --rules monitor --by parental_education
