#!/bin/bash
# make bench: throughput of the main paths of a running cbpn on the demo
# database, each as a ratio to GET /healthz measured in the same run (the
# machine is noisy; the ratios are what to compare between versions).
# Also the size of the binary and the resident memory of an idle server.
set -eu
BUILD=${BUILD:-build}
BIN=$BUILD/cbpn
DUR=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-8}
command -v wrk >/dev/null || { echo "bench needs wrk (scripts/deps.sh installs it)"; exit 1; }

dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
echo "bench-password-1" | "$BIN" demo --db "$dir/b.db" --password-stdin > /dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve --db "$dir/b.db" --listen "127.0.0.1:$port" 2> "$dir/serve.log" &
pid=$!
base=http://127.0.0.1:$port
for _ in $(seq 100); do curl -sf "$base/healthz" > /dev/null && break; sleep 0.05; done
sleep 1
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

token() {
    curl -sf -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"bench-password-1\"}" "$base/api/v1/session" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
export TOKEN
TOKEN=$(token caseworker1)
case_id=$(curl -sf -H "Authorization: Bearer $TOKEN" "$base/api/v1/cases?limit=1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

rate() { # name, wrk args...
    local name=$1
    shift
    local r
    r=$(wrk -t1 -c"$CONNS" -d"${DUR}s" "$@" | awk '/Requests\/sec/ {print $2}')
    printf '%s %s\n' "$name" "$r"
}

{
    rate "GET /healthz (baseline)" "$base/healthz"
    rate "GET /login (page)" "$base/login"
    rate "GET /api/v1/locations?q=Pouk" -s bench/auth.lua "$base/api/v1/locations?q=Pouk"
    rate "GET /api/v1/cases (caseworker)" -s bench/auth.lua "$base/api/v1/cases"
    rate "GET /api/v1/cases/{id} (unseal + audit)" -s bench/auth.lua "$base/api/v1/cases/$case_id"
    rate "POST /api/v1/cases (seal + audit)" -s bench/post_case.lua "$base/api/v1/cases"
} > "$dir/rates"

base_rate=$(head -1 "$dir/rates" | awk '{print $NF}')
echo "cbpn bench: wrk, 1 thread, $CONNS connections, ${DUR}s each, $(nproc) cores"
awk -v b="$base_rate" '{r=$NF; $NF=""; printf "  %-44s %9.0f req/s   %.3f x baseline\n", $0, r, r/b}' "$dir/rates"
echo "  binary size: $(stat -c %s "$BIN") bytes ($BIN)"
echo "  idle resident memory of cbpn serve on the demo database: ${rss} KiB"
