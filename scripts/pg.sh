#!/bin/sh
# A throwaway PostgreSQL cluster for the tests.
#
#   scripts/pg.sh start DIR [PORT]   initdb in DIR (created) and start the server;
#                                    prints its base URI, postgres://cbpn@127.0.0.1:PORT
#   scripts/pg.sh uri DIR            prints the base URI of the running cluster in DIR
#   scripts/pg.sh stop DIR           stops the server (fast) and removes DIR
#
# The server listens on 127.0.0.1 only (a free port unless PORT is given) and
# on a unix socket inside DIR. The role cbpn (CREATEDB) signs in without a
# password over loopback TCP; nothing else does. As root, initdb and pg_ctl
# run as the postgres user. fsync stays on: what the tests see is what a real
# server does.
set -eu

usage() {
    echo "usage: $0 start DIR [PORT] | uri DIR | stop DIR" >&2
    exit 2
}

die() {
    echo "pg.sh: $*" >&2
    exit 1
}

MARK=cbpn-test-cluster  # in DIR: stop removes only a DIR that start made

bindir() {
    b=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$b" ] && [ -x "$b/pg_ctl" ] && [ -x "$b/initdb" ]; then
        echo "$b"
        return
    fi
    b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5V | tail -1)
    if [ -n "$b" ] && [ -x "$b/pg_ctl" ] && [ -x "$b/initdb" ]; then
        echo "$b"
        return
    fi
    die "no PostgreSQL server binaries (initdb, pg_ctl): install the Debian package postgresql (scripts/deps.sh)"
}

# Runs a command as the cluster's owner: postgres when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

log_tail() {
    if [ -f "$1/server.log" ]; then
        echo "pg.sh: the end of $1/server.log:" >&2
        tail -n 30 "$1/server.log" >&2
    fi
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

absdir() {
    case "$1" in
    /*) echo "$1" ;;
    *) echo "$(pwd)/$1" ;;
    esac
}

cmd_start() {
    dir=$(absdir "$1")
    port=${2:-}
    bin=$(bindir)
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        die "running as root, but there is no postgres user to run the server (install postgresql)"
    fi
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
        die "$dir exists and is not empty"
    fi
    case "$port" in
    *[!0-9]*) die "bad port: $port" ;;  # empty: a free one
    esac

    # The directories made here let the owner through (search only), whatever the umask.
    made="" p=$dir
    while [ ! -e "$p" ]; do
        made="$made $p"
        p=$(dirname "$p")
    done
    mkdir -p "$dir"
    for p in $made; do
        chmod 0711 "$p"
    done
    chmod 0700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$dir"
    fi
    : >"$dir/$MARK"
    # Every directory above DIR must let the owner through (search only).
    if ! as_owner test -w "$dir"; then
        # name the first directory from the top that stops it
        p=$dir up=""
        while [ "$p" != / ]; do
            p=$(dirname "$p")
            up="$p $up"
        done
        for p in $up; do
            as_owner test -x "$p" || die "the cluster's owner cannot enter $p ($(stat -c %A "$p")): use a DIR below a directory it can pass, or chmod o+x $p"
        done
        die "the cluster's owner cannot write to $dir"
    fi

    # initdb and the server run with DIR as their working directory, so that
    # a working directory the owner may not read does not matter.
    if ! (cd "$dir" && as_owner "$bin/initdb" -D "$dir/data" -E UTF8 --no-locale \
        --auth-local=peer --auth-host=reject >"$dir/initdb.log" 2>&1); then
        echo "pg.sh: initdb failed:" >&2
        tail -n 30 "$dir/initdb.log" >&2
        exit 1
    fi
    cat >"$dir/pg_hba.conf.new" <<EOF
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 peer
host    all       cbpn  127.0.0.1/32  trust
EOF
    # The port is chosen last, so that little time passes before the server binds it.
    if [ -z "$port" ]; then
        port=$(free_port) || die "could not find a free port"
    fi
    cat >"$dir/postgresql.conf.new" <<EOF

# scripts/pg.sh: a throwaway cluster for the tests on a small (2-core) box
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 32MB
work_mem = 4MB
maintenance_work_mem = 32MB
max_worker_processes = 4
max_parallel_workers_per_gather = 0
max_wal_size = 256MB
min_wal_size = 32MB
fsync = on
synchronous_commit = on
full_page_writes = on
wal_compression = off
huge_pages = off
timezone = 'UTC'
log_timezone = 'UTC'
lc_messages = 'C'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = -1
EOF
    if ! as_owner sh -c 'cat "$1/pg_hba.conf.new" >"$1/data/pg_hba.conf" &&
            cat "$1/postgresql.conf.new" >>"$1/data/postgresql.conf"' sh "$dir"; then
        die "could not write the configuration in $dir/data"
    fi
    rm -f "$dir/pg_hba.conf.new" "$dir/postgresql.conf.new"
    echo "$port" >"$dir/port"

    if ! (cd "$dir" && as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        start >"$dir/pg_ctl.log" 2>&1); then
        echo "pg.sh: the server did not start on 127.0.0.1:$port:" >&2
        cat "$dir/pg_ctl.log" >&2
        log_tail "$dir"
        exit 1
    fi
    if ! (cd "$dir" && as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" \
        -d postgres >"$dir/psql.log" 2>&1 <<'EOF'
CREATE ROLE cbpn LOGIN CREATEDB;
-- the tests read data_directory to find a database's files; make bench
-- checkpoints before it measures
GRANT pg_read_all_settings, pg_checkpoint TO cbpn;
EOF
    ); then
        echo "pg.sh: could not create the role cbpn:" >&2
        cat "$dir/psql.log" >&2
        log_tail "$dir"
        exit 1
    fi
    echo "postgres://cbpn@127.0.0.1:$port"
}

cmd_uri() {
    dir=$(absdir "$1")
    [ -f "$dir/$MARK" ] && [ -f "$dir/port" ] || die "$dir holds no cluster made by pg.sh start"
    bin=$(bindir)
    (cd "$dir" && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1) ||
        die "the cluster in $dir is not running"
    echo "postgres://cbpn@127.0.0.1:$(cat "$dir/port")"
}

cmd_stop() {
    dir=$(absdir "$1")
    [ -e "$dir" ] || return 0
    [ -f "$dir/$MARK" ] || die "$dir was not made by pg.sh start: not touching it"
    rc=0
    if [ -f "$dir/data/postmaster.pid" ]; then
        bin=$(bindir)
        if ! (cd "$dir" && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop \
            >"$dir/pg_ctl.log" 2>&1); then
            echo "pg.sh: pg_ctl stop -m fast failed:" >&2
            cat "$dir/pg_ctl.log" >&2
            log_tail "$dir"
            rc=1
            if ! (cd "$dir" && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 60 \
                stop >/dev/null 2>&1); then
                die "the server in $dir did not stop; $dir is left in place"
            fi
        fi
    fi
    rm -rf "$dir"
    return "$rc"
}

[ $# -ge 2 ] || usage
case "$1" in
start)
    [ $# -le 3 ] || usage
    cmd_start "$2" "${3:-}"
    ;;
uri)
    [ $# -eq 2 ] || usage
    cmd_uri "$2"
    ;;
stop)
    [ $# -eq 2 ] || usage
    cmd_stop "$2"
    ;;
*) usage ;;
esac
