#!/usr/bin/env bash
# The whole test suite: type check, unit tests in Node (vitest), the package check, then the browser suites in
# Chromium, Firefox ESR and WebKitGTK (Playwright, one browser at a time). Installs what a fresh Debian machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/ensure-browsers.sh
mkdir -p reports
# The CPU engine's WebAssembly kernel, built from source (AssemblyScript, from npm).
node scripts/build-wasm.mjs
npx tsc -p tsconfig.json --noEmit
npx vitest run --reporter=default --reporter=json --outputFile.json=reports/unit-results.json
# The package as users install it: built, packed, type-checked under every module resolution, run in Node, linted.
npm run build
node scripts/check-package.mjs
# The API reference: every export and member documented, every link resolved (warnings fail).
npm run docs
status=0
rm -f reports/summary.json
npx playwright test "$@" || status=$?
node scripts/test-summary.mjs || true
exit $status
