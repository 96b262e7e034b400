#!/usr/bin/env bash
# The one test command (npm test, and .ci/run). Installs everything it needs on a fresh machine:
# npm packages, Debian packages (chromium, postgresql), and a Python venv for the interop tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

export PHAROS_PYTHON="$(bash scripts/pyenv.sh)"
export PHAROS_TEST_PG_URI="$(bash scripts/pg.sh)"
trap 'bash scripts/pg.sh stop' EXIT

npx tsc -p tsconfig.json --noEmit

# Unit tests sit beside the code (src/**/x.test.ts); interop and end-to-end suites under test/.
mapfile -t files < <(find src test -name '*.test.ts' | sort)
node --import tsx --test --test-reporter=spec --test-concurrency=2 --test-timeout=600000 "${files[@]}"
