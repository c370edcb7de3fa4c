// Serves the benchmark page (bench/index.html) with the project's sources and TensorFlow.js.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Its own dependency cache, apart from the playground's and the test harness's (see test/browser/vite.config.ts).
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite-bench', import.meta.url)),
  logLevel: 'warn',
  // Cross-origin isolation gives the page Chromium's fine timers (5 µs steps instead of 100 µs): small cases take ~1 ms.
  server: { strictPort: true, hmr: false,
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
});
