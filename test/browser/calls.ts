// Runs in the browser under test: the backends the harness pages share, and one call on them, read back.
import {
  configure, convTranspose3d, createBackend, type AnyTensor, type Backend, type BackendOptions, type ConvTranspose3dOptions,
  type Tensor,
} from '../../src/index';

/**
 * The harness's configuration of the one-shot API: the WebGL engine, whose paths most of the suite checks (the CPU
 * engine and 'auto' have their own tests, test/browser/cpu.spec.ts).
 */
export const HARNESS_CONFIG = { engine: 'webgl' } as const;

/** Puts the one-shot API's configuration back to the harness's (configure() merges, so every option is reset). */
export function resetConfig(): void {
  configure();
  configure(HARNESS_CONFIG);
}
resetConfig();

const backends = new Map<string, Backend>();

/** The page's backend for these options, made on first use. */
export function backendFor(options: BackendOptions = {}): Backend {
  const key = JSON.stringify(options);
  let b = backends.get(key);
  if (!b) {
    b = createBackend(options);
    backends.set(key, b);
  }
  return b;
}

/**
 * One call read back: through the one-shot API (no backend, CPU tensors), or on a backend, whose weight may be a
 * GpuTensor already; with `uploadWeight`, a CPU weight is uploaded first, so the backend packs it on the GPU.
 */
export async function runOn(backend: Backend | null, x: Tensor, w: AnyTensor, options: ConvTranspose3dOptions,
  uploadWeight = false): Promise<Tensor> {
  if (!backend) return convTranspose3d(x, w as Tensor, options);
  const gw = uploadWeight ? backend.upload(w as Tensor) : null;
  const y = backend.convTranspose3d(x, gw ?? w, options);
  try {
    return await y.read();
  } finally {
    y.dispose();
    gw?.dispose();
  }
}
