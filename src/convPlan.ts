// From a checked call to what the GPU does: texture layouts, the fragment shape, the W windows and how the gather is
// drawn. Pure (no WebGL), so it is unit-tested in Node; the shaders' #defines are built from a plan in
// shaderDefines.ts, and its passes in passes.ts.
import type { ConvSpec } from './args.js';
import {
  chooseFragment, chunksPerPhase, fragmentCost, fragmentOutputs, mostTaps, phaseCount, phaseMajor, phaseWindowPlans,
  sliceRowsPerLine, windowPlan, type FragmentLimits, type FragmentShape, type WindowPlan,
} from './fragment.js';
import { gatherSpec, type GatherSpec } from './gatherSpec.js';
import { planLayout, texelCount, type LayoutLimits, type TextureLayout } from './layout.js';
import { activationGrid, as5d, channelPlan, packedWeightGrid, type ChannelPlan } from './packing.js';

/** Everything the GPU needs to know about one conv_transpose3d call. */
export interface ConvPlan {
  /**
   * The call as the gather computes it (gatherSpec.ts): per axis, only the input positions and kernel taps that can
   * land, with the stride, padding and dilation that give the same sums in the smallest numbers. The output is the
   * caller's.
   */
  spec: ConvSpec;
  /**
   * Where the gather's input and kernel sit in the caller's: the input texture holds the whole input, and the
   * weight is packed from the gather's taps alone.
   */
  crop: Omit<GatherSpec, 'spec'>;
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
  /** The caller's weight `(Cin, Cout/groups, kD, kH, kW)` (its whole kernel) stored as an activation. */
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
 * tensor in one layer: a 2-D texture is cheaper to fetch from than an array (isLayered in layout.ts).
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

/** What a plan must respect: the layout limits, and the render targets and pixel blocks of the renderer. */
export type PlanLimits = LayoutLimits & FragmentLimits;

/** How a call may be planned, beyond its arguments: what a backend's options ask for. */
export interface PlanRequest {
  /** Pins any of the fragment shape's numbers (checked by checkFragmentRequest in args.ts). */
  fragment?: Partial<FragmentShape>;
  /**
   * Draw the gather per W phase (true) or at once (false) where the layout allows either; by default the calls of
   * at least {@link MIN_PHASE_DRAWS_COST} are split.
   */
  phaseDraws?: boolean;
  /**
   * Write the output directly (true) or through slices (false); by default directly where one voxel a fragment costs
   * no more than the repack it saves ({@link repackCost}) and no shape is pinned nor per-phase draws asked for.
   */
  directOutput?: boolean;
}

/**
 * Least estimated cost ({@link fragmentCost}, in texel fetches: about 1 ms on SwiftShader) for which the gather is
 * drawn once per W phase. Smaller calls are drawn at once: the lanes the split saves are then worth less than what
 * it costs, a draw per phase and, on the first call, a program per phase to compile (docs/performance.md).
 */
export const MIN_PHASE_DRAWS_COST = 2 ** 18;

/**
 * Estimated cost of the repack pass ({@link fragmentCost}'s units, texel fetches), what writing the output directly
 * ({@link ConvPlan.direct}) saves: a draw (2^14 units) and about 4.5 units a texel, as measured on SwiftShader
 * (docs/performance.md).
 *
 * @example
 * repackCost(plan.output); // 2^14 + 4.5 · texelCount(plan.output)
 */
export function repackCost(output: TextureLayout): number {
  return 2 ** 14 + 4.5 * texelCount(output);
}

/**
 * Most W phases drawn one by one: each is a program of its own to compile, so larger strides are drawn at once.
 */
export const MAX_PHASE_DRAWS = 8;

/**
 * Plans a call whose batch is not empty. Throws a ConvTranspose3dError (`'too-large'`) when a tensor cannot fit
 * the device, or the call cannot be computed exactly by the shaders (gatherSpec).
 *
 * @example
 * const plan = planConv(spec, { maxTextureSize: 8192, maxLayers: 2048, maxOutputs: 8, quadWidth: 2,
 *   windowTexels: 16 }, { directOutput: false });
 */
export function planConv(call: ConvSpec, limits: PlanLimits, request: PlanRequest = {}): ConvPlan {
  const { fragment: pin = {}, phaseDraws, directOutput } = request;
  const { spec, ...crop } = gatherSpec(call);
  const channels = channelPlan(spec);
  const wGrid = packedWeightGrid(channels, spec.kernel);
  const cost = (f: FragmentShape) => fragmentCost(spec, channels, f, limits.quadWidth);
  const best = chooseFragment(spec, channels, limits, pin);
  const bestCost = cost(best);
  const single = chooseFragment(spec, channels, limits, { ...pin, voxels: 1, depth: 1, blocks: 1 });
  // A pinned shape or per-phase draws ask for slices.
  const pinned = pin.voxels !== undefined || pin.depth !== undefined || pin.blocks !== undefined;
  const output = activationLayout([spec.batch, spec.outChannels, ...spec.outSize], limits);
  const direct = directOutput ?? (!pinned && phaseDraws !== true && cost(single) - bestCost <= repackCost(output));
  const fragment = direct ? single : best;
  const window = windowPlan(spec, fragment);
  const chunks = chunksPerPhase(spec, fragment.voxels);
  const blockGroups = Math.ceil(channels.outBlocks / fragment.blocks);
  // The slices share one array texture, so each gets its share of the layers.
  const slice = direct ? output : planLayout(spec.batch * blockGroups * phaseMajor(spec, 0, fragment.depth).size *
    phaseMajor(spec, 1).size,
    phaseCount(spec, 2) * chunks,
    { ...limits, maxLayers: Math.floor(limits.maxLayers / fragmentOutputs(fragment)) },
    sliceRowsPerLine(spec, chunks, limits.quadWidth));
  // Only slices (fragment = best) are drawn per phase.
  const phases = phaseCount(spec, 2);
  const phased = !direct && phases > 1 && phases <= MAX_PHASE_DRAWS && slice.rowsPerLine === 1 &&
    slice.segmentsPerRow === 1 && (phaseDraws ?? bestCost >= MIN_PHASE_DRAWS_COST);
  const [tapsD, tapsH] = [mostTaps(spec, 0), mostTaps(spec, 1)];
  return {
    spec, crop, channels, fragment, window, chunksPerPhase: chunks, blockGroups, direct,
    slice, phaseWindows: phased ? phaseWindowPlans(spec, fragment) : null,
    input: activationLayout([spec.batch, spec.inChannels, ...crop.rawInput], limits),
    rawWeight: activationLayout([spec.inChannels, spec.outPerGroup, ...crop.rawKernel], limits),
    packedWeight: planLayout(wGrid.rows, wGrid.cols, limits),
    bias: spec.hasBias ? activationLayout([spec.outChannels], limits) : null,
    output,
    fetchesPerTexel: tapsH * channels.blocksPerOutput * window.windows *
      ((tapsD + fragment.depth - 1) * window.size + tapsD * window.taps * fragment.blocks *
        (channels.depthwise ? 1 : 4)) + fragment.blocks,
  };
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

/** The texture holding all `voxels·depth·blocks` slices of a call: slice i in layers i·L … i·L + L − 1. */
export function sliceStack(plan: ConvPlan): TextureLayout {
  return { ...plan.slice, layers: plan.slice.layers * fragmentOutputs(plan.fragment) };
}
