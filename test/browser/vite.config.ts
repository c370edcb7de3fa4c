// Serves the browser-test harness page (and, through it, src/ and test/support/).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  server: { strictPort: true, hmr: false },
});
