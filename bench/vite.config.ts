// Serves the benchmark page (bench/index.html) with the project's sources and TensorFlow.js.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  server: { strictPort: true, hmr: false },
});
