// How much work one fragment of the gather shader does, chosen by a cost model: pure (no WebGL), so it is
// unit-tested in Node. The costs are texel fetches, with multiply-adds and per-fragment work priced as fractions of
// a fetch, as measured on SwiftShader, a fetch-bound renderer (docs/performance.md).
import type { ConvSpec } from './args.js';
import { mod, phaseTaps, tapRange, type ChannelPlan, type PhaseTaps } from './packing.js';

/** How much work one fragment of the gather shader does. */
export interface FragmentShape {
  /** Output voxels along W per fragment (same stride phase, so they share every weight fetch). */
  voxels: number;
  /**
   * Output voxels along D per fragment: 1, or 2 where D has stride and dilation 1 (`depthPairs`). Voxels od and
   * od + 1 read input row id at taps kd and kd + 1, so a fragment fetches each input row once for both.
   */
  depth: number;
  /** Output channel blocks of 4 per fragment (they share every input fetch). */
  blocks: number;
  /** Most W taps per window (a window plan): each input texel is fetched once for up to this many taps. */
  taps: number;
  /**
   * Most input texels a window holds (at most 16): where a phase's taps need a wider window, fewer
   * voxels are chosen, or the taps split into several windows. The device's default comes from its renderer.
   */
  windowTexels: number;
}

/** Output texels (render targets) one fragment writes: `voxels·depth·blocks`, each into its own slice. */
export function fragmentOutputs(f: FragmentShape): number {
  return f.voxels * f.depth * f.blocks;
}

/** Most D taps for which a fragment may take two voxels along D: their rows and weights are unrolled. */
const MAX_DEPTH_PAIR_TAPS = 7;

/**
 * Whether a fragment may compute two voxels along D ({@link FragmentShape.depth}): D stride and dilation 1 (every D
 * tap then reaches the next voxel's input one row further), 2–7 D taps, and not depthwise.
 */
export function depthPairs(spec: ConvSpec, channels: ChannelPlan): boolean {
  return spec.stride[0] === 1 && spec.dilation[0] === 1 && spec.kernel[0] >= 2 &&
    spec.kernel[0] <= MAX_DEPTH_PAIR_TAPS && spec.outSize[0] >= 2 && !channels.depthwise;
}

/**
 * How the gather shader walks the W taps of a stride phase: `taps` at a time, over one window of `size` input texels
 * (voxel m at tap t reads the texel voxel m+1 reads at tap t+1, `shift` columns apart), `windows` windows per phase.
 */
export interface WindowPlan {
  taps: number;
  windows: number;
  shift: number;
  size: number;
  /** Every phase that has taps has exactly `taps·windows` of them (the shader then needs no per-tap test). */
  even: boolean;
  /** Some real output voxel has a W tap outside the input (its products must be discarded by selection). */
  masked: boolean;
}

/** Most taps per window, and most texels per window (they live in registers). */
export const MAX_WINDOW_TAPS = 4;
export const MAX_WINDOW = 16;

/**
 * The window plan of the W axis for a fragment shape: for the fragments of W phase `phase` (output columns
 * `ow ≡ phase mod strideW`), or for all fragments when it is omitted.
 *
 * @example
 * windowPlan(spec, { voxels: 8, taps: 4, windowTexels: 16 }); // kernel 3, stride 1: { taps: 3, windows: 1, size: 10 }
 */
export function windowPlan(spec: ConvSpec, shape: Pick<FragmentShape, 'voxels' | 'taps' | 'windowTexels'>,
  phase?: number): WindowPlan {
  const phases = phase === undefined ? Array.from({ length: phaseCount(spec, 2) }, (_, a) => a) : [phase];
  return windowOf(spec, shape, phases, phaseTaps(spec.kernel[2], spec.stride[2], spec.dilation[2]));
}

/** The window plan of each W phase that holds output columns ({@link phaseCount}), the tables computed once. */
export function phaseWindowPlans(spec: ConvSpec, shape: Pick<FragmentShape, 'voxels' | 'taps' | 'windowTexels'>):
  WindowPlan[] {
  const taps = phaseTaps(spec.kernel[2], spec.stride[2], spec.dilation[2]);
  return Array.from({ length: phaseCount(spec, 2) }, (_, a) => windowOf(spec, shape, [a], taps));
}

