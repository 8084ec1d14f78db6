#!/bin/sh
# Lints docs/openapi.yaml with Redocly's linter (@redocly/cli, pinned in
# tools/openapi/package.json; rules in tools/openapi/redocly.yaml). Exits
# non-zero on any problem: the rules extend recommended-strict, so
# warnings fail too. scripts/deps.sh installs the linter.
set -eu
cd "$(dirname "$0")/.."
bin=tools/openapi/node_modules/.bin/redocly
if [ ! -x "$bin" ]; then
    echo "the OpenAPI linter is not installed: run scripts/deps.sh (npm ci in tools/openapi)" >&2
    exit 1
fi
# No usage reports to Redocly, no update checks: the lint is offline.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    exec "$bin" lint --config tools/openapi/redocly.yaml docs/openapi.yaml
