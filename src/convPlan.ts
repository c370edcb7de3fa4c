// From a checked call to what the GPU does: texture layouts, shader specializations and work per texel.
// Pure (no WebGL), so it is unit-tested in Node.
import type { ConvSpec } from './args';
import { isLayered, planLayout, texelCount, type LayoutLimits, type TextureLayout } from './layout';
import {
  activationGrid, as5d, blocks, channelPlan, packedWeightGrid, phaseTaps, tapRange, type ChannelPlan,
} from './packing';

/** How much work one fragment of the gather shader does. */
export interface FragmentShape {
  /** Output voxels along W per fragment (same stride phase, so they share every weight fetch). */
  voxels: number;
  /**
   * Output voxels along D per fragment: 1, or 2 where D has stride and dilation 1 ({@link depthPairs}). Voxels od and
   * od + 1 read input row id at taps kd and kd + 1, so a fragment fetches each input row once for both.
   */
  depth: number;
  /** Output channel blocks of 4 per fragment (they share every input fetch). */
  blocks: number;
  /**
   * Most W taps per window ({@link WindowPlan}): each input texel is fetched once for up to this many taps. Fewer
   * fetches is what both software renderers want; 1 turns windows off (to measure them).
   */
  taps: number;
  /**
   * Most input texels a window holds (default {@link MAX_WINDOW}): where a phase's taps need a wider window, fewer
   * voxels are chosen, or the taps split into several windows. Mesa llvmpipe, short of registers, wants 10.
   */
  windowTexels: number;
}

/** Output texels (render targets) one fragment writes: `voxels·depth·blocks`, each into its own slice. */
export function fragmentOutputs(f: FragmentShape): number {
  return f.voxels * f.depth * f.blocks;
}

/** Most D taps for which a fragment may take two voxels along D: their rows and weights are unrolled. */
export const MAX_DEPTH_PAIR_TAPS = 7;

/**
 * Whether a fragment may compute two voxels along D ({@link FragmentShape.depth}): D stride and dilation 1 (every D
 * tap then reaches the next voxel's input one row further), 2–7 D taps, and not depthwise.
 */
export function depthPairs(spec: ConvSpec, channels: ChannelPlan): boolean {
  return spec.stride[0] === 1 && spec.dilation[0] === 1 && spec.kernel[0] >= 2 &&
    spec.kernel[0] <= MAX_DEPTH_PAIR_TAPS && spec.outSize[0] >= 2 && !channels.depthwise;
}

/** Everything the GPU needs to know about one conv_transpose3d call. */
export interface ConvPlan {
  spec: ConvSpec;
  channels: ChannelPlan;
  fragment: FragmentShape;
  /** How the gather shader walks the W taps. */
  window: WindowPlan;
  /**
   * With a W stride, the slice columns of each W phase are one range of texture columns, so the gather is drawn
   * once per phase, each with its own window (exact tap count, no per-fragment phase lookups); null when the slice
   * layout does not allow it (rows side by side or cut) or the stride is 1.
   */
  phaseWindows: WindowPlan[] | null;
  /** Voxel chunks per W phase: `ceil(ceil(OW / strideW) / voxels)`. */
  chunksPerPhase: number;
  /** Output channel-block groups: `ceil(COB / blocks)`. */
  blockGroups: number;
  /**
   * The gather writes the output's own activation layout, one voxel of one channel block per fragment, and there
   * is no slice texture and no repack (see {@link planConv}); `slice` is then the output's layout.
   */
  direct: boolean;
  /** Layout of each of the `voxels·depth·blocks` slices the gather shader renders (stacked in one array texture). */
  slice: TextureLayout;
  /** Input `(N, Cin, D, H, W)` as an activation. */
  input: TextureLayout;
  /** The caller's weight `(Cin, Cout/groups, kD, kH, kW)` stored as an activation. */
  rawWeight: TextureLayout;
  /** The weight re-laid out for the gather shader. */
  packedWeight: TextureLayout;
  bias: TextureLayout | null;
  /** Output `(N, Cout, OD, OH, OW)` as an activation. */
  output: TextureLayout;
  /** Rough texel fetches per fragment of the gather shader, to size its draws. */
  fetchesPerTexel: number;
}

