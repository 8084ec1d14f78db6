#!/usr/bin/env bash
# The PostgreSQL schema and statements, checked against a real server: starts
# a throwaway cluster (as the postgres user when run as root) in a temporary
# directory, on its own port on 127.0.0.1 with its socket in that directory,
# under a non-C default collation; applies migrations/postgres/ one version
# per transaction with psql; checks the schema's own behaviour (JSON checks,
# append-only triggers, bytewise order); then builds tests/pg_sql_check.c and
# runs it (every statement of src/store/pg_sql.c prepared and compared with
# sqlite_sql.c and store_int.h). The cluster is stopped and removed at the
# end, on failure too.
#
# Usage: tests/pg_sql_check.sh   (from the source tree; BUILD=build, PGBIN)
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PGBIN=${PGBIN:-$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
[ -x "$PGBIN/initdb" ] || { echo "pg_sql_check: no PostgreSQL in PGBIN=$PGBIN" >&2; exit 2; }

if [ "$(id -u)" = 0 ]; then
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

TMP=$(mktemp -d /tmp/cbpn-pgcheck.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres:postgres "$TMP"
chmod 700 "$TMP"
DATA=$TMP/data

cleanup() {
    if [ -f "$DATA/postmaster.pid" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A default collation that is not bytewise, so that a text column without
# COLLATE "C" would order differently from SQLite: en_US.UTF-8 from the C
# library when the system has it, else ICU's en-US.
if locale -a 2>/dev/null | grep -qix 'en_US.utf8\|en_US.UTF-8'; then
    LOCALE_ARGS=(--locale=en_US.UTF-8)
else
    LOCALE_ARGS=(--locale=C.UTF-8 --locale-provider=icu --icu-locale=en-US)
fi
as_pg "$PGBIN/initdb" -D "$DATA" --auth=trust -E UTF8 -U postgres "${LOCALE_ARGS[@]}" \
    >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; exit 1; }

# A port nobody listens on.
PORT=
for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        PORT=$p
        break
    fi
done
[ -n "$PORT" ] || { echo "pg_sql_check: no free port" >&2; exit 1; }

as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$TMP/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$TMP -c fsync=off" \
    start </dev/null >/dev/null || { cat "$TMP/server.log" >&2; exit 1; }

PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$TMP" -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE cbpn"
PSQL+=(-d cbpn)

# The database's default collation must not be bytewise, else the check
# below proves nothing.
if [ "$("${PSQL[@]}" -At -c "SELECT 'a' < 'B'")" != t ]; then
    echo "pg_sql_check: the cluster's collation is bytewise; want a non-C one" >&2
    exit 1
fi

# Each version in its own transaction, recorded as the backend records it.
n=0
for f in migrations/postgres/[0-9]*.sql; do
    v=$((10#$(basename "$f" | cut -d_ -f1)))
    "${PSQL[@]}" --single-transaction -f "$f" \
        -c "INSERT INTO schema_migration (version, applied_at) VALUES ($v, '2025-01-01T00:00:00Z')"
    n=$((n + 1))
done
echo "pg_sql_check: $n migrations applied"

# The schema: what the SQLite one refuses, this one refuses.
fails=0
expect() { # expect WANT SQL
    local got
    if ! got=$("${PSQL[@]}" -At -c "$2" 2>&1); then
        got="ERROR: $(printf '%s\n' "$got" | sed -n 's/.*ERROR:  //p' | head -n 1)"
    fi
    if [ "$got" != "$1" ]; then
        echo "FAIL: $2: got [$got], want [$1]" >&2
        fails=$((fails + 1))
    fi
}
expect "array|object||string|" \
    "SELECT concat_ws('|', cbpn_json_type('[1, {}]'), cbpn_json_type('{\"a\": \"\\u0000\"}'),
            coalesce(cbpn_json_type('[1,'), ''), cbpn_json_type('\"x\"'),
            coalesce(cbpn_json_type('{} {}'), ''))"
# Every text column bytewise; no numeric, no boolean columns.
expect "0" "SELECT count(*) FROM information_schema.columns
            WHERE table_schema = 'public' AND data_type = 'text'
            AND coalesce(collation_name, '') <> 'C'"
expect "0" "SELECT count(*) FROM information_schema.columns
            WHERE table_schema = 'public' AND data_type IN ('numeric', 'boolean')"
fixture="INSERT INTO location (code, level, name_km, name_latn) VALUES ('p', 'province', 'k', 'l');
INSERT INTO organization VALUES ('o', 'O', 'ngo', 'p', 't', 't', 1);
INSERT INTO network_group VALUES ('g', 'o', 'G', 'p', 't', 't', 1);"
expect "ERROR: new row for relation \"member\" violates check constraint \"member_network_roles\"" \
    "BEGIN; $fixture INSERT INTO member (id, group_id, sex, network_roles, created_at, updated_at)
     VALUES ('m', 'g', 'female', '{}', 't', 't'); ROLLBACK"
expect "ERROR: new row for relation \"users\" violates check constraint \"users_role\"" \
    "INSERT INTO users (id, username, password_hash, role, display_name, created_at, updated_at)
     VALUES ('u', 'u', 'h', 'root', 'U', 't', 't')"
expect "ERROR: insert or update on table \"location\" violates foreign key constraint \"location_parent_code_fkey\"" \
    "INSERT INTO location VALUES ('d', 'district', 'nowhere', 'k', 'l', NULL, NULL)"
h="'\\x$(printf '%064d' 0)'::bytea"
expect "ERROR: audit is append-only" \
    "BEGIN; INSERT INTO audit VALUES (1, 't', NULL, 'a', 'r', NULL, NULL, $h, $h);
     UPDATE audit SET action = 'b'; ROLLBACK"
expect "ERROR: audit is append-only" \
    "BEGIN; INSERT INTO audit VALUES (1, 't', NULL, 'a', 'r', NULL, NULL, $h, $h);
     DELETE FROM audit; ROLLBACK"
expect "ERROR: notes are append-only" \
    "BEGIN; $fixture
     INSERT INTO users VALUES ('u', 'u', 'h', 'admin', 'U', NULL, NULL, 'km', 1, 't', 't', 1);
     INSERT INTO cases (id, code, organization_id, location_code, status, reported_by, created_at,
                        updated_at) VALUES ('c', 'C', 'o', 'p', 'open', 'u', 't', 't');
     INSERT INTO note VALUES ('n', 'c', '\\x01', NULL, 'u', 't'); UPDATE note SET author = 'u';
     ROLLBACK"
expect "main|0|" "SELECT chain, seq, hash FROM audit_head"
[ "$fails" = 0 ] || { echo "pg_sql_check: $fails schema failures" >&2; exit 1; }
echo "pg_sql_check: schema checks passed"

# The statements.
make --no-print-directory BUILD="$BUILD" all >/dev/null
mkdir -p "$BUILD/tests"
PKGS="libmicrohttpd sqlite3 libsodium jansson icu-uc icu-i18n libpq libseccomp liboath xlsxwriter"
# The objects of today's sources only (a build directory can keep the
# object of a file that has since moved).
OBJS=$(for c in src/*/*.c; do echo "$BUILD/obj/${c%.c}.o"; done)
# shellcheck disable=SC2046,SC2086
cc -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -Isrc \
    $(pkg-config --cflags $PKGS) -o "$BUILD/tests/pg_sql_check" tests/pg_sql_check.c \
    $OBJS "$BUILD/obj/gen/embedded.o" $(pkg-config --libs $PKGS) -lpthread -lm
"$BUILD/tests/pg_sql_check" "host=$TMP port=$PORT user=postgres dbname=cbpn"
