// How the playground times a call and what it says about the numbers: the first call apart (it may compile shaders),
// then warm runs until their median is worth reading, and a plain sentence comparing the GPU with the CPU reference.
// Pure: unit-tested in Node.

/** Warm runs wanted before a median is shown, unless the call is long (see {@link wantsAnotherRun}). */
export const MIN_WARM_RUNS = 3;
export const MAX_WARM_RUNS = 7;
/** Past {@link MIN_WARM_RUNS}, runs continue while they would keep the total under this. */
export const WARM_BUDGET_MS = 1500;
/** Below {@link MIN_WARM_RUNS}, runs continue while they would keep the total under this: a long call runs fewer. */
export const LONG_BUDGET_MS = 6000;
/** Calls with less work than this are dominated by the GPU's fixed cost per call (upload, draw, read back). */
export const SMALL_CALL_FLOPS = 2e7;

/** The middle sample (the mean of the two middle ones for an even count); NaN for none. */
export function median(samples: readonly number[]): number {
  if (!samples.length) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Whether to time one more warm run, given the runs so far: at least {@link MIN_WARM_RUNS} unless that would take
 * past {@link LONG_BUDGET_MS}, then more up to {@link MAX_WARM_RUNS} while within {@link WARM_BUDGET_MS}.
 *
 * @example
 * wantsAnotherRun([]); // true
 * wantsAnotherRun([10, 10, 10]); // true: 40 ms is within the budget
 * wantsAnotherRun([4000]); // false: a second run would end past 6 s
 */
export function wantsAnotherRun(samples: readonly number[]): boolean {
  if (!samples.length) return true;
  if (samples.length >= MAX_WARM_RUNS) return false;
  const next = samples.reduce((a, b) => a + b, 0) + median(samples);
  return next <= (samples.length < MIN_WARM_RUNS ? LONG_BUDGET_MS : WARM_BUDGET_MS);
}

/** What was measured for one configuration. */
export interface Timings {
  /** The first call, end to end: it includes compiling shaders when `compiled`. */
  firstMs: number;
  compiled: boolean;
  /** Warm end-to-end runs (upload, compute, read back). */
  endToEnd: readonly number[];
  /** Warm runs with the inputs already on the GPU; null when not timed (the call is too long to block the page). */
  resident: readonly number[] | null;
  /** The CPU reference's time, or null while it runs. */
  cpuMs: number | null;
  /** The call's floating-point operations. */
  flops: number;
  /** The software rasterizer drawing WebGL here (e.g. 'SwiftShader'), or null for a GPU or an unknown renderer. */
  softwareRenderer: string | null;
}

export interface TimingRow {
  what: string;
  /** Milliseconds; null while not measured yet. */
  ms: number | null;
  /** Shown when not measured and never will be (instead of the waiting mark). */
  missing?: string;
  /** GFLOP/s at `ms`; null where a rate means nothing (the first call). */
  gflops: number | null;
  note: string;
}

const runs = (n: number) => (n === 1 ? 'one warm run (the call is long)' : `median of ${n} warm runs`);
const rate = (flops: number, ms: number | null) => (ms === null || ms <= 0 ? null : flops / 1e9 / (ms / 1e3));

/** The timing table, the warm medians first; the first call last, as it is not the speed. */
export function timingRows(t: Timings): TimingRow[] {
  const e2e = median(t.endToEnd);
  const resident = t.resident ? median(t.resident) : null;
  const extra = t.firstMs - e2e;
  return [
    { what: 'GPU, end-to-end', ms: e2e, gflops: rate(t.flops, e2e),
      note: `upload, compute, read back; ${runs(t.endToEnd.length)}` },
    { what: 'GPU, resident', ms: resident, gflops: rate(t.flops, resident),
      missing: t.resident ? undefined : '—',
      note: t.resident ? `inputs already on the GPU; ${runs(t.resident.length)}` : 'not timed: timing it would ' +
        'stop the page from responding until the GPU is done, and the call is long' },
    { what: 'CPU reference', ms: t.cpuMs, gflops: rate(t.flops, t.cpuMs),
      note: 'float64, one thread, in a worker: the checker, not a tuned CPU kernel' },
    { what: 'GPU, first call', ms: t.firstMs, gflops: null,
      note: t.compiled ? `includes compiling this configuration's shaders${extra > 0 ? ` (about ${extra.toFixed(0)} ms ` +
        'more than a warm run)' : ''}: once per configuration, later calls reuse them`
        : 'the shaders were already compiled by an earlier run' },
  ];
}

/**
 * One sentence on how the GPU compares with the CPU reference, and why when the CPU reference is faster.
 *
 * @example
 * verdict({ ...t, endToEnd: [10], cpuMs: 250 }); // 'The GPU is 25× faster than the CPU reference here, end to end.'
 */
export function verdict(t: Timings): string {
  if (t.cpuMs === null) return 'Waiting for the CPU reference to compare.';
  const gpu = median(t.endToEnd);
  const ratio = t.cpuMs / gpu;
  const software = t.softwareRenderer ? ` This browser draws WebGL on the CPU (${t.softwareRenderer}): these are a ` +
    "software rasterizer's times, not a GPU's." : '';
  if (ratio >= 1) {
    return `The GPU is ${ratio < 10 ? ratio.toFixed(1) : ratio.toFixed(0)}× faster than the CPU reference here, end ` +
      `to end.${software}`;
  }
  const why = t.flops < SMALL_CALL_FLOPS
    ? `this call is small (${(t.flops / 1e6).toPrecision(3)} MFLOP), so the GPU's fixed cost per call (upload, ` +
      'draw, read back) outweighs its arithmetic. The U-Net, VAE and video presets show the GPU at work.'
    : t.softwareRenderer ? `this browser draws WebGL on the CPU (${t.softwareRenderer}), not on a GPU.`
      : "this device's GPU is slower than one CPU core for this call.";
  return `The CPU reference is ${(1 / ratio).toFixed(1)}× faster here: ${why}`;
}

/**
 * The software rasterizer a renderer string names, or null. WebKitGTK reports every renderer as "Apple GPU", so
 * software WebGL there goes unnamed.
 *
 * @example
 * softwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)'); // 'SwiftShader'
 */
export function softwareRenderer(renderer: string): string | null {
  if (/SwiftShader/i.test(renderer)) return 'SwiftShader';
  if (/llvmpipe/i.test(renderer)) return 'Mesa llvmpipe';
  if (/softpipe/i.test(renderer)) return 'Mesa softpipe';
  if (/Microsoft Basic Render|WARP/i.test(renderer)) return 'Microsoft WARP';
  return null;
}
