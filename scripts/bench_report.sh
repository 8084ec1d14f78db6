#!/bin/bash
# make bench, the reports: the time to answer the dashboard's figures
# (GET /api/v1/reports/indicators for the whole country and the current
# year, as the analyst) over the demo database and over a synthetic
# national data set (cbpn demo --scale, BENCH_SCALE cases, default
# 1,000,000), each next to the plain-SQL recomputation of the same figures
# from the records in sqlite3 (bench/report_recompute.sql) in the same run.
# "cold" is the first answer after a write (the published snapshot rebuilt
# from the maintained aggregates); "warm" the next ones (median of 5).
# Also the time cbpn demo --scale took.
set -eu
BUILD=${BUILD:-build}
BIN=$BUILD/cbpn
SCALE=${BENCH_SCALE:-1000000}
dir=$(mktemp -d -p "${BENCH_DIR:-${TMPDIR:-/tmp}}")
chmod 755 "$dir"
pid=
cleanup() {
    [ -n "$pid" ] && kill $pid 2>/dev/null
    wait 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
year=$(date -u +%Y)
from=$year-01-01 to=$year-12-31 end=$((year + 1))-01-01

serve() { # db
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$BIN" serve --db "$1" --listen "127.0.0.1:$port" 2> "$dir/serve.log" &
    pid=$!
    base=http://127.0.0.1:$port
    for _ in $(seq 600); do curl -sf "$base/healthz" > /dev/null && break; sleep 0.1; done
}
stop() {
    kill "$pid"
    wait "$pid" || true
    pid=
}
token() {
    curl -sf -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"bench-password-1\"}" "$base/api/v1/session" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
secs() { # url token: seconds to answer
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $2" "$1"
}
median5() { sort -g | sed -n 3p; }
recompute() { # db: seconds for the plain-SQL recomputation (median of 3)
    sed -e "s/@FROM@/$from/g" -e "s/@TO@/$to/g" -e "s/@END@/$end/g" bench/report_recompute.sql > "$dir/q.sql"
    for _ in 1 2 3; do
        local s0
        s0=$(date +%s.%N)
        sqlite3 "$1" < "$dir/q.sql" > /dev/null
        awk "BEGIN {print $(date +%s.%N) - $s0}"
    done | sort -g | sed -n 2p
}
measure() { # db label
    local db=$1 label=$2 t cold warm health base_sql
    base_sql=$(recompute "$db")
    serve "$db"
    t=$(token analyst)
    local url="$base/api/v1/reports/indicators?from=$from&to=$to"
    cold=$(secs "$url" "$t")
    warm=$(for _ in 1 2 3 4 5; do secs "$url" "$t"; done | median5)
    health=$(for _ in 1 2 3 4 5; do secs "$base/healthz" ""; done | median5)
    stop
    printf '  %-34s dashboard cold %7.3f s, warm %7.3f s; plain SQL in sqlite3 %7.3f s (cold %.3f x, warm %.4f x the plain SQL); /healthz %.4f s\n' \
        "$label" "$cold" "$warm" "$base_sql" "$(awk "BEGIN {print $cold / $base_sql}")" \
        "$(awk "BEGIN {print $warm / $base_sql}")" "$health"
}

echo "bench-password-1" | "$BIN" demo --db "$dir/demo.db" --password-stdin > /dev/null
start=$(date +%s.%N)
echo "bench-password-1" | "$BIN" demo --db "$dir/scale.db" --password-stdin --scale "$SCALE" > /dev/null 2> "$dir/scale.log"
took=$(awk "BEGIN {print $(date +%s.%N) - $start}")
echo "reports: the dashboard (GET /api/v1/reports/indicators, the country, $year, as the analyst) and the plain-SQL recomputation:"
measure "$dir/demo.db" "the Siem Reap demo"
measure "$dir/scale.db" "demo --scale $SCALE"
printf '  cbpn demo --scale %s took %.1f s (%s)\n' "$SCALE" "$took" "$(tail -1 "$dir/scale.log")"
