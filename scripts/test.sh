#!/bin/bash
# Runs every test suite against the binaries in $BUILD and ends with the
# line "N passed, N failed". Options: --no-e2e, --no-fuzz, --no-api,
# --no-pg-check (the schema check builds its own program: not under ASan).
# The API suite runs twice: on SQLite files, and on a throwaway PostgreSQL
# cluster (scripts/pg.sh), started first (the PostgreSQL unit tests use it
# too) and stopped after the API tests or however the script ends.
set -u
BUILD=${BUILD:-build}
export CBPN_BIN=${CBPN_BIN:-$BUILD/cbpn}
run_e2e=1 run_fuzz=1 run_api=1 run_pgcheck=1
for a in "$@"; do
    case "$a" in
    --no-e2e) run_e2e=0 ;;
    --no-fuzz) run_fuzz=0 ;;
    --no-api) run_api=0 ;;
    --no-pg-check) run_pgcheck=0 ;;
    *) echo "usage: $0 [--no-e2e] [--no-fuzz] [--no-api] [--no-pg-check]" >&2; exit 2 ;;
    esac
done

passed=0 failed=0
logdir=$BUILD/test-logs
mkdir -p "$logdir"
# Every server's log of this run, and the names and phones the tests sent,
# for the last check (tests/logcheck.py).
export CBPN_TEST_LOGS=${CBPN_TEST_LOGS:-$(cd "$logdir" && pwd)/server-logs}
rm -rf "$CBPN_TEST_LOGS"
mkdir -p "$CBPN_TEST_LOGS"
add() { passed=$((passed + $1)); failed=$((failed + $2)); }
start=$(date +%s)

# The API suite's interpreter: PYTHON, else python3; when that one lacks
# psycopg2, Debian's /usr/bin/python3 (python3-psycopg2 and the rest, scripts/deps.sh).
if [ -z "${PYTHON:-}" ]; then
    PYTHON=python3
    if ! python3 -c 'import psycopg2' 2>/dev/null &&
        /usr/bin/python3 -c 'import psycopg2, jsonschema, yaml' 2>/dev/null; then
        PYTHON=/usr/bin/python3
    fi
fi

