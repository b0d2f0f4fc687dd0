#!/usr/bin/env bash
# Typed clients from the contract (run by .ci/run after the README's test command):
#   1. openapi.yaml passes Redocly (recommended rules) and Spectral (spectral:oas) with no
#      error and no warning;
#   2. openapi-python-client generates a Python client without a single warning, and the
#      exporter-to-verified-certificate journey (journey.py) passes mypy --strict and runs
#      against the built service;
#   3. openapi-typescript generates TypeScript types that compile with tsc --strict.
# Usage: run.sh <service binary>. Every tool's version is pinned (package.json, requirements.txt).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
spec="$root/openapi.yaml"
work="$here/generated"
rm -rf "$work" && mkdir -p "$work"
cd "$here"

echo "-- tools (pinned)"
npm install --no-audit --no-fund --silent
[ -x venv/bin/python ] || python3 -m venv venv
venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
export PATH="$here/venv/bin:$here/node_modules/.bin:$PATH"

echo "-- Redocly (recommended rules): no errors, no warnings"
redocly lint "$spec" --config "$here/redocly.yaml" --format=stylish 2>&1 | tee "$work/redocly.txt"
grep -Eq "(error|warning) +[a-z-]+ " "$work/redocly.txt" && { echo "Redocly reported problems" >&2; exit 1; }

echo "-- Spectral (spectral:oas): no errors, no warnings"
spectral lint "$spec" --ruleset "$here/.spectral.yaml" --fail-severity=warn

echo "-- openapi-python-client: no warnings"
openapi-python-client generate --path "$spec" --output-path "$work/python/agri_quarantine_client" \
  --meta none --config client-config.yaml 2>&1 | tee "$work/python-generator.txt"
if grep -Eiq "warning|unable|cannot|skipping|error" "$work/python-generator.txt"; then
  echo "the Python generator warned" >&2
  exit 1
fi

echo "-- the journey, type-checked"
MYPYPATH="$work/python" mypy --strict journey.py

echo "-- the journey, run against the service"
source "$root/.ci/serve.sh"
serve_on_fresh_database "$binary" agri_typed_clients "$work"
PYTHONPATH="$work/python" python journey.py "$base" "$admin"

echo "-- openapi-typescript, compiled with tsc --strict"
openapi-typescript "$spec" --output "$work/schema.d.ts"
tsc --strict --noEmit --target es2022 --module es2022 --moduleResolution bundler check.ts