/** {@link windowPlan} over `phases`, given the W axis's tables: work in proportion to the phases' output columns. */
function windowOf(spec: ConvSpec, shape: Pick<FragmentShape, 'voxels' | 'taps' | 'windowTexels'>, phases: number[],
  tables: PhaseTaps): WindowPlan {
  const [k, s, dil, pad] = [spec.kernel[2], spec.stride[2], spec.dilation[2], spec.padding[2]];
  const { firstTap, step, taps: phaseCounts } = tables;
  const phaseOf = (a: number) => mod(a + pad, s);
  const counts = phases.map((a) => phaseCounts[phaseOf(a)]);
  const most = Math.max(...counts);
  const shift = (step * dil) / s;
  const { voxels } = shape;
  let taps = Math.max(1, Math.min(most, shape.taps, MAX_WINDOW_TAPS));
  while (taps > 1 && voxels + (taps - 1) * shift > Math.min(shape.windowTexels, MAX_WINDOW)) taps--;
  const windows = Math.ceil(most / taps);
  let masked = false;
  for (const a of phases) {
    for (let o = a; o < spec.outSize[2] && !masked; o += s) {
      const p = o + pad;
      for (let t = firstTap[phaseOf(a)]; t < k && !masked; t += step) {
        const reach = p - t * dil;  // a multiple of s
        masked = reach < 0 || reach / s >= spec.inSize[2];
      }
    }
  }
  return { taps, windows, shift, size: voxels + (taps - 1) * shift, even: counts.every((n) => n === 0 ||
    n === taps * windows), masked };
}

/** The most taps any stride phase has along axis `a` (0 = D, 1 = H, 2 = W). */
export function mostTaps(spec: ConvSpec, a: number): number {
  return Math.max(...phaseTaps(spec.kernel[a], spec.stride[a], spec.dilation[a]).taps);
}

/**
 * D taps inside the input, averaged over the fragments along D ({@link phaseMajor}): what the gather visits per
 * fragment with one voxel along D.
 */
function meanInsideTapsD(spec: ConvSpec): number {
  const tables = phaseTaps(spec.kernel[0], spec.stride[0], spec.dilation[0]);
  let taps = 0;
  for (let od = 0; od < spec.outSize[0]; od++) {
    const r = tapRange(od + spec.padding[0], spec.kernel[0], spec.stride[0], spec.dilation[0], spec.inSize[0],
      tables);
    taps += Math.max(0, r.hi - r.lo + 1);
  }
  return taps / phaseMajor(spec, 0).size;
}

/** Taps per stride phase along an axis, averaged over the phases. */
function meanTaps(kernel: number, stride: number, dilation: number): number {
  return phaseTaps(kernel, stride, dilation).taps.reduce((sum, n) => sum + n, 0) / stride;
}

/**
 * Estimated cost of a call with this fragment shape, in texel fetches, on a renderer that shades blocks `quadWidth`
 * pixels wide ({@link quadColumns}).
 */
export function fragmentCost(spec: ConvSpec, channels: ChannelPlan, shape: FragmentShape, quadWidth: number): number {
  const { voxels, blocks: nbo, depth } = shape;
  const weightFetches = channels.depthwise ? 1 : 4;
  // Input rows and D taps per fragment: one voxel along D visits the taps inside the input (a range per fragment);
  // two read all KD + 1 rows of the pair, those past the input too (zeroed or discarded), at every tap.
  let [rows, tapsD] = [spec.kernel[0] + depth - 1, spec.kernel[0]];
  if (depth === 1) rows = tapsD = meanInsideTapsD(spec);
  // Each W phase is drawn with its own window when the stride allows (see ConvPlan.phaseWindows); average them.
  const phases = phaseWindowPlans(spec, shape);
  const perWindow = phases.reduce((sum, w) => sum + w.windows * (rows * w.size + tapsD * w.taps * nbo *
    (weightFetches + 0.4 * voxels * depth)), 0) / phases.length;
  const perFragment = meanTaps(spec.kernel[1], spec.stride[1], spec.dilation[1]) * channels.blocksPerOutput *
    perWindow + 16;
  const q = chunksPerPhase(spec, voxels);
  // Slices with rows side by side waste no lanes (sliceRowsPerLine).
  const fragments = spec.batch * Math.ceil(channels.outBlocks / nbo) * phaseMajor(spec, 0, depth).size *
    spec.outSize[1] *
    (sliceRowsPerLine(spec, q, quadWidth) > 1 ? q : quadColumns(q, phaseCount(spec, 2), quadWidth));
  return fragments * perFragment;
}

/** Voxel chunks per W phase for `voxels` output voxels per fragment: `ceil(ceil(OW / strideW) / voxels)`. */
export function chunksPerPhase(spec: ConvSpec, voxels: number): number {
  return Math.ceil(Math.ceil(spec.outSize[2] / spec.stride[2]) / voxels);
}

/**
 * Stride phases along axis `a` that hold output positions: `min(stride, output length)` (positions `o` and `o +
 * stride` share a phase; a stride longer than the axis leaves one position a phase).
 */
export function phaseCount(spec: ConvSpec, a: number): number {
  return Math.min(spec.stride[a], spec.outSize[a]);
}

/**
 * Output positions along axis `a` (0 = D, 1 = H) in stride-phase-major order, in groups of `depth` positions of one
 * phase (the voxels along D of one fragment): index i is the group of positions
 * `(i / perPhase) + ((i mod perPhase)·depth + e)·stride`, e < depth (phase first), `size = phases·perPhase` indices
 * ({@link phaseCount}), the few past the axis holding no position. Neighbouring slice rows then share a stride
 * phase, so they have the same taps.
 */
