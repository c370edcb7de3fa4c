// Serves the benchmark page (bench/index.html) with the project's sources, TensorFlow.js and ONNX Runtime Web.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// Cross-origin isolation gives the page Chromium's fine timers (5 µs steps instead of 100 µs: small cases take
// ~1 ms) and SharedArrayBuffer, which ONNX Runtime's WebAssembly threads need. BENCH_ISOLATED=0 serves the page
// without it, for single-thread figures as a page that is not isolated gets them.
const isolated = process.env.BENCH_ISOLATED !== '0';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Its own dependency cache, apart from the playground's and the test harness's (see test/browser/vite.config.ts).
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite-bench', import.meta.url)),
  logLevel: 'warn',
  server: { strictPort: true, hmr: false,
    headers: isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
      : {} },
});