# The cluster, and the suite while it runs, go away however the script ends
# (a failure, Ctrl-C, SIGTERM).
pgdir="" suite_pid=""
stop_pg() {
    if [ -n "$pgdir" ]; then
        cp "$pgdir/pg/server.log" "$logdir/postgres-server.log" 2>/dev/null
        scripts/pg.sh stop "$pgdir/pg" >>"$logdir/pg.log" 2>&1 || tail -20 "$logdir/pg.log" >&2
        rm -rf "$pgdir"
        pgdir=""
    fi
}
cleanup() {
    if [ -n "$suite_pid" ]; then  # the tests clean up after SIGTERM; 20 s, then SIGKILL
        kill -TERM -- "-$suite_pid" 2>/dev/null
        for _ in $(seq 100); do
            kill -0 "$suite_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL -- "-$suite_pid" 2>/dev/null
        wait "$suite_pid" 2>/dev/null
    fi
    stop_pg
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# api_suite LABEL LOG [VAR=VALUE...]: the API tests with those variables set,
# in a session of their own (so that cleanup can stop it with its servers).
api_suite() {
    label=$1 log=$2
    shift 2
    t0=$(date +%s)
    env "$@" setsid timeout 1800 "$PYTHON" -m unittest discover -s tests/api -p 'test_*.py' \
        > "$log" 2>&1 &
    suite_pid=$!
    wait "$suite_pid"
    suite_pid=""
    secs=$(( $(date +%s) - t0 ))
    ran=$(sed -n 's/^Ran \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    ran=${ran:-0}
    fl=$(grep -E '^FAILED \(' "$log" | tail -1)
    nf=$(printf '%s' "$fl" | grep -o 'failures=[0-9]*' | cut -d= -f2)
    ne=$(printf '%s' "$fl" | grep -o 'errors=[0-9]*' | cut -d= -f2)
    ns=$(grep -E '^(OK|FAILED) \(' "$log" | tail -1 | grep -o 'skipped=[0-9]*' | cut -d= -f2)
    # A class or module whose set-up (or tear-down) failed is one error, and
    # its tests are not among those that ran.
    nc=$(grep -cE '^ERROR: (setUpClass|tearDownClass|setUpModule|tearDownModule) ' "$log")
    f=$(( ${nf:-0} + ${ne:-0} ))
    p=$(( ran - (f - nc) - ${ns:-0} ))
    if [ "$ran" -eq 0 ]; then f=1; p=0; fi
    printf '  %-28s %3d passed, %d failed, %d skipped (%ds)\n' "$label" "$p" "$f" "${ns:-0}" "$secs"
    [ "$f" -gt 0 ] && grep -E '^(FAIL|ERROR):' "$log" | head -30
    add "$p" "$f"
}

# One throwaway PostgreSQL cluster for the run: the PostgreSQL unit tests
# (test_pg) and the API suite's PostgreSQL half use it. It not starting is a
# failure (of those too).
echo "== PostgreSQL (a throwaway cluster, scripts/pg.sh)"
: > "$logdir/pg.log"
pg_uri=""
if pgdir=$(mktemp -d "${TMPDIR:-/tmp}/cbpn-pg.XXXXXX"); then
    chmod 0711 "$pgdir"  # the postgres user passes through to its cluster
    pg_uri=$(scripts/pg.sh start "$pgdir/pg" 2>>"$logdir/pg.log") || pg_uri=""
else
    pgdir=""
fi
if [ -n "$pg_uri" ]; then
    printf '  %-28s started on 127.0.0.1\n' cluster
else
    printf '  %-28s FAILED to start (%s)\n' cluster "$logdir/pg.log"
    tail -20 "$logdir/pg.log"
    add 0 1
fi

echo "== unit tests (cmocka)"
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    out=$(CBPN_TEST_PG=$pg_uri timeout 600 "$t" 2>&1)
    rc=$?
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    printf '%s\n' "$out" > "$logdir/$name.log"
    printf '  %-28s %3d passed, %d failed\n' "$name" "$p" "$f"
    [ "$f" -gt 0 ] && printf '%s\n' "$out" | grep -E '^\[  (FAILED|ERROR) \]|^\[ +FAILED +\]|Error|error' | head -20
    add "$p" "$f"
done

echo "== OpenAPI lint (redocly)"
if scripts/openapi-lint.sh > "$logdir/openapi-lint.log" 2>&1; then
    printf '  %-28s ok\n' docs/openapi.yaml
    add 1 0
else
    printf '  %-28s FAILED\n' docs/openapi.yaml
    grep -vE '^ *$|[╔║╚]' "$logdir/openapi-lint.log" | head -40
    add 0 1
fi

if [ "$run_pgcheck" = 0 ]; then
    :
elif echo "== PostgreSQL schema and statements (a cluster with a non-C collation)" &&
    BUILD=$BUILD tests/pg_sql_check.sh > "$logdir/pg_sql_check.log" 2>&1; then
    printf '  %-28s ok (%s)\n' pg_sql_check "$(tail -1 "$logdir/pg_sql_check.log" | sed 's/^pg_sql_check: //')"
    add 1 0
else
    printf '  %-28s FAILED\n' pg_sql_check
    tail -20 "$logdir/pg_sql_check.log"
    add 0 1
fi

if [ "$run_fuzz" = 1 ]; then
    echo "== fuzz corpus replay"
    for t in "$BUILD"/fuzz/fuzz_*; do
        [ -x "$t" ] || continue
        name=$(basename "$t")
        corpus=tests/fuzz/corpus/${name#fuzz_}
        if timeout 600 "$t" "$corpus" > "$logdir/$name.log" 2>&1; then
            printf '  %-28s ok (%s)\n' "$name" "$(tail -1 "$logdir/$name.log")"
            add 1 0
        else
            printf '  %-28s FAILED\n' "$name"; tail -5 "$logdir/$name.log"
            add 0 1
        fi
    done
fi

if [ "$run_api" = 1 ]; then
    echo "== API tests (real server over HTTP; SQLite, then PostgreSQL)"
    api_suite "api (sqlite)" "$logdir/api-sqlite.log" CBPN_TEST_BACKEND=sqlite
    if [ -n "$pg_uri" ]; then
        api_suite "api (postgres)" "$logdir/api-postgres.log" CBPN_TEST_BACKEND=postgres \
            CBPN_TEST_PG="$pg_uri" CBPN_TEST_PG_DATA="$pgdir/pg/data"
    else
        printf '  %-28s   0 passed, 1 failed: PostgreSQL did not start\n' "api (postgres)"
        add 0 1
    fi
fi
stop_pg

if [ "$run_e2e" = 1 ]; then
    echo "== browser tests (Playwright + Debian chromium)"
    timeout 900 node --test tests/e2e/ > "$logdir/e2e.log" 2>&1
    p=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$logdir/e2e.log" | tail -1)
    f=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$logdir/e2e.log" | tail -1)
    p=${p:-0} f=${f:-0}
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    printf '  %-28s %3d passed, %d failed\n' e2e "$p" "$f"
    [ "$f" -gt 0 ] && grep -E 'not ok|Error' "$logdir/e2e.log" | head -20
    add "$p" "$f"
fi

if [ "$run_api" = 1 ]; then
    echo "== logs: no name or phone number in any server log (tests/logcheck.py)"
    "$PYTHON" tests/logcheck.py "$CBPN_TEST_LOGS" "$logdir/postgres-server.log" \
        > "$logdir/logcheck.log" 2>&1
    rc=$?
    if grep -q '^logcheck control: ok' "$logdir/logcheck.log"; then add 1 0; else add 0 1; fi
    if [ "$rc" -eq 0 ]; then add 1 0; else add 0 1; fi
    sed 's/^/  /' "$logdir/logcheck.log" | head -40
fi

echo "(logs in $logdir; $(( $(date +%s) - start ))s)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
