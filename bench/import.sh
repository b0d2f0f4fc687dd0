#!/usr/bin/env bash
# Import benchmark: a 100,000-row list through POST /v1/establishment-imports, imported fresh,
# again unchanged, and as a complete list with 1% renamed and 1% dropped; then lookups by code
# and status-on-date with a million establishments. Prints the figures; asserts nothing.
#
# Uses the PostgreSQL server the libpq defaults point at (durable settings as configured
# there), a scratch database agri_quarantine_bench, and a release build on 127.0.0.1:8091.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-100000}
DB=agri_quarantine_bench
PORT=${PORT:-8091}
API=http://127.0.0.1:$PORT
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release -q
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
export DATABASE_URL="dbname=$DB" BIND_ADDRESS="127.0.0.1:$PORT" LOG_LEVEL=warn
ADMIN=$(./target/release/agri-quarantine admin-key)
./target/release/agri-quarantine 2>"$work/server.log" &
server=$!
for _ in $(seq 1 50); do curl -sf "$API/health/ready" >/dev/null && break; sleep 0.2; done

python3 bench/make_list.py "$ROWS" "$work/list.csv"
python3 bench/make_list.py "$ROWS" "$work/changed.csv" 100
# The complete list drops every hundredth row (offset 50) and renames another hundredth.
awk 'NR == 1 || (NR - 2) % 100 != 50' "$work/changed.csv" > "$work/complete.csv"
echo "list: $ROWS rows, $(du -h "$work/list.csv" | cut -f1)"

run_import() { # label file complete date
  local query="kind=packing_house&commodity=durian&list_date=$4&source=bench&complete=$3"
  local out
  out=$(curl -s -o "$work/result.json" -w '%{http_code} %{time_total}' -X POST "$API/v1/establishment-imports?$query" \
    -H "Authorization: Bearer $ADMIN" -H 'Content-Type: text/csv' --data-binary "@$2")
  printf '%-34s HTTP %s in %6.2f s  %s\n' "$1" "${out% *}" "${out#* }" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("summary"))' "$work/result.json")"
}
run_import "first import (all new)" "$work/list.csv" false 2024-05-01
run_import "same list again (no change)" "$work/list.csv" false 2024-05-01
run_import "complete list, 1% renamed/dropped" "$work/complete.csv" true 2024-07-01

echo
echo "seeding to 1,000,000 establishments with two status periods each (SQL, not timed)"
psql -X -q -d $DB <<'SQL'
INSERT INTO establishments (id, kind, code, name, address, province, commodities, source_list, source_date)
SELECT gen_random_uuid(), 'orchard', 'VN-SEED-' || lpad(i::text, 7, '0'), 'Vườn ' || i, 'Ấp ' || (i % 90), 'Tiền Giang',
       ARRAY['durian'], 'seed', DATE '2023-01-01'
FROM generate_series(1, 1000000 - (SELECT count(*) FROM establishments)) AS i;
INSERT INTO establishment_status_periods (id, establishment_id, commodity, status, effective_from, effective_until, reference)
SELECT gen_random_uuid(), id, 'durian', 'approved', DATE '2023-01-01', NULL, 'seed' FROM establishments WHERE kind = 'orchard'
UNION ALL
SELECT gen_random_uuid(), id, 'durian', 'suspended', DATE '2024-06-12', DATE '2024-08-31', 'seed notice'
FROM establishments WHERE kind = 'orchard' AND right(code, 2) = '00';
ANALYZE;
SQL
psql -X -At -d $DB -c "SELECT 'establishments: ' || count(*) FROM establishments" -c "SELECT 'status periods: ' || count(*) FROM establishment_status_periods"

echo
echo "query plans with 1,000,000 rows:"
psql -X -At -d $DB <<'SQL' | grep -E "Index|Seq Scan|Execution Time" | sed 's/^/  /'
EXPLAIN (ANALYZE, COSTS OFF) SELECT * FROM establishments WHERE kind = 'orchard' AND code = 'VN-SEED-0500000';
EXPLAIN (ANALYZE, COSTS OFF) SELECT p.status FROM establishment_status_periods p
  JOIN establishments e ON e.id = p.establishment_id
  WHERE e.kind = 'orchard' AND e.code = 'VN-SEED-0500000' AND p.commodity = 'durian'
    AND p.effective_from <= DATE '2024-07-01' AND (p.effective_until IS NULL OR p.effective_until >= DATE '2024-07-01')
  ORDER BY p.effective_from DESC, p.severity DESC LIMIT 1;
SQL

echo
echo "HTTP, one client, 200 requests each (median and max seconds):"
time_get() { # label path
  for _ in $(seq 1 200); do
    curl -s -o /dev/null -w '%{time_total}\n' "$API$2" -H "Authorization: Bearer $ADMIN"
  done | sort -n | awk -v label="$1" '{ t[NR] = $1 } END { printf "  %-44s median %.4f  max %.4f\n", label, t[int(NR / 2)], t[NR] }'
}
time_get "GET establishment by code, status on a date" "/v1/establishments/orchard/VN-SEED-0500000?on=2024-07-01"
time_get "GET list, suspended durian on 2024-07-01" "/v1/establishments?kind=orchard&commodity=durian&status=suspended&on=2024-07-01&limit=50"
time_get "GET list, text search" "/v1/establishments?q=SEED-04999&limit=20"
