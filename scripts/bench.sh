#!/bin/bash
# make bench: throughput of the main paths of a running cbpn on the demo
# database, each as a ratio to GET /healthz measured in the same run (the
# machine is noisy; the ratios are what to compare between versions).
# Also the size of the binary and the resident memory of an idle server.
#
# Case creation is measured again on two servers, each over a fresh copy of
# the demo database and against its own /healthz: one as cbpn runs
# (synchronous = FULL: every commit fsyncs the write-ahead log), one with
# the test-only CBPN_TEST_SYNCHRONOUS=normal, so the cost of durable
# commits is read off in one run. BENCH_DIR puts the databases on the disk
# to measure (default: $TMPDIR or /tmp).
#
# Then the same on PostgreSQL (a throwaway cluster, scripts/pg.sh): case
# view and case creation with one cbpn server and with two on the same
# database, each as a ratio to the same request on SQLite in this run. On a
# 2-core machine the two servers, wrk and PostgreSQL share the cores: two
# servers show that scaling out is correct, not that it is faster.
#
# Last, the cost of sealing and auditing, in-process ($BUILD/bench/seal_audit,
# never installed): case view and case creation through the domain calls
# of the API handlers, as cbpn runs, with every audit append of a read in
# its own commit (as before the group commit), without auditing, and
# without sealing and auditing, on 1, 2 and 8 threads, on a fresh copy of
# the demo database and on a fresh PostgreSQL demo database. The switches
# are the bench program's own (it wraps audit_append and the seal calls at
# link time): cbpn itself has none. BENCH_VIEWS, BENCH_CREATES: operations
# per measurement (default 1000 and 300).
#
# Then the de-identified incident export of 100,000 incidents against a
# plain sqlite3 SELECT of the same rows (scripts/bench_export.sh), and the
# dashboard over the demo and over cbpn demo --scale BENCH_SCALE (default
# 1,000,000) cases against the plain-SQL recomputation of its figures in
# sqlite3 (scripts/bench_report.sh).
set -eu
BUILD=${BUILD:-build}
BIN=$BUILD/cbpn
DUR=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-8}
command -v wrk >/dev/null || { echo "bench needs wrk (scripts/deps.sh installs it)"; exit 1; }

