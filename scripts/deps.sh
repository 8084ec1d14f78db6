#!/bin/sh
# Installs the Debian packages cbpn needs to build, run and test, when they
# are missing. As root it runs apt-get; otherwise it prints the command.
set -eu

PKGS="build-essential pkg-config clang libclang-rt-dev
libmicrohttpd-dev libsqlite3-dev libsodium-dev libjansson-dev libicu-dev libcmocka-dev libpq-dev libseccomp-dev liboath-dev libxlsxwriter-dev
postgresql python3 python3-jsonschema python3-yaml python3-psycopg2 python3-scipy python3-openpyxl sqlite3
chromium fonts-khmeros clang-format cppcheck wrk curl nginx openssl"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

# Node.js may come from Debian (nodejs, npm) or another packaging that ships npm.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
    cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
    if [ "$(id -u)" -ne 0 ]; then
        echo "cbpn needs these Debian packages:$missing"
        echo "Run as root:  $cmd"
        exit 1
    fi
    echo "Installing:$missing"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

# The browser tests drive Debian's chromium through playwright-core (npm).
if [ -f tests/e2e/package.json ] && [ ! -d tests/e2e/node_modules/playwright-core ]; then
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
# docs/openapi.yaml is linted with @redocly/cli (npm), pinned in tools/openapi.
if [ -f tools/openapi/package.json ] && [ ! -x tools/openapi/node_modules/.bin/redocly ]; then
    (cd tools/openapi && npm ci --no-audit --no-fund --loglevel=error)
fi
exit 0
