// Serves the browser-test harness page (and, through it, src/ and test/support/).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Its own dependency cache: Vite's default (node_modules/.vite) is shared by every config of the package, and
  // servers started together (Playwright starts this one beside the playground) overwrite each other's
  // pre-bundled dependencies, so a page could ask for a file the other server had just removed (a 404).
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite-harness', import.meta.url)),
  logLevel: 'warn',
  // ISOLATED=1 serves the page cross-origin isolated (SharedArrayBuffer: the CPU engine's worker threads).
  server: { strictPort: true, hmr: false, headers: process.env.ISOLATED === '1'
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {} },
  // Found only when the TensorFlow.js tests import them: optimized up front, or Vite would reload the page midway.
  optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgl',
    '@tensorflow/tfjs-converter', '@tensorflow/tfjs-layers'] },
});
