#!/usr/bin/env bash
# The service and pgbench side by side on the same PostgreSQL, in one run, so the ratios hold
# on a noisy machine. Run from the project root after `cargo build --release`:
#   bash bench/http-vs-pgbench.sh
# Writes at 4, 16 and 64 connections (POST /v1/consignments against pgbench tpcb-like), reads
# at 16 (GET a consignment and GET a verification against pgbench select-only), and writes
# through two instances on one database. The steps at 64 connections and through two instances
# are compared with the one-instance steps at 16 before and after them. Prints one RESULT line
# per step, the ratios against the targets, and the peak RSS of each instance.
# Settings: CONNECTIONS (default "4 16 64"), T seconds per write step (10), R per read step
# (10), ROUNDS (1). Needs wrk and pgbench (Debian: wrk, postgresql-client) and a PostgreSQL
# the libpq defaults and PG* variables reach, as the tests do.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-target/release/agri-quarantine}
CONNECTIONS=${CONNECTIONS:-"4 16 64"}; T=${T:-10}; R=${R:-10}; ROUNDS=${ROUNDS:-1}
[[ -x $BIN ]] || { echo "no $BIN: run cargo build --release first" >&2; exit 2; }
for tool in wrk pgbench psql curl python3 setsid; do
  command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 2; }
done
DB=bench_http_$$; PGB=bench_pgbench_$$; WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT1=$(free_port); PORT2=$(free_port); PORT3=$(free_port)
export DATABASE_URL="dbname=$DB" VERIFY_RATE_LIMIT_PER_MINUTE=1000000 LOG_LEVEL=warn
export SIGNING_KEY_FILE=$WORK/signing.key
# Instances are started in this shell and in the step below; each one's pid is kept in a file,
# so that the cleanup stops every one of them.
start() { # port [workers]
  WORKERS=${2:-0} BIND_ADDRESS=127.0.0.1:$1 "$BIN" >>"$WORK/server-$1.log" 2>&1 &
  echo $! >"$WORK/pid-$1"
  for _ in $(seq 150); do curl -fs -o /dev/null "http://127.0.0.1:$1/health/ready" && return 0; sleep 0.2; done
  echo "the service on port $1 did not start:" >&2; cat "$WORK/server-$1.log" >&2; exit 1; }
stop() { # port: records the instance's peak RSS, then stops it
  local pid; pid=$(cat "$WORK/pid-$1")
  echo "$1 $(awk '/VmHWM/ {print $2}' /proc/"$pid"/status)" >>"$WORK/rss"
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; rm -f "$WORK/pid-$1"; }
cleanup() { for file in "$WORK"/pid-*; do [[ -f $file ]] && kill "$(cat "$file")" 2>/dev/null; done
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS $PGB WITH (FORCE)" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
start "$PORT1"
ADMIN=$("$BIN" admin-key 2>/dev/null | tail -n1)
SEED=$(python3 "$HERE/seed.py" "http://127.0.0.1:$PORT1" "$ADMIN" "$HERE/durian-consignment.json" "$WORK/body.json") \
  || { echo "seed failed: $SEED" >&2; exit 1; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$SEED" "$1"; }
EXPORTER=$(field exporter); CONSIGNMENT=$(field consignment); CERTIFICATE=$(field certificate)
psql -qX -d postgres -c "CREATE DATABASE $PGB" >/dev/null && pgbench -q -i -s 16 "$PGB" >/dev/null 2>&1
# The load generators run in a session of their own (setsid): with the kernel's autogroup
# scheduling a session shares its CPU among its threads, and wrk in the service's session was
# starved by the busy HTTP workers, so it counted its own waits as latency (p99 near 1 s while
# the service's own request histogram had 99% under 10 ms). pgbench gets the same treatment.
pgb() { setsid -w pgbench -c "$1" -j 2 -T "$2" $3 "$PGB" 2>/dev/null | awk '/^tps/ {printf "RESULT rps=%.1f\n", $3}'; }
http() { # connections seconds port path [KEY=.. BODY_FILE=.. in the environment]
  setsid -w wrk -t2 -c"$1" -d"$2"s --latency -s "$HERE/wrk-report.lua" "http://127.0.0.1:$3$4" | grep RESULT; }
two_instances() { # connections in all, split over both instances, figures summed
  # The two instances share the machine, so each is given one worker: two instances of a worker
  # per core put four busy threads on two cores (in alternated steps against one instance:
  # 0.94-1.03x with two workers each, 1.06-1.24x with one). They run for this step only: their
  # connections, kept open, left pgbench too few for 64 clients in the next round.
  start "$PORT2" 1; start "$PORT3" 1
  KEY=$EXPORTER BODY_FILE=$WORK/body.json http $(($1 / 2)) "$T" "$PORT2" /v1/consignments >"$WORK/a" &
  local first=$!
  KEY=$EXPORTER BODY_FILE=$WORK/body.json http $(($1 / 2)) "$T" "$PORT3" /v1/consignments >"$WORK/b"
  wait "$first"; stop "$PORT2"; stop "$PORT3"
  python3 - "$WORK/a" "$WORK/b" <<'PY'
import re, sys
rows = [open(path).read() for path in sys.argv[1:]]
rps = sum(float(re.search(r"rps=([0-9.]+)", row).group(1)) for row in rows)
p99 = max(float(re.search(r"p99=([0-9.]+)ms", row).group(1)) for row in rows)
print(f"RESULT rps={rps:.1f} p99={p99:.1f}ms")
PY
}
for round in $(seq "$ROUNDS"); do
  for c in $CONNECTIONS; do
    echo "pgbench tpcb-like c=$c: $(pgb "$c" "$T" '')"
    echo "POST /v1/consignments c=$c: $(KEY=$EXPORTER BODY_FILE=$WORK/body.json http "$c" "$T" "$PORT1" /v1/consignments)"
  done
  # The service against itself (64 connections, two instances) is measured between steps of one
  # instance at 16, and compared with their mean: this machine's speed drifts by a third within
  # a minute, and a baseline a minute away measured the drift as much as the service.
  echo "POST /v1/consignments c=16 after c=64: $(KEY=$EXPORTER BODY_FILE=$WORK/body.json http 16 "$T" "$PORT1" /v1/consignments)"
  echo "POST /v1/consignments two instances c=16: $(two_instances 16)"
  echo "POST /v1/consignments c=16 after two instances: $(KEY=$EXPORTER BODY_FILE=$WORK/body.json http 16 "$T" "$PORT1" /v1/consignments)"
  echo "pgbench select-only c=16: $(pgb 16 "$R" -S)"
  echo "GET /v1/consignments/{id} c=16: $(KEY=$EXPORTER http 16 "$R" "$PORT1" "/v1/consignments/$CONSIGNMENT")"
  echo "GET /v1/verify/{number} c=16: $(KEY= http 16 "$R" "$PORT1" "/v1/verify/$CERTIFICATE")"
done | tee /dev/stderr | python3 "$HERE/ratios.py"
UNSEALED=$(psql -qAtX -d "$DB" -c "SELECT count(*) FROM audit_pending")
stop "$PORT1"
awk -v one="$PORT1" '$2 > peak[$1] { peak[$1] = $2 }
  END { for (port in peak) printf "peak RSS of the %s: %d kB\n", port == one ? "instance of the one-instance steps" : "instance on port " port " (two-instance steps)", peak[port] }' "$WORK/rss"
echo "unsealed audit events right after the run: $UNSEALED"
