# Sourced by the checks in .ci/ that need the service running: starts <binary> on a fresh
# database named <name>_<pid> and a free port, waits until it is ready, and drops the database
# when the calling script exits. Sets `base` (its URL) and `admin` (an admin key). Extra
# settings come from the caller's environment (exported before calling).
# Usage: serve_on_fresh_database <binary> <name> <work dir>
serve_on_fresh_database() {
  local binary=$1 work=$3
  database="$2_$$"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  export DATABASE_URL="dbname=$database" BIND_ADDRESS="127.0.0.1:$port" LOG_LEVEL=warn
  export SIGNING_KEY_FILE="$work/signing.key"
  admin=$("$binary" admin-key | tail -n 1)
  "$binary" >"$work/service.log" 2>&1 &
  service=$!
  trap 'kill $service 2>/dev/null; wait $service 2>/dev/null; psql -qX -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1' EXIT
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "$base/health/ready" && return 0
    sleep 0.2
  done
  echo "the service did not become ready; see $work/service.log" >&2
  return 1
}