/**
 * The activation layout of a tensor of any rank 1–5 (see {@link as5d}). Rows go side by side where that keeps the
 * tensor in one layer: a 2-D texture is cheaper to fetch from than an array ({@link isLayered}).
 *
 * @example
 * activationLayout([20, 16, 50, 10, 20], { maxTextureSize: 8192, maxLayers: 2048 });
 * // 40000 rows of 20 texels: 8 a line, { rowsPerLine: 8, width: 160, height: 5000, layers: 1 }
 */
export function activationLayout(shape: readonly number[], limits: LayoutLimits): TextureLayout {
  const grid = activationGrid(as5d(shape));
  // planLayout keeps one row a line where that many rows do not fit a line.
  const perLine = 2 ** Math.ceil(Math.log2(Math.ceil(grid.rows / limits.maxTextureSize)));
  return planLayout(grid.rows, grid.cols, limits, perLine);
}

/**
 * How the gather shader walks the W taps of a stride phase: `taps` at a time, over one window of `size` input texels
 * (voxel m at tap t reads the texel voxel m+1 reads at tap t+1, `shift` columns apart), `chunks` windows per phase.
 */
export interface WindowPlan {
  taps: number;
  chunks: number;
  shift: number;
  size: number;
  /** Every phase that has taps has exactly `taps·chunks` of them (the shader then needs no per-tap test). */
  even: boolean;
  /** Some real output voxel has a W tap outside the input (its products must be discarded by selection). */
  masked: boolean;
}

/** Most taps per window, and most texels per window (they live in registers). */
export const MAX_WINDOW_TAPS = 4;
export const MAX_WINDOW = 16;

/**
 * The window plan of the W axis for `voxels` output voxels per fragment: for the fragments of W phase `phase`
 * (output columns `ow ≡ phase mod strideW`), or for all fragments when it is omitted.
 *
 * @example
 * windowPlan(spec, 8); // kernel 3, stride 1: { taps: 3, chunks: 1, shift: 1, size: 10, even: true, ... }
 */
export function windowPlan(spec: ConvSpec, voxels: number, maxTaps = MAX_WINDOW_TAPS, phase?: number,
  maxWindow = MAX_WINDOW): WindowPlan {
  const [k, s, dil, pad] = [spec.kernel[2], spec.stride[2], spec.dilation[2], spec.padding[2]];
  const { firstTap, step, taps: phaseCounts } = phaseTaps(k, s, dil);
  const phases = phase === undefined ? firstTap.map((_, a) => a) : [phase];
  const counts = phases.map((a) => phaseCounts[(a + pad) % s]);
  const most = Math.max(...counts);
  const shift = (step * dil) / s;
  let taps = Math.max(1, Math.min(most, maxTaps, MAX_WINDOW_TAPS));
  while (taps > 1 && voxels + (taps - 1) * shift > Math.min(maxWindow, MAX_WINDOW)) taps--;
  const chunks = Math.ceil(most / taps);
  let masked = false;
  for (const a of phases) {
    for (let o = a; o < spec.outSize[2] && !masked; o += s) {
      const p = o + pad;
      for (let t = firstTap[p % s]; t < k && !masked; t += step) {
        const reach = p - t * dil;  // a multiple of s
        masked = reach < 0 || reach / s >= spec.inSize[2];
      }
    }
  }
  return { taps, chunks, shift, size: voxels + (taps - 1) * shift, even: counts.every((n) => n === 0 ||
    n === taps * chunks), masked };
}

/** The most taps any stride phase has along axis `a` (0 = D, 1 = H, 2 = W). */
function mostTaps(spec: ConvSpec, a: number): number {
  return Math.max(...phaseTaps(spec.kernel[a], spec.stride[a], spec.dilation[a]).taps);
}

