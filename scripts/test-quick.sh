#!/usr/bin/env bash
# A representative subset of the test suite in a few minutes: the type check, the unit tests, then the browser tests
# tagged @quick in Chromium only (the own golden fixtures, the first seeded random configurations, a robustness spot
# check, the shaders' divmod, the device report and the playground's smoke test). Extra arguments go to Playwright.
# The whole suite, in all three engines, is scripts/test.sh (npm test).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || ! { command -v Xvfb >/dev/null || [ -n "${DISPLAY:-}" ]; }; then
  echo "Chromium or Xvfb is missing: bash scripts/ensure-browsers.sh installs them" >&2
  exit 1
fi
start=$SECONDS
# The CPU engine's WebAssembly kernel, built from source (AssemblyScript, from npm).
node scripts/build-wasm.mjs
npx tsc -p tsconfig.json --noEmit
npx vitest run
npx playwright test --project=chromium --grep @quick "$@"
echo "quick suite: $((SECONDS - start)) s"
