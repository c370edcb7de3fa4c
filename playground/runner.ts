// Runs one configuration: the GPU path (end-to-end and resident), the CPU reference in a worker, and the checker.
// Knows nothing about the page.
import type { ConvSpec } from '../src/args';
import type { Backend } from '../src/backend';
import { numel } from '../src/tensor';
import type { Tolerance } from '../src/checker';
import type { StorageMode } from '../src/gl/storage';
import type { ConvTranspose3dOptions, Tensor } from '../src/types';

export interface CallTensors {
  x: Tensor;
  w: Tensor;
  options: ConvTranspose3dOptions;
}

export interface GpuRun {
  output: Tensor;
  /** Upload, compute and read back, as a user of the one-shot API sees it. */
  endToEndMs: number;
  /**
   * Inputs already on the GPU; completion forced by a one-texel read, which blocks the page: null (not timed) when
   * the end-to-end run took longer than {@link BLOCKING_TIMING_MS}.
   */
  residentMs: number | null;
  /** Whether the end-to-end time includes compiling shaders (a new specialization). */
  compiled: boolean;
}

/** The reference call, and the storage the GPU used (float16 gets its per-element error bound computed too). */
export type CpuRequest = CallTensors & { storage: StorageMode };
export type CpuReply = { output: Tensor; ms: number; tolerance: Tolerance } | { error: string };

/** `2·N·Cin·(Cout/groups)·kD·kH·kW·D·H·W` (input spatial size): the multiply-adds the definition performs. */
export function flopsOf(spec: ConvSpec): number {
  return 2 * spec.batch * spec.inChannels * spec.outPerGroup * numel(spec.kernel) * numel(spec.inSize);
}

/**
 * The longest end-to-end run whose resident run is timed: the timing waits for the GPU with a synchronous read, and
 * the page answers nothing meanwhile, so a long call is not timed that way.
 */
export const BLOCKING_TIMING_MS = 500;

/**
 * Runs the call on the GPU: end-to-end from CPU arrays, then, when that was quick, again with the inputs resident.
 */
export async function runGpu(backend: Backend, { x, w, options }: CallTensors, cancelled: () => boolean):
  Promise<GpuRun | null> {
  const compilesBefore = backend.stats().compiles;
  let t0 = performance.now();
  const y = backend.convTranspose3d(x, w, options);
  let output: Tensor;
  try {
    output = await y.read();
  } finally {
    y.dispose();
  }
  const endToEndMs = performance.now() - t0;
  const compiled = backend.stats().compiles > compilesBefore;
  if (cancelled()) return null;
  if (endToEndMs > BLOCKING_TIMING_MS) return { output, endToEndMs, residentMs: null, compiled };
  const gx = backend.upload(x);
  const gw = backend.upload(w);
  const gb = options.bias ? backend.upload(options.bias) : null;
  try {
    // Packs the weights into the shader's order once, as a model's resident weights would be.
    backend.convTranspose3d(gx, gw, { ...options, bias: gb }).dispose();
    t0 = performance.now();
    const r = backend.convTranspose3d(gx, gw, { ...options, bias: gb });
    backend.finish(r);
    const residentMs = performance.now() - t0;
    r.dispose();
    return { output, endToEndMs, residentMs, compiled };
  } finally {
    gx.dispose();
    gw.dispose();
    gb?.dispose();
  }
}

/** The CPU reference in a worker; `cancel()` stops it at once (the worker is terminated and replaced). */
export class CpuReference {
  private worker: Worker | null = null;
  private pending: { reject: (e: Error) => void } | null = null;

  run(call: CpuRequest): Promise<{ output: Tensor; ms: number; tolerance: Tolerance }> {
    this.cancel();
    this.worker ??= new Worker(new URL('./cpuWorker.ts', import.meta.url), { type: 'module' });
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      this.pending = { reject };
      worker.onmessage = (e: MessageEvent<CpuReply>) => {
        this.pending = null;
        if ('error' in e.data) reject(new Error(e.data.error));
        else resolve(e.data);
      };
      worker.onerror = (e) => {
        this.pending = null;
        reject(new Error(`CPU reference worker failed: ${e.message}`));
      };
      worker.postMessage(call);
    });
  }

  cancel(): void {
    if (!this.pending) return;
    this.worker?.terminate();
    this.worker = null;
    this.pending.reject(new Error('cancelled'));
    this.pending = null;
  }
}
