#!/usr/bin/env bash
# The contract under a fuzzer (run by .ci/run after the README's test command): schemathesis,
# pinned, sends generated requests to the built service as admin, exporter, inspector and
# anonymous caller, with every check, a fixed seed and enough examples for well over 5,000
# requests, and fails on any server error or contract violation. The service runs on a fresh
# database seeded with one organisation of each kind, a registry and an approved certificate
# (bench/seed.py), so the generated requests reach more than 404s.
# Usage: run.sh <service binary>. Settings: FUZZ_EXAMPLES (examples per operation and role).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
examples=${FUZZ_EXAMPLES:-10}
work="$here/generated"
rm -rf "$work" && mkdir -p "$work"
cd "$here"

echo "-- schemathesis (pinned)"
[ -x venv/bin/python ] || python3 -m venv venv
venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt

# The fuzzer asks far more than a person would: the verification limits must not answer 429
# to most of it (they are tested on their own in the suite).
export VERIFY_RATE_LIMIT_PER_MINUTE=1000000 VERIFY_MISS_RATE_LIMIT_PER_MINUTE=1000000
source "$root/.ci/serve.sh"
serve_on_fresh_database "$binary" agri_fuzz "$work"
seeded=$(python3 "$root/bench/seed.py" "$base" "$admin" "$root/bench/durian-consignment.json")
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$seeded" "$1"; }

failed=0
for role in admin exporter inspector anonymous; do
  case $role in
    admin) headers=(-H "Authorization: Bearer $admin") ;;
    exporter) headers=(-H "Authorization: Bearer $(field exporter)") ;;
    inspector) headers=(-H "Authorization: Bearer $(field inspector)") ;;
    anonymous) headers=() ;;
  esac
  echo "-- as $role: $examples examples per operation, seed 42, every check"
  if ! PYTHONPATH="$here" FUZZ_CONTRACT="$root/openapi.yaml" venv/bin/st --config-file "$here/schemathesis.toml" --no-color run "$root/openapi.yaml" \
      --url "$base" "${headers[@]}" --checks all --exclude-checks positive_data_acceptance --seed 42 --max-examples "$examples" --workers 1 \
      --report junit --report-junit-path "$work/$role.xml" >"$work/$role.txt" 2>&1; then
    failed=1
  fi
  # The summary: requests sent, failures by check.
  sed -n '/SUMMARY/,$p' "$work/$role.txt"
done
if grep -q "panicked\|internal_error" "$work/service.log"; then
  echo "the service logged an internal error during the fuzz run" >&2
  grep -m 5 "panicked\|internal_error" "$work/service.log" >&2
  failed=1
fi
exit $failed
