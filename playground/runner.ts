// Runs one configuration: the GPU path (the first call, then warm runs end to end and resident) and the CPU reference
// in a worker.
// Knows nothing about the page.
import type { ConvSpec } from '../src/args';
import type { WebglBackend as Backend } from '../src/backend';
import { numel } from '../src/tensor';
import type { Tolerance } from '../src/checker';
import type { StorageMode } from '../src/gl/storage';
import type { ConvTranspose3dOptions, Tensor } from '../src/types';
import { median, wantsAnotherRun } from './timings';

export interface CallTensors {
  x: Tensor;
  w: Tensor;
  options: ConvTranspose3dOptions;
}

export interface GpuRun {
  output: Tensor;
  /** The first call, end to end, as a user of the one-shot API sees it. */
  firstMs: number;
  /** Whether the first call compiled shaders (a new specialization). */
  compiled: boolean;
  /** Warm end-to-end runs: upload, compute and read back. */
  endToEnd: number[];
  /**
   * Warm runs with the inputs already on the GPU, completion forced by a one-texel read that blocks the page: null
   * (not timed) when a warm end-to-end run takes longer than {@link BLOCKING_TIMING_MS}.
   */
  resident: number[] | null;
}

/** The reference call, and the storage the GPU used (float16 gets its per-element error bound computed too). */
export type CpuRequest = CallTensors & { storage: StorageMode };
export type CpuReply = { output: Tensor; ms: number; tolerance: Tolerance } | { error: string };

/** `2·N·Cin·(Cout/groups)·kD·kH·kW·D·H·W` (input spatial size): the multiply-adds the definition performs. */
export function flopsOf(spec: ConvSpec): number {
  return 2 * spec.batch * spec.inChannels * spec.outPerGroup * numel(spec.kernel) * numel(spec.inSize);
}

/**
 * The longest warm end-to-end run whose resident run is timed: the timing waits for the GPU with a synchronous read,
 * and the page answers nothing meanwhile, so a long call is not timed that way.
 */
export const BLOCKING_TIMING_MS = 500;

/** Lets the page handle its events (a click on Cancel) between runs. */
const breathe = () => new Promise((r) => setTimeout(r, 0));

/**
 * Times `once` until {@link wantsAnotherRun} has enough runs, telling `progress` which run is next and letting the
 * page breathe before each; null when `cancelled()` turned true.
 */
async function warmRuns(label: (run: number) => string, once: () => Promise<number>, cancelled: () => boolean,
  progress: (what: string) => void): Promise<number[] | null> {
  const ms: number[] = [];
  while (wantsAnotherRun(ms)) {
    progress(label(ms.length + 1));
    await breathe();
    if (cancelled()) return null;
    ms.push(await once());
  }
  return ms;
}

/** Upload, compute and read back, disposing the GPU output. */
async function endToEnd(backend: Backend, { x, w, options }: CallTensors): Promise<{ output: Tensor; ms: number }> {
  const t0 = performance.now();
  const y = backend.convTranspose3d(x, w, options);
  try {
    const output = await y.read();
    return { output, ms: performance.now() - t0 };
  } finally {
    y.dispose();
  }
}

/**
 * Runs the call on the GPU: once from CPU arrays (the first call, which may compile shaders), then warm runs until
 * {@link wantsAnotherRun} has enough, end to end and, when those are quick, with the inputs resident. `progress`
 * hears what is being timed; null when `cancelled()` turned true.
 */
export async function runGpu(backend: Backend, call: CallTensors, cancelled: () => boolean,
  progress: (what: string) => void = () => undefined): Promise<GpuRun | null> {
  const compilesBefore = backend.stats().compiles;
  const first = await endToEnd(backend, call);
  const compiled = backend.stats().compiles > compilesBefore;
  const endToEndMs = await warmRuns((n) => `Timing the GPU: warm run ${n}…`,
    async () => (await endToEnd(backend, call)).ms, cancelled, progress);
  if (!endToEndMs) return null;
  const run: GpuRun = { output: first.output, firstMs: first.ms, compiled, endToEnd: endToEndMs, resident: null };
  if (cancelled()) return null;
  if (median(endToEndMs) > BLOCKING_TIMING_MS) return run;
  const { options } = call;
  const gx = backend.upload(call.x);
  const gw = backend.upload(call.w);
  const gb = options.bias ? backend.upload(options.bias) : null;
  try {
    // Packs the weights into the shader's order once, as a model's resident weights would be.
    backend.convTranspose3d(gx, gw, { ...options, bias: gb }).dispose();
    const resident = await warmRuns((n) => `Timing the GPU with resident inputs: run ${n}…`, async () => {
      const t0 = performance.now();
      const r = backend.convTranspose3d(gx, gw, { ...options, bias: gb });
      backend.finish(r);
      const ms = performance.now() - t0;
      r.dispose();
      return ms;
    }, cancelled, progress);
    return resident && { ...run, resident };
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
