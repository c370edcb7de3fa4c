// `vite` serves the playground (playground/); `vite build` builds the library (src/index.ts) into dist/.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./playground'),
  server: { host: '127.0.0.1', port: 5173 },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    sourcemap: true,
    lib: { entry: here('./src/index.ts'), formats: ['es'], fileName: 'index' },
    rollupOptions: { external: ['twgl.js'] },
  },
});