/**
 * D taps inside the input, averaged over the fragments along D ({@link phaseMajor}): what the gather visits per
 * fragment with one voxel along D.
 */
function meanInsideTapsD(spec: ConvSpec): number {
  let taps = 0;
  for (let od = 0; od < spec.outSize[0]; od++) {
    const r = tapRange(od + spec.padding[0], spec.kernel[0], spec.stride[0], spec.dilation[0], spec.inSize[0]);
    taps += Math.max(0, r.hi - r.lo + 1);
  }
  return taps / phaseMajor(spec, 0).size;
}

/** Taps per stride phase along an axis, averaged over the phases. */
function meanTaps(kernel: number, stride: number, dilation: number): number {
  return phaseTaps(kernel, stride, dilation).taps.reduce((sum, n) => sum + n, 0) / stride;
}

/**
 * Estimated cost of a call with this fragment shape, in texel fetches (multiply-adds and per-fragment work priced
 * as fractions of a fetch, as measured on SwiftShader, a fetch-bound renderer).
 */
export function fragmentCost(spec: ConvSpec, channels: ChannelPlan, shape: FragmentShape,
  quadWidth = QUAD_WIDTH): number {
  const { voxels, blocks: nbo, depth } = shape;
  const weightFetches = channels.depthwise ? 1 : 4;
  // Input rows and D taps per fragment: one voxel along D visits the taps inside the input (a range per fragment);
  // two read all KD + 1 rows of the pair, those past the input too (zeroed or discarded), at every tap.
  let [rows, tapsD] = [spec.kernel[0] + depth - 1, spec.kernel[0]];
  if (depth === 1) rows = tapsD = meanInsideTapsD(spec);
  // Each W phase is drawn with its own window when the stride allows (see phaseWindows); average them.
  const windows = Array.from({ length: spec.stride[2] }, (_, a) => windowPlan(spec, voxels, shape.taps, a,
    shape.windowTexels));
  const perWindow = windows.reduce((sum, w) => sum + w.chunks * (rows * w.size + tapsD * w.taps * nbo *
    (weightFetches + 0.4 * voxels * depth)), 0) / windows.length;
  const perFragment = meanTaps(spec.kernel[1], spec.stride[1], spec.dilation[1]) * channels.blocksPerOutput *
    perWindow + 16;
  const q = chunksPerPhase(spec, voxels);
  // Slices with rows side by side waste no lanes (sliceRowsPerLine).
  const fragments = spec.batch * Math.ceil(channels.outBlocks / nbo) * phaseMajor(spec, 0, depth).size *
    spec.outSize[1] *
    (sliceRowsPerLine(spec, q, quadWidth) > 1 ? q : quadColumns(q, spec.stride[2], quadWidth));
  return fragments * perFragment;
}

