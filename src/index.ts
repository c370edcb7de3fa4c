/**
 * PyTorch's `torch.nn.functional.conv_transpose3d` on WebGL2, exact to float32 rounding, with a CPU reference and a
 * checker.
 *
 * @packageDocumentation
 */
import { checkCall, checkConfig, checkOptions, checkTensor, outputPaddingForSize, show, type CheckedCall } from
  './args.js';
import type { BackendOptions, WebglBackend } from './backend.js';
import type { Backend } from './backendApi.js';
import { createBackend, runCheckedCall } from './engines.js';
import { referenceFromCall } from './reference.js';
import type { ConvTranspose3dOptions, Tensor } from './types.js';
import { ConvTranspose3dError } from './errors.js';

export type { ConvTranspose3dOptions, Tensor, Triple, Int3 } from './types.js';
export { ConvTranspose3dError, type ConvTranspose3dErrorCode } from './errors.js';
export { tensor, numel } from './tensor.js';
export { convTranspose3dOutputShape, outputPaddingForSize } from './args.js';
export { convTranspose3dReference } from './reference.js';
export {
  checkConvTranspose3d, compareTensors, describeReport, storageTolerance, type CheckReport, type Tolerance,
} from './checker.js';
export { axisCoverage, coverageMap, type CoverageShape } from './coverage.js';
export { createBackend } from './engines.js';
export type { BackendOptions, WebglBackend } from './backend.js';
export type { Backend, EngineName, ResidentTensor, GpuTensor, AnyTensor, BackendConvOptions } from './backendApi.js';
export type { CpuBackend, CpuCapabilities } from './cpu/engine.js';
export type { AutoCapabilities } from './auto.js';
export type { InstructionSet } from './cpu/modules.js';
export type { DeviceCapabilities, RendererPolicy } from './gl/context.js';
export type { FragmentShape } from './fragment.js';
export type { PlanLimits } from './convPlan.js';
export type { FragmentLimits } from './fragment.js';
export type { LayoutLimits } from './layout.js';
export type { StorageMode, StorageRequest, StorageSupport } from './gl/storage.js';
export type { BackendStats } from './gl/stats.js';

/**
 * How the one-shot {@link convTranspose3d} runs: the shared backend's options (its `engine` defaults to `'auto'`:
 * WebGL2 where there is a GPU, the CPU engine where there is no WebGL2, as in Node), and what to do when no engine
 * can run.
 */
export interface DefaultConfig extends Omit<BackendOptions, 'gl'> {
  /**
   * When no engine can run (the engine asked for cannot be made, or the CPU engine finds no WebAssembly SIMD),
   * compute with the CPU reference implementation instead of rejecting. Default true; false to reject with the
   * reason.
   */
  cpuFallback?: boolean;
}

let shared: Backend | null = null;
let config: DefaultConfig = {};
let warnedFallback = false;

/**
 * Sets options of the shared backend behind {@link convTranspose3d} (its next call makes a new one). The options are
 * merged into the configuration so far: what they leave out stays as it was, and an option set to `undefined` goes
 * back to its default. Called with no argument, every option goes back to its default.
 *
 * @throws {@link ConvTranspose3dError} `'invalid-argument'` naming a bad option (nothing is merged then).
 *
 * @example
 * configure({ storage: 'float16' });  // half the memory
 * configure({ cpuFallback: false });  // and reject rather than use the CPU: storage stays 'float16'
 * configure();                        // the defaults again
 */
export function configure(options?: DefaultConfig): void {
  const merged: Record<string, unknown> = options === undefined ? {} : { ...config, ...checkConfig(options) };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  config = merged as DefaultConfig;
  shared?.dispose();
  shared = null;
}

/** The shared backend's configuration: what {@link configure} has set so far (defaults are left out). */
export function configuration(): DefaultConfig {
  return structuredClone(config);
}

/** The backend behind {@link convTranspose3d}, created on first use on a context of its own (and anew if lost). */
export function defaultBackend(): Backend {
  if (!shared || (shared.engine === 'webgl' && (shared as WebglBackend).gl.isContextLost())) {
    const { cpuFallback: _, ...options } = config;
    shared = createBackend({ engine: 'auto', ...options });
  }
  return shared;
}

/**
 * `torch.nn.functional.conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups, dilation)` on
 * the shared backend (see {@link configure}): the GPU where there is one, the CPU engine (WebAssembly SIMD on worker
 * threads) where there is no WebGL2, as in Node. Bad arguments reject before any work; inputs are never modified.
 *
 * @throws {@link ConvTranspose3dError} (the promise rejects): `'invalid-argument'` for a bad argument, before any
 * work; `'out-of-memory'`, `'too-large'`, `'context-lost'`, `'gpu-failure'` from the engine; `'no-webgl2'` or
 * `'unsupported'` when no engine can run and `cpuFallback` is false.
 *
 * @example
 * // y = F.conv_transpose3d(x, w, b, stride=2, padding=1, output_padding=1)
 * const y = await convTranspose3d(x, w, { bias: b, stride: 2, padding: 1, outputPadding: 1 });
 */
export async function convTranspose3d(input: Tensor, weight: Tensor, options?: ConvTranspose3dOptions):
  Promise<Tensor> {
  // Checked once, before the shared WebGL context is even created.
  const call = checkCall(input, weight, options);
  let backend: Backend;
  try {
    backend = defaultBackend();
  } catch (e) {
    return fallBack(e, call);
  }
  const result = runCheckedCall(backend, call);
  try {
    return await result.read();
  } catch (e) {
    // The CPU engine learns only when it starts its workers that the runtime cannot run it.
    if (backend.engine === 'cpu' && e instanceof ConvTranspose3dError && e.code === 'unsupported') {
      return fallBack(e, call);
    }
    throw e;
  } finally {
    result.dispose();
  }
}

/** The CPU reference's result, where no engine can run (unless configured to reject), said once. */
function fallBack(e: unknown, call: CheckedCall<Tensor>): Tensor {
  if (config.cpuFallback === false) throw e;
  if (!warnedFallback) {
    const reason = (e as Error).message.replace(/^conv_transpose3d: /, '');
    console.warn(`conv_transpose3d: computing with the CPU reference: ${reason}`);
    warnedFallback = true;
  }
  return referenceFromCall(call);
}

/**
 * `nn.ConvTranspose3d.forward(input, output_size=outputSize)`: picks `outputPadding` by PyTorch's rule so that the
 * output has exactly `outputSize` (3 spatial sizes, or the whole shape), then runs {@link convTranspose3d}.
 * An `outputPadding` in `options` is ignored, as PyTorch ignores the module's when `output_size` is given.
 *
 * @example
 * // up = nn.ConvTranspose3d(16, 8, 3, stride=2); y = up(x, output_size=[8, 8, 8])
 * const y = await convTranspose3dToSize(x, w, [8, 8, 8], { stride: 2 });
 */
export async function convTranspose3dToSize(input: Tensor, weight: Tensor, outputSize: number[],
  options: ConvTranspose3dOptions = {}): Promise<Tensor> {
  const opts = checkOptions(options);
  const wShape = checkTensor(weight, 'weight');
  if (wShape.length !== 5) {
    throw new ConvTranspose3dError(`conv_transpose3d: weight must be 5-D, got shape ${show(wShape)}`,
      'invalid-argument', 'weight');
  }
  const outputPadding = outputPaddingForSize(checkTensor(input, 'input'), [wShape[2], wShape[3], wShape[4]],
    outputSize, opts);
  return convTranspose3d(input, weight, { ...opts, outputPadding });
}
