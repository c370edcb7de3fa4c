#!/usr/bin/env bash
# npm run bench [-- --all] [-- --project=firefox]: the benchmark in headless Chromium (or every engine with --all).
# Environment: BENCH_CASES=unet-up,vae-up to pick cases, BENCH_RUNS=5, BENCH_BACKEND='{"fragment":{"voxels":4,"blocks":2}}'
# (createBackend options, to compare variants); ECHO=1 echoes the page's console.
# BENCH_PEERS=ours skips TensorFlow.js (quick comparisons of our own variants).
# BENCH_VARIANTS='[{}, {"fragment":{"voxels":4}}]' times variants (createBackend options) of ours, interleaved; with
# BENCH_BASE=<commit>, a variant {"base": true} runs src/ and glsl/ as they were at that commit.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/ensure-browsers.sh
node scripts/build-wasm.mjs
rm -rf .bench-base
if [ -n "${BENCH_BASE:-}" ]; then
  mkdir .bench-base
  git archive "$BENCH_BASE" src glsl | tar -x -C .bench-base
fi
args=()
projects=(--project=chromium)
for a in "$@"; do
  case "$a" in
    --all) projects=(--project=chromium --project=firefox --project=webkit) ;;
    --project=*) projects=("$a") ;;
    *) args+=("$a") ;;
  esac
done
npx playwright test -c bench/playwright.config.ts "${projects[@]}" "${args[@]}"
