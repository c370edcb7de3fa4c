// createBackend: the one way to make a backend, of either engine, or of the one that suits the device ('auto').
import { checkBackendOptions, type CheckedCall } from './args.js';
import { createWebglBackend, runWebglCall, type BackendOptions, type WebglBackend } from './backend.js';
import type { AnyTensor, Backend, ResidentTensor } from './backendApi.js';
import { CpuEngine, type CpuBackend } from './cpu/engine.js';
import type { Tensor } from './types.js';
import { ConvTranspose3dError } from './errors.js';
import { AutoBackend } from './auto.js';
import { caveatContext, mayBeSoftware } from './gl/context.js';

/**
 * Makes a backend: resident tensors and calls on them, on the engine `options.engine` names (default `'webgl'`).
 *
 * @throws {@link ConvTranspose3dError} `'invalid-argument'` for a bad option; WebGL engine: `'no-webgl2'` without
 * WebGL2, `'unsupported'` when the device can render none of the storage modes (or not the one asked for).
 *
 * @example
 * const backend = createBackend();
 * const w = backend.upload(weight);               // once
 * const y = backend.convTranspose3d(x, w, { stride: 2 });
 * const z = backend.convTranspose3d(y, w2);       // chained, no readback
 * const result = await z.read();
 * const cpu = createBackend({ engine: 'cpu' });   // WebAssembly SIMD on worker threads
 */
export function createBackend(options?: BackendOptions & { engine?: 'webgl' }): WebglBackend;
export function createBackend(options: BackendOptions & { engine: 'cpu' }): CpuBackend;
export function createBackend(options: BackendOptions): Backend;
export function createBackend(options: BackendOptions = {}): Backend {
  const checked = checkBackendOptions(options);
  switch (checked.engine ?? 'webgl') {
    case 'cpu': return new CpuEngine(checked);
    case 'auto': return createAuto(checked);
    default: return createWebglBackend(checked);
  }
}

/**
 * `'auto'`: the CPU engine where WebGL2 does not work; the WebGL engine on a GPU; where the renderer may be software
 * (see {@link mayBeSoftware}), both, each call shape on the one that its first call finds faster.
 */
function createAuto(options: BackendOptions): Backend {
  let webgl: WebglBackend;
  try {
    webgl = createWebglBackend(options);
  } catch (e) {
    if (e instanceof ConvTranspose3dError && (e.code === 'no-webgl2' || e.code === 'unsupported')) {
      return new CpuEngine(options);
    }
    throw e;
  }
  const userAgent = typeof navigator === 'undefined' ? '' : navigator.userAgent;
  if (!mayBeSoftware(webgl.capabilities.renderer, caveatContext(), userAgent)) return webgl;
  return new AutoBackend(webgl, new CpuEngine(options), options.choices);
}

/**
 * Runs a call already checked by `checkCall` on a backend made by {@link createBackend}: the one-shot
 * convTranspose3d checks its arguments once, before it even makes the shared backend.
 */
export function runCheckedCall(backend: Backend, call: CheckedCall<AnyTensor>): ResidentTensor {
  if (backend instanceof CpuEngine || backend instanceof AutoBackend) return backend.run(call as CheckedCall<Tensor>);
  return runWebglCall(backend as WebglBackend, call);
}
