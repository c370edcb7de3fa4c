// `vite` serves the playground (playground/); `vite build` builds the library (src/index.ts, and the TensorFlow.js
// entry src/tfjs/index.ts) into dist/;
// `vite build --mode playground` builds the playground into dist-playground/, a folder any static host can serve.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig(({ mode }) => ({
  root: here('./playground'),
  // Relative asset paths, so the built playground works from any folder of any host.
  base: './',
  server: { host: '127.0.0.1', port: 5173 },
  worker: { format: 'es' },
  build: mode === 'playground'
    ? { outDir: here('./dist-playground'), emptyOutDir: true, sourcemap: true }
    : {
      outDir: here('./dist'),
      emptyOutDir: true,
      // The package ships no sources, so a map would point at nothing.
      sourcemap: false,
      // Two entries: the library, and the TensorFlow.js integration, which only its users load. What they share
      // goes into a chunk of its own, loaded once; the CPU engine's kernels into another, loaded when it starts.
      lib: { entry: { index: here('./src/index.ts'), tfjs: here('./src/tfjs/index.ts') }, formats: ['es'],
        fileName: (_format, name) => `${name}.js` },
      // The runtime dependencies stay dependencies: installed once, shared with the app.
      rollupOptions: { external: ['twgl.js', 'lru-cache'], output: {
        chunkFileNames: (chunk) => (chunk.moduleIds.some((id) => id.includes('modules.generated')) ? 'kernels.js'
          : 'shared.js'),
      } },
    },
}));