/** Voxel chunks per W phase for `voxels` output voxels per fragment: `ceil(ceil(OW / strideW) / voxels)`. */
function chunksPerPhase(spec: ConvSpec, voxels: number): number {
  return Math.ceil(Math.ceil(spec.outSize[2] / spec.stride[2]) / voxels);
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
function sliceRowsPerLine(spec: ConvSpec, chunks: number, quadWidth: number): number {
  let rows = 1;
  while (spec.stride[2] === 1 && (chunks * rows) % quadWidth !== 0) rows *= 2;
  return rows;
}

/**
 * Slice columns a renderer shades when each of `phases` draws covers `q` columns (phase a: a·q … a·q + q − 1):
 * fragments run in blocks `quadWidth` pixels wide, so a draw pays for every block of columns it touches, partly used
 * or not. On SwiftShader (2×2 quads) a slice 3 columns wide was measured a quarter slower per useful fragment than
 * one 4 wide; on Mesa llvmpipe (4×4 blocks) docs-example's slices 6 wide were 1.39× slower than 12 wide.
 *
 * @example
 * quadColumns(3, 1); // 4: columns 0–2 shade as pairs (0, 1) and (2, 3)
 * quadColumns(3, 2); // 8: phase 1 (columns 3–5) touches pairs (2, 3) and (4, 5)
 * quadColumns(3, 2, 4); // 12: phase 0 touches columns 0–3, phase 1 (columns 3–5) columns 0–7
 */
export function quadColumns(q: number, phases: number, quadWidth = QUAD_WIDTH): number {
  let columns = 0;
  for (let a = 0; a < phases; a++) {
    columns += quadWidth * (Math.floor((a * q + q - 1) / quadWidth) - Math.floor((a * q) / quadWidth) + 1);
  }
  return columns;
}

/** Width in pixels of the blocks a renderer shades together by default: the 2×2 quads of GPUs and SwiftShader. */
export const QUAD_WIDTH = 2;

/**
 * Picks the fragment shape of least {@link fragmentCost} within the render targets (reuse is what makes a
 * fetch-bound renderer fast), with no more voxels than a W phase has, and several channel blocks only where they
 * read the same input channels. A `request` pins any of the numbers.
 */
export function chooseFragment(spec: ConvSpec, channels: ChannelPlan, maxOutputs: number,
  request: Partial<FragmentShape> = {}, quadWidth = QUAD_WIDTH): FragmentShape {
  const shareable = (b: number) => b === 1 || (b <= channels.outBlocks && (spec.groups === 1 ||
    (channels.aligned && (spec.outPerGroup / 4) % b === 0)));
  const perPhase = Math.ceil(spec.outSize[2] / spec.stride[2]);
  const blockChoices = request.blocks !== undefined && [1, 2, 4].includes(request.blocks) && shareable(request.blocks)
    ? [request.blocks] : [2, 1, 4].filter((b) => b <= maxOutputs && shareable(b));
  const taps = Math.max(1, Math.min(Math.floor(request.taps ?? MAX_WINDOW_TAPS), MAX_WINDOW_TAPS));
  const windowTexels = Math.max(1, Math.min(Math.floor(request.windowTexels ?? MAX_WINDOW), MAX_WINDOW));
  const pairs = depthPairs(spec, channels) && maxOutputs >= 2;
  const depthChoices = request.depth !== undefined ? [pairs && request.depth >= 2 ? 2 : 1] : pairs ? [1, 2] : [1];
  let best: FragmentShape = { voxels: 1, depth: 1, blocks: 1, taps, windowTexels };
  let bestCost = Infinity;
  for (const depth of depthChoices) for (const blocks of blockChoices.filter((b) => b * depth <= maxOutputs)) {
    const most = Math.max(1, Math.min(Math.floor(maxOutputs / (blocks * depth)), perPhase, 8));
    const voxelChoices = request.voxels !== undefined ? [Math.max(1, Math.min(request.voxels, most))]
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

/**
 * What a plan must respect: the layout limits and how many render targets one fragment may write; and, to price its
 * draws, the width of the pixel blocks the renderer shades together (default {@link QUAD_WIDTH}; 4 on Mesa llvmpipe).
 */
export type PlanLimits = LayoutLimits & { maxOutputs: number; quadWidth?: number };

/**
 * Least estimated cost ({@link fragmentCost}, in texel fetches: about 1 ms on SwiftShader) for which the gather is
 * drawn once per W phase. Smaller calls are drawn at once: the lanes the split saves are then worth less than what
 * it costs, a draw per phase and, on the first call, a program per phase to compile (measured on SwiftShader: each
 * ~60 ms of the first call, 250 → 176 ms for small-odd, with the same steady-state time).
 */
export const MIN_PHASE_DRAWS_COST = 2 ** 18;

/**
 * Estimated cost of the repack pass ({@link fragmentCost}'s units, texel fetches), what writing the output directly
 * ({@link ConvPlan.direct}) saves: a draw (~0.07 ms on SwiftShader, measured as a call with no work, 1.2× faster
 * direct) and about 4.5 units a texel (a copy of 256K texels costs 4.3 ms there).
 *
 * @example
 * repackCost(plan.output); // 2^14 + 4.5 · texelCount(plan.output)
 */
export function repackCost(output: TextureLayout): number {
  return 2 ** 14 + 4.5 * texelCount(output);
}

/**
 * Plans a call whose batch is not empty. Throws a RangeError when a tensor cannot fit the device. `phaseDraws`
 * forces the gather to be drawn per W phase (true) or at once (false) where the layout allows either; by default
 * the calls of at least {@link MIN_PHASE_DRAWS_COST} are split. `directOutput` forces the gather to write the output
 * directly (true) or through slices (false); by default it does where one voxel a fragment costs no more than the
 * repack it saves ({@link repackCost}), and no fragment shape is pinned by `request` nor per-phase draws asked for.
 * Direct calls also compile faster (no repack program, no unrolled windows: small-odd's first call 116 → 65 ms in
 * Chromium, 31 → 26 ms in Firefox), but where they cost more per call that is not taken by default (small-odd:
 * 0.3 ms, 1.24× slower).
 */
export function planConv(spec: ConvSpec, limits: PlanLimits,
  request: Partial<FragmentShape> = {}, phaseDraws?: boolean, directOutput?: boolean): ConvPlan {
  const channels = channelPlan(spec);
  const wGrid = packedWeightGrid(channels, spec.kernel);
  const taps = [0, 1, 2].map((a) => mostTaps(spec, a));
  const quadWidth = limits.quadWidth ?? QUAD_WIDTH;
  const cost = (f: FragmentShape) => fragmentCost(spec, channels, f, quadWidth);
  const best = chooseFragment(spec, channels, limits.maxOutputs, request, quadWidth);
  const bestCost = cost(best);
  const single = chooseFragment(spec, channels, limits.maxOutputs, { ...request, voxels: 1, depth: 1, blocks: 1 },
    quadWidth);
  // A pinned shape or per-phase draws ask for slices.
  const pinned = request.voxels !== undefined || request.depth !== undefined || request.blocks !== undefined;
  const output = activationLayout([spec.batch, spec.outChannels, ...spec.outSize], limits);
  const direct = directOutput ?? (!pinned && phaseDraws !== true && cost(single) - bestCost <= repackCost(output));
  const fragment = direct ? single : best;
  const window = windowPlan(spec, fragment.voxels, fragment.taps, undefined, fragment.windowTexels);
  const chunks = chunksPerPhase(spec, fragment.voxels);
  const blockGroups = Math.ceil(channels.outBlocks / fragment.blocks);
  // The slices share one array texture, so each gets its share of the layers.
  const slice = direct ? output : planLayout(spec.batch * blockGroups * phaseMajor(spec, 0, fragment.depth).size *
    phaseMajor(spec, 1).size,
    spec.stride[2] * chunks,
    { ...limits, maxLayers: Math.floor(limits.maxLayers / fragmentOutputs(fragment)) },
    sliceRowsPerLine(spec, chunks, quadWidth));
  // Only slices (fragment = best) are drawn per phase.
  const phased = !direct && spec.stride[2] > 1 && slice.rowsPerLine === 1 && slice.segmentsPerRow === 1 &&
    (phaseDraws ?? bestCost >= MIN_PHASE_DRAWS_COST);
  return {
    spec, channels, fragment, window, chunksPerPhase: chunks, blockGroups, direct, slice,
    phaseWindows: phased ? Array.from({ length: spec.stride[2] },
      (_, a) => windowPlan(spec, fragment.voxels, fragment.taps, a, fragment.windowTexels)) : null,
    input: activationLayout([spec.batch, spec.inChannels, ...spec.inSize], limits),
    rawWeight: activationLayout([spec.inChannels, spec.outPerGroup, ...spec.kernel], limits),
    packedWeight: planLayout(wGrid.rows, wGrid.cols, limits),
    bias: spec.hasBias ? activationLayout([spec.outChannels], limits) : null,
    output,
    fetchesPerTexel: taps[1] * channels.blocksPerOutput * window.chunks * ((taps[0] + fragment.depth - 1) *
      window.size + taps[0] * window.taps * fragment.blocks * (channels.depthwise ? 1 : 4)) + fragment.blocks,
  };
}

/**
 * Output positions along axis `a` (0 = D, 1 = H) in stride-phase-major order, in groups of `depth` positions of one
 * phase (the voxels along D of one fragment): index i is the group of positions
 * `(i / perPhase) + ((i mod perPhase)·depth + e)·stride`, e < depth (phase first), `size = stride·perPhase` indices,
 * the few past the axis holding no position. Neighbouring slice rows then share a stride phase, so they have the
 * same taps.
 */
export function phaseMajor(spec: ConvSpec, a: number, depth = 1): { perPhase: number; size: number } {
  const perPhase = Math.ceil(Math.ceil(spec.outSize[a] / spec.stride[a]) / depth);
  return { perPhase, size: perPhase * spec.stride[a] };
}

/**
 * The slice row of output voxels (n, channel-block group cobg, od, oh): `((n·ODP + dd)·OHP + hh)·COBG + cobg`, with
 * dd and hh the phase-major indices of od and oh ({@link phaseMajor}). Channel-block groups are the fastest, so
 * the rows a renderer shades together (2×2 quads straddle two rows) read the same input with the same taps; where
 * there is one group, the next row is the same stride phase. Mirrored by both shaders.
 */
export function sliceRow(plan: ConvPlan, n: number, cobg: number, od: number, oh: number): number {
  const { depth } = plan.fragment;
  const [d, h] = [phaseMajor(plan.spec, 0, depth), phaseMajor(plan.spec, 1)];
  const [sd, sh] = plan.spec.stride;
  const dd = (od % sd) * d.perPhase + Math.floor(Math.floor(od / sd) / depth);
  const hh = (oh % sh) * h.perPhase + Math.floor(oh / sh);
  return ((n * d.size + dd) * h.size + hh) * plan.blockGroups + cobg;
}

/**
 * Inverse of {@link sliceRow}: `[n, cobg, od, oh]` (od of the first of the fragment's voxels along D), od or oh past
 * the output for rows that hold no voxels.
 */
export function sliceRowVoxels(plan: ConvPlan, row: number): [number, number, number, number] {
  const { depth } = plan.fragment;
  const [d, h] = [phaseMajor(plan.spec, 0, depth), phaseMajor(plan.spec, 1)];
  const [sd, sh] = plan.spec.stride;
  const cobg = row % plan.blockGroups;
  let t = Math.floor(row / plan.blockGroups);
  const hh = t % h.size;
  t = Math.floor(t / h.size);
  const dd = t % d.size;
  const n = Math.floor(t / d.size);
  return [n, cobg, Math.floor(dd / d.perPhase) + (dd % d.perPhase) * depth * sd, Math.floor(hh / h.perPhase) +
    (hh % h.perPhase) * sh];
}

/**
 * Texels a call adds at its peak: the arguments it uploads (`uploads` says which came from the CPU), the packed
 * weights (a weight from the CPU is uploaded packed), every slice and the output. Times the storage's bytes per
 * texel, what the memory budget is checked against.
 *
 * @example
 * callTexels(plan, { input: true, bias: false }); // a resident input is not uploaded again
 */
export function callTexels(plan: ConvPlan, uploads: { input: boolean; bias: boolean }): number {
  return (uploads.input ? texelCount(plan.input) : 0) +
    (uploads.bias && plan.bias ? texelCount(plan.bias) : 0) + texelCount(plan.packedWeight) +
    (plan.direct ? 0 : texelCount(sliceStack(plan))) + texelCount(plan.output);
}

/**
 * A layout as the shaders' `ivec4(log2 rowsPerLine, segmentsPerRow, segmentWidth, log2 layerHeight)` (see
 * glsl/texlayout.glsl); rows cut into segments have one row per line group, and pass log2 segmentWidth first
 * instead. A one-layer texture passes 22 as its log2 height: lines are below 2^22, so the split of a line into
 * (y, layer) is the identity.
 */
export function shaderLayout(l: TextureLayout): string {
  const log2 = (n: number) => Math.round(Math.log2(n));
  const first = l.segmentsPerRow > 1 ? log2(l.segmentWidth) : log2(l.rowsPerLine);
  return `ivec4(${first}, ${l.segmentsPerRow}, ${l.segmentWidth}, ${isLayered(l) ? log2(l.height) : 22})`;
}
const ivec4 = shaderLayout;

/** The texture holding all `voxels·depth·blocks` slices of a call: slice i in layers i·L … i·L + L − 1. */
export function sliceStack(plan: ConvPlan): TextureLayout {
  return { ...plan.slice, layers: plan.slice.layers * fragmentOutputs(plan.fragment) };
}

/** The sampler type a shader declares for a texture of layout `l` ({@link isLayered}). */
export function samplerType(l: TextureLayout): string {
  return isLayered(l) ? 'SAMPLER_ARRAY' : 'SAMPLER_2D';
}

/** A layout where grid cell (row, col) is texel (col, row, 0): one layer, one row per line, rows not cut. */
function isDirect(l: TextureLayout): boolean {
  return !isLayered(l) && l.rowsPerLine === 1 && l.segmentsPerRow === 1;
}

/**
 * The #defines of glsl/conv_transpose3d.frag.glsl for this plan; with `phase`, for the draw of that W phase alone
 * (its slice columns `phase·Q … phase·Q + Q − 1`, see {@link ConvPlan.phaseWindows}). `finiteWeight` says that no
 * weight is Inf or NaN, so a W tap outside the input may multiply zeros instead of having its products discarded.
 */
export function convDefines(plan: ConvPlan, phase = -1, finiteWeight = false): Record<string, number | string |
  boolean> {
  const { spec, channels } = plan;
  const d: Record<string, number | string | boolean> = {
    N_BATCH: spec.batch, CIN: spec.inChannels, CIB: channels.inBlocks,
    ID: spec.inSize[0], IH: spec.inSize[1], IW: spec.inSize[2],
    COUT: spec.outChannels, COB: channels.outBlocks, OD: spec.outSize[0], OH: spec.outSize[1], OW: spec.outSize[2],
    CIG: spec.inPerGroup, COG: spec.outPerGroup, NB: channels.blocksPerOutput, ALIGNED: channels.aligned,
    DEPTHWISE: channels.depthwise, HAS_BIAS: spec.hasBias, KD: spec.kernel[0], KH: spec.kernel[1], KW: spec.kernel[2],
    NV: plan.fragment.voxels, NBO: plan.fragment.blocks, COBG: plan.blockGroups, Q: plan.chunksPerPhase,
    X_LAYOUT: ivec4(plan.input), W_LAYOUT: ivec4(plan.packedWeight),
    X_SEGMENTS: plan.input.segmentsPerRow, W_SEGMENTS: plan.packedWeight.segmentsPerRow,
    X_DIRECT: isDirect(plan.input), W_DIRECT: isDirect(plan.packedWeight),
    B_LAYOUT: plan.bias ? ivec4(plan.bias) : 'ivec4(0, 1, 1, 22)',
    X_SAMPLER: samplerType(plan.input), W_SAMPLER: samplerType(plan.packedWeight),
    B_SAMPLER: samplerType(plan.bias ?? plan.input),
    S_LAYOUT: ivec4(plan.slice), S_ROWS: plan.slice.rows, S_COLS: plan.slice.cols, ...phaseMajorDefines(plan),
    DIRECT_OUT: plan.direct,
  };
  const w = phase >= 0 ? plan.phaseWindows![phase] : plan.window;
  // Pairs along D read their input rows without a per-fragment tap range: rows past the input are masked like W taps.
  const masked = w.masked || plan.fragment.depth > 1;
  Object.assign(d, {
    PHASE_W: phase,
    TWC: w.taps, CHUNKS_W: w.chunks, WIN: w.size, TAPS_EVEN: w.even,
    W_MASK: (masked && !finiteWeight) || !w.even, ZERO_OUTSIDE: masked && finiteWeight,
    FOR_NOUT: `REP${fragmentOutputs(plan.fragment)}`,
    FOR_WIN: `REP${w.size}`, FOR_TWC: `REP${w.taps}`, USE_TAPS: `USE${w.taps}`,
    FOR_KD: `RREP${spec.kernel[0]}`, FOR_ROWS: `RREP${spec.kernel[0] + plan.fragment.depth - 1}`,
  });
  ['D', 'H', 'W'].forEach((axis, a) => {
    const { firstTap, step } = phaseTaps(spec.kernel[a], spec.stride[a], spec.dilation[a]);
    d[`STRIDE_${axis}`] = spec.stride[a];
    d[`PAD_${axis}`] = spec.padding[a];
    d[`DIL_${axis}`] = spec.dilation[a];
    d[`TAP_STEP_${axis}`] = step;
    d[`FIRST_TAPS_${axis}`] = firstTap.join(', ');
    d[`SHIFT_${axis}`] = (step * spec.dilation[a]) / spec.stride[a];
    d[`TAPS_${axis}`] = mostTaps(spec, a);
  });
  return d;
}

/**
 * The slice row order's #defines ({@link sliceRow}): PD, PH (positions, or pairs of D positions, per phase), ODP, OHP
 * (phase-major sizes), ND (voxels along D per fragment).
 */
function phaseMajorDefines(plan: ConvPlan): Record<string, number> {
  const [d, h] = [phaseMajor(plan.spec, 0, plan.fragment.depth), phaseMajor(plan.spec, 1)];
  return { PD: d.perPhase, PH: h.perPhase, ODP: d.size, OHP: h.size, ND: plan.fragment.depth };
}

/** The #defines of glsl/repack.frag.glsl for this plan. */
export function repackDefines(plan: ConvPlan): Record<string, number | string | boolean> {
  const { spec } = plan;
  return {
    ...phaseMajorDefines(plan), STRIDE_D: spec.stride[0], STRIDE_H: spec.stride[1],
    COB: plan.channels.outBlocks, OD: spec.outSize[0], OH: spec.outSize[1], STRIDE_W: spec.stride[2],
    NV: plan.fragment.voxels, NBO: plan.fragment.blocks, COBG: plan.blockGroups, Q: plan.chunksPerPhase,
    S_LAYOUT: ivec4(plan.slice), S_LAYERS: plan.slice.layers, S_SAMPLER: samplerType(sliceStack(plan)),
    Y_LAYOUT: ivec4(plan.output), Y_ROWS: plan.output.rows,
    Y_COLS: plan.output.cols,
  };
}

/** The #defines of glsl/pack_weights.frag.glsl for this plan. */
export function packDefines(plan: ConvPlan): Record<string, number | string | boolean> {
  const { spec, channels } = plan;
  return {
    CIN: spec.inChannels, COUT: spec.outChannels, CIG: spec.inPerGroup, COG: spec.outPerGroup,
    COGB: blocks(spec.outPerGroup), NB: channels.blocksPerOutput, DEPTHWISE: channels.depthwise,
    KD: spec.kernel[0], KH: spec.kernel[1], KW: spec.kernel[2],
    RAW_LAYOUT: ivec4(plan.rawWeight), RAW_SAMPLER: samplerType(plan.rawWeight), Y_LAYOUT: ivec4(plan.packedWeight),
    Y_ROWS: plan.packedWeight.rows, Y_COLS: plan.packedWeight.cols,
  };
}
