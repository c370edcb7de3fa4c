import { show } from './args.js';
import { convTranspose3dReference } from './reference.js';
import type { ConvTranspose3dOptions, Tensor } from './types.js';
import type { StorageMode } from './gl/storage.js';

/**
 * `|got − want| ≤ atol + rtol·|want| + extra[i]` passes. Defaults suit float32 paths: 1e-4, 1e-4 and no extra.
 */
export interface Tolerance {
  /** Absolute tolerance (default 1e-4). */
  atol?: number;
  /** Tolerance relative to `|want|` (default 1e-4). */
  rtol?: number;
  /** An additional allowance per element (see {@link storageTolerance}). */
  extra?: ArrayLike<number> | null;
}

/** What {@link compareTensors} found. */
export interface CheckReport {
  /** True when shapes agree, no element is out of tolerance, and NaN positions agree. */
  ok: boolean;
  /** Whether the shapes (and data lengths) agree; when they do not, the common prefix of the data is compared. */
  shapeMatches: boolean;
  /** Elements compared. */
  count: number;
  /** Largest `|got − want|` over elements where both are finite (or both the same infinity, counted as 0). */
  maxAbsError: number;
  /** Largest `|got − want| / |want|` over the same elements with `want ≠ 0`. */
  maxRelError: number;
  /** Elements out of tolerance, including NaN and infinity disagreements. */
  mismatches: number;
  /** Flat index of the first mismatch, or -1. */
  firstMismatch: number;
  /** `got` and `want` at the first mismatch (null when none). */
  firstMismatchValues: {
    /** The value compared. */
    got: number;
    /** The value it should be. */
    want: number;
  } | null;
  /** Whether `got` is NaN exactly where `want` is NaN. */
  nanPositionsAgree: boolean;
  /** The tolerance used (besides any per-element extra). */
  tolerance: {
    /** Absolute tolerance. */
    atol: number;
    /** Tolerance relative to `|want|`. */
    rtol: number;
  };
}

/**
 * Compares two tensors element by element.
 *
 * @example
 * const r = compareTensors(gpuResult, cpuResult, { atol: 1e-4, rtol: 1e-4 });
 * if (!r.ok) console.log(r.mismatches, r.firstMismatch, r.maxAbsError);
 */
export function compareTensors(got: Tensor, want: Tensor, tolerance: Tolerance = {}): CheckReport {
  const tol = { atol: tolerance.atol ?? 1e-4, rtol: tolerance.rtol ?? 1e-4, extra: tolerance.extra ?? null };
  const shapeMatches = got.shape.length === want.shape.length && got.shape.every((s, i) => s === want.shape[i]) &&
    got.data.length === want.data.length;
  const count = Math.min(got.data.length, want.data.length);
  let maxAbsError = 0;
  let maxRelError = 0;
  let mismatches = 0;
  let firstMismatch = -1;
  let nanPositionsAgree = true;
  for (let i = 0; i < count; i++) {
    const g = got.data[i];
    const w = want.data[i];
    let bad: boolean;
    if (Number.isNaN(g) || Number.isNaN(w)) {
      bad = Number.isNaN(g) !== Number.isNaN(w);
      if (bad) nanPositionsAgree = false;
    } else if (!Number.isFinite(g) || !Number.isFinite(w)) {
      bad = g !== w;
    } else {
      const err = Math.abs(g - w);
      maxAbsError = Math.max(maxAbsError, err);
      if (w !== 0) maxRelError = Math.max(maxRelError, err / Math.abs(w));
      bad = err > tol.atol + tol.rtol * Math.abs(w) + (tol.extra ? tol.extra[i] : 0);
    }
    if (bad) {
      mismatches++;
      if (firstMismatch < 0) firstMismatch = i;
    }
  }
  return {
    ok: shapeMatches && mismatches === 0 && nanPositionsAgree,
    shapeMatches, count, maxAbsError, maxRelError, mismatches, firstMismatch,
    firstMismatchValues: firstMismatch < 0 ? null : { got: got.data[firstMismatch], want: want.data[firstMismatch] },
    nanPositionsAgree, tolerance: { atol: tol.atol, rtol: tol.rtol },
  };
}

/** Unit roundoff assumed for half floats: 2^-10, enough for rounding toward zero as well as to nearest. */
const HALF_UNIT = 2 ** -10;

/**
 * The tolerance a storage mode is held to. float32 and uint32 store float32 values exactly: the default tolerance.
 * float16 rounds the input, weight and bias to half precision when stored, and each output once more; the sums are
 * float32. Each output may then be off by at most `3u·m + u·|want|` with `u = 2^-10` and `m = Σ|x|·|w| + |b|`, the
 * same call on absolute values: that is the extra allowance per element, on top of the default.
 *
 * @example
 * const report = compareTensors(y, want, storageTolerance('float16', x, w, { stride: 2 }));
 */
export function storageTolerance(storage: StorageMode, input: Tensor, weight: Tensor,
  options: ConvTranspose3dOptions = {}): Tolerance {
  if (storage !== 'float16') return {};
  const abs = (t: Tensor): Tensor => ({ shape: t.shape, data: t.data.map(Math.abs) });
  const magnitude = convTranspose3dReference(abs(input), abs(weight),
    { ...options, bias: options.bias ? abs(options.bias) : null });
  const want = convTranspose3dReference(input, weight, options);
  return { extra: magnitude.data.map((m, i) => 3 * HALF_UNIT * m + HALF_UNIT * Math.abs(want.data[i])) };
}

/**
 * The checker: runs the CPU reference on the same arguments and compares `got` with it.
 *
 * @example
 * const y = await convTranspose3d(x, w, opts);
 * const report = checkConvTranspose3d(y, x, w, opts);
 * console.log(report.ok, report.maxAbsError, report.maxRelError);
 */
export function checkConvTranspose3d(got: Tensor, input: Tensor, weight: Tensor, options?: ConvTranspose3dOptions,
  tolerance?: Tolerance): CheckReport {
  return compareTensors(got, convTranspose3dReference(input, weight, options), tolerance);
}

/** A one-line summary of a report, for logs and test messages. */
export function describeReport(r: CheckReport): string {
  const first = r.firstMismatchValues ? ` first at ${r.firstMismatch}: got ${show(r.firstMismatchValues.got)} want ` +
    `${show(r.firstMismatchValues.want)};` : '';
  return `${r.ok ? 'ok' : 'FAIL'}: ${r.count} values, ${r.mismatches} mismatches;${first} max abs ${r.maxAbsError}, ` +
    `max rel ${r.maxRelError}, NaN positions ${r.nanPositionsAgree ? 'agree' : 'differ'}` +
    (r.shapeMatches ? '' : ', shapes differ');
}