dir=$(mktemp -d -p "${BENCH_DIR:-${TMPDIR:-/tmp}}")
chmod 755 "$dir"
pid= pid2= pgdir=
cleanup() {
    [ -n "$pid" ] && kill $pid 2>/dev/null
    [ -n "$pid2" ] && kill $pid2 2>/dev/null
    wait 2>/dev/null
    [ -n "$pgdir" ] && scripts/pg.sh stop "$pgdir" > /dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT
echo "bench-password-1" | "$BIN" demo --db "$dir/b.db" --password-stdin > /dev/null
for m in full normal seal; do
    cp -p "$dir/b.db" "$dir/$m.db"
    cp -p "$dir/b.db.key" "$dir/$m.db.key"
    cp -p "$dir/b.db.key.audit" "$dir/$m.db.key.audit"
done

serve() { # db, log [key]; sets pid and base
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$BIN" serve --db "$1" ${3:+--key "$3"} --listen "127.0.0.1:$port" 2> "$2" &
    pid=$!
    base=http://127.0.0.1:$port
    for _ in $(seq 100); do curl -sf "$base/healthz" > /dev/null && break; sleep 0.05; done
    sleep 1
}

stop() {
    kill "$pid"
    wait "$pid" || true
    pid=
}

serve "$dir/b.db" "$dir/serve.log"
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
stop

# Case creation, durable commits or not (CBPN_TEST_SYNCHRONOUS is test-only:
# it exists for this comparison and the durability test).
for m in full normal; do
    if [ $m = normal ]; then export CBPN_TEST_SYNCHRONOUS=normal; fi
    serve "$dir/$m.db" "$dir/serve-$m.log"
    unset CBPN_TEST_SYNCHRONOUS
    TOKEN=$(token caseworker1)
    {
        rate "GET /healthz (baseline, synchronous=${m^^})" "$base/healthz"
        rate "POST /api/v1/cases, synchronous=${m^^}" -s bench/post_case.lua "$base/api/v1/cases"
    } > "$dir/rates-$m"
    stop
done

seal_audit() { # db key label: the in-process bench of sealing and auditing
    "$BUILD/bench/seal_audit" --db "$1" --key "$2" --label "$3" \
        --views "${BENCH_VIEWS:-1000}" --creates "${BENCH_CREATES:-300}" 2> "$dir/seal.log" ||
        { echo "  seal_audit FAILED:"; tail -5 "$dir/seal.log"; }
}
seal_audit "$dir/seal.db" "$dir/seal.db.key" "SQLite, synchronous=FULL, $(df --output=fstype "$dir" | tail -1)" \
    > "$dir/seal-sqlite"

# ---- PostgreSQL: one server, then two on the same database ----
pgdir=$dir/pg
pguri=$(scripts/pg.sh start "$pgdir")
python3 - "$pguri" <<'PY'
import subprocess, sys
subprocess.run(["psql", "-q", sys.argv[1] + "/postgres", "-c", "CREATE DATABASE bench"], check=True)
PY
echo "bench-password-1" | "$BIN" demo --db "$pguri/bench" --key "$dir/pg.key" --password-stdin > /dev/null 2>&1
# A steady state, as a deployment runs in: the demo's load analysed and
# checkpointed now, not by autovacuum and the checkpointer in the middle of
# a measurement (they took a 1-server case view from ~1,250 to ~300 req/s).
psql -q "$pguri/bench" -c "SET client_min_messages = error" -c "VACUUM ANALYZE" -c "CHECKPOINT" > /dev/null
serve "$pguri/bench" "$dir/serve-pg1.log" "$dir/pg.key"
TOKEN=$(token caseworker1)
pg_case=$(curl -sf -H "Authorization: Bearer $TOKEN" "$base/api/v1/cases?limit=1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
{
    rate "GET /api/v1/cases/{id}, 1 server" -s bench/auth.lua "$base/api/v1/cases/$pg_case"
    rate "POST /api/v1/cases, 1 server" -s bench/post_case.lua "$base/api/v1/cases"
} > "$dir/rates-pg1"
base1=$base pid1=$pid
serve "$pguri/bench" "$dir/serve-pg2.log" "$dir/pg.key"
base2=$base pid2=$pid pid=$pid1
both() { # name, path, wrk script: wrk on both servers at once, the sum of their rates
    local w1 w2
    wrk -t1 -c"$CONNS" -d"${DUR}s" -s "$3" "$base1$2" > "$dir/w1" &
    w1=$!
    wrk -t1 -c"$CONNS" -d"${DUR}s" -s "$3" "$base2$2" > "$dir/w2" &
    w2=$!
    wait "$w1" "$w2"
    printf '%s %s\n' "$1" "$(awk '/Requests\/sec/ {s += $2} END {print s}' "$dir/w1" "$dir/w2")"
}
{
    both "GET /api/v1/cases/{id}, 2 servers" "/api/v1/cases/$pg_case" bench/auth.lua
    both "POST /api/v1/cases, 2 servers" "/api/v1/cases" bench/post_case.lua
} > "$dir/rates-pg2"
kill "$pid2"
wait "$pid2" 2>/dev/null || true
pid2=
stop

psql -q "$pguri/postgres" -c "CREATE DATABASE bench_seal"
echo "bench-password-1" | "$BIN" demo --db "$pguri/bench_seal" --key "$dir/pgs.key" --password-stdin > /dev/null 2>&1
psql -q "$pguri/bench_seal" -c "SET client_min_messages = error" -c "VACUUM ANALYZE" -c "CHECKPOINT" > /dev/null
seal_audit "$pguri/bench_seal" "$dir/pgs.key" "PostgreSQL, a throwaway cluster on this machine" > "$dir/seal-pg"

table() { # rates file: each line as a ratio to its first
    local b
    b=$(head -1 "$1" | awk '{print $NF}')
    awk -v b="$b" '{r=$NF; $NF=""; printf "  %-44s %9.0f req/s   %.3f x baseline\n", $0, r, r/b}' "$1"
}
echo "cbpn bench: wrk, 1 thread, $CONNS connections, ${DUR}s each, $(nproc) cores"
table "$dir/rates"
echo "case creation on fresh copies of the demo database ($(df --output=fstype "$dir" | tail -1)), each server against its own /healthz:"
table "$dir/rates-full"
table "$dir/rates-normal"
awk '{r[FNR] = $NF} FNR == 2 {x[++n] = r[2] / r[1]}
     END {printf "  durable commits keep %.2f of the case creation rate without them\n", x[1] / x[2]}' \
    "$dir/rates-full" "$dir/rates-normal"
echo "PostgreSQL 1 and 2 cbpn servers on one database (a throwaway cluster on this machine), as ratios to SQLite above:"
view=$(awk '/cases\/\{id\}/ {print $NF}' "$dir/rates")
create=$(awk '/^POST/ {print $NF; exit}' "$dir/rates")
cat "$dir/rates-pg1" "$dir/rates-pg2" | awk -v v="$view" -v c="$create" \
    '{r=$NF; $NF=""; b = ($1 == "GET") ? v : c;
      printf "  %-44s %9.0f req/s   %.3f x SQLite\n", $0, r, r/b}'
echo "  (2 cores: the two servers, wrk and PostgreSQL share them; this shows scale-out is correct, not faster)"
echo "  binary size: $(stat -c %s "$BIN") bytes ($BIN)"
echo "  idle resident memory of cbpn serve on the demo database: ${rss} KiB"
echo "the cost of sealing and auditing, in-process ($BUILD/bench/seal_audit; median of 3 runs each, the four ways in turn):"
cat "$dir/seal-sqlite" "$dir/seal-pg"
echo "  (load average: $(cut -d' ' -f1-3 /proc/loadavg); the machine's other work weighs on every figure)"
BUILD=$BUILD scripts/bench_export.sh
BUILD=$BUILD scripts/bench_report.sh
