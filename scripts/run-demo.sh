#!/bin/sh
# make run: create the demo database once, then serve it on 127.0.0.1:8080.
set -eu
BUILD=${BUILD:-build}
DB=${CBPN_DEMO_DB:-$BUILD/demo.db}
LISTEN=${CBPN_LISTEN:-127.0.0.1:8080}

if [ ! -f "$DB" ]; then
    umask 077
    echo "Creating the Siem Reap demo network in $DB ..."
    "$BUILD/cbpn" demo --db "$DB" > "$BUILD/demo-passwords.txt"
    echo "Demo users and their passwords (also in $BUILD/demo-passwords.txt):"
    cat "$BUILD/demo-passwords.txt"
else
    echo "Using $DB; the demo users' passwords are in $BUILD/demo-passwords.txt"
fi
echo "Open http://$LISTEN/ and sign in, e.g. as rep1 or caseworker1. Ctrl-C stops."
exec "$BUILD/cbpn" serve --db "$DB" --listen "$LISTEN"
