#!/usr/bin/env bash
# npm start: install if needed, build, and run the server with the embedded store.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
exec node bin/pharos.js server "$@"