export function phaseMajor(spec: ConvSpec, a: number, depth = 1): { perPhase: number; size: number } {
  const perPhase = Math.ceil(Math.ceil(spec.outSize[a] / spec.stride[a]) / depth);
  return { perPhase, size: perPhase * phaseCount(spec, a) };
}

/**
 * Rows per line the slice layout asks for: without a W stride (one draw over all columns), the fewest rows side by
 * side that make a line a whole number of the renderer's pixel blocks (`quadWidth` wide), so that no block straddles
 * the edge ({@link quadColumns}); with one, phase draws need a row per line.
 *
 * @example
 * sliceRowsPerLine(spec, 3, 2); // W stride 1, 3 chunks, 2×2 quads: 2 (lines 6 wide)
 * sliceRowsPerLine(spec, 3, 4); // on llvmpipe: 4 (lines 12 wide)
 */
export function sliceRowsPerLine(spec: ConvSpec, chunks: number, quadWidth: number): number {
  let rows = 1;
  while (spec.stride[2] === 1 && (chunks * rows) % quadWidth !== 0) rows *= 2;
  return rows;
}

/**
 * Slice columns a renderer shades when each of `phases` draws covers `q` columns (phase a: a·q … a·q + q − 1):
 * fragments run in blocks `quadWidth` pixels wide, so a draw pays for every block of columns it touches, partly used
 * or not (docs/performance.md has the measurements on SwiftShader's 2×2 quads and llvmpipe's 4×4 blocks).
 *
 * @example
 * quadColumns(3, 1, 2); // 4: columns 0–2 shade as pairs (0, 1) and (2, 3)
 * quadColumns(3, 2, 2); // 8: phase 1 (columns 3–5) touches pairs (2, 3) and (4, 5)
 * quadColumns(3, 2, 4); // 12: phase 0 touches columns 0–3, phase 1 (columns 3–5) columns 0–7
 */
export function quadColumns(q: number, phases: number, quadWidth: number): number {
  let columns = 0;
  for (let a = 0; a < phases; a++) {
    columns += quadWidth * (Math.floor((a * q + q - 1) / quadWidth) - Math.floor((a * q) / quadWidth) + 1);
  }
  return columns;
}

/** What the choice of a fragment shape must respect: the renderer's render targets, pixel blocks and windows. */
export interface FragmentLimits {
  /** Render targets one fragment may write. */
  maxOutputs: number;
  /** Width of the pixel blocks the renderer shades together (2 for GPUs' and SwiftShader's quads). */
  quadWidth: number;
  /** Most texels a W window may hold on this renderer (see {@link FragmentShape.windowTexels}). */
  windowTexels: number;
}

/**
 * Picks the fragment shape of least {@link fragmentCost} within the render targets (reuse is what makes a
 * fetch-bound renderer fast), with no more voxels than a W phase has, and several channel blocks only where they
 * read the same input channels. A `request` pins any of the numbers (checked by checkFragmentRequest in args.ts).
 */
export function chooseFragment(spec: ConvSpec, channels: ChannelPlan, limits: FragmentLimits,
  request: Partial<FragmentShape> = {}): FragmentShape {
  const { maxOutputs, quadWidth } = limits;
  const shareable = (b: number) => b === 1 || (b <= channels.outBlocks && (spec.groups === 1 ||
    (channels.aligned && (spec.outPerGroup / 4) % b === 0)));
  const perPhase = Math.ceil(spec.outSize[2] / spec.stride[2]);
  const blockChoices = request.blocks !== undefined && shareable(request.blocks) ? [request.blocks]
    : [2, 1, 4].filter((b) => b <= maxOutputs && shareable(b));
  const taps = Math.min(request.taps ?? MAX_WINDOW_TAPS, MAX_WINDOW_TAPS);
  const windowTexels = Math.min(request.windowTexels ?? limits.windowTexels, MAX_WINDOW);
  const pairs = depthPairs(spec, channels) && maxOutputs >= 2;
  const depthChoices = request.depth !== undefined ? [pairs && request.depth >= 2 ? 2 : 1] : pairs ? [1, 2] : [1];
  let best: FragmentShape = { voxels: 1, depth: 1, blocks: 1, taps, windowTexels };
  let bestCost = Infinity;
  for (const depth of depthChoices) for (const blocks of blockChoices.filter((b) => b * depth <= maxOutputs)) {
    const most = Math.max(1, Math.min(Math.floor(maxOutputs / (blocks * depth)), perPhase, 8));
    const voxelChoices = request.voxels !== undefined ? [Math.min(request.voxels, most)]
      : Array.from({ length: most }, (_, i) => most - i);
    for (const voxels of voxelChoices) {
      const shape = { voxels, depth, blocks, taps, windowTexels };
      const cost = fragmentCost(spec, channels, shape, quadWidth);
      // Ties go to the first candidate: 2 blocks, then more voxels (the shapes measured best).
      if (cost < bestCost * (1 - 1e-9)) [best, bestCost] = [shape, cost];
    }
  }
  return best;
}
