#!/usr/bin/env bash
# Rebuild the vendored front end in static/govuk/ from the npm registry. The built files are
# committed, so running Confer needs no Node.js; run this only to upgrade govuk-frontend
# or to change static/src/confer.scss.
set -euo pipefail
GOVUK_FRONTEND_VERSION=6.6.0
SASS_VERSION=1.108.2
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "govuk-frontend@$GOVUK_FRONTEND_VERSION" "sass@$SASS_VERSION" >/dev/null
DIST="$WORK/node_modules/govuk-frontend/dist/govuk"

npx sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules \
    "$ROOT/static/src/confer.scss" "$ROOT/static/govuk/confer.css"
cp "$DIST/govuk-frontend.min.js" "$ROOT/static/govuk/govuk-frontend.min.js"
echo "govuk-frontend $GOVUK_FRONTEND_VERSION built into static/govuk/"
