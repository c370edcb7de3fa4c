// From a checked call to what the GPU does: texture layouts, shader specializations and work per texel.
// Pure (no WebGL), so it is unit-tested in Node.
import type { ConvSpec } from './args';
import { planLayout, type LayoutLimits, type TextureLayout } from './layout';
import { activationGrid, as5d, blocks, channelPlan, packedWeightGrid, phaseTaps, type ChannelPlan } from './packing';

/** Everything the GPU needs to know about one conv_transpose3d call. */
export interface ConvPlan {
  spec: ConvSpec;
  channels: ChannelPlan;
  /** Input `(N, Cin, D, H, W)` as an activation. */
  input: TextureLayout;
  /** The caller's weight `(Cin, Cout/groups, kD, kH, kW)` stored as an activation. */
  rawWeight: TextureLayout;
  /** The weight re-laid out for the gather shader. */
  packedWeight: TextureLayout;
  bias: TextureLayout | null;
  /** Output `(N, Cout, OD, OH, OW)` as an activation. */
  output: TextureLayout;
  /** Rough texel fetches per output texel, to size draws. */
  fetchesPerTexel: number;
}

/** The activation layout of a tensor of any rank 1–5 (see {@link as5d}). */
export function activationLayout(shape: readonly number[], limits: LayoutLimits): TextureLayout {
  const grid = activationGrid(as5d(shape));
  return planLayout(grid.rows, grid.cols, limits);
}

/** Plans a call whose batch is not empty. Throws a RangeError when a tensor cannot fit the device. */
export function planConv(spec: ConvSpec, limits: LayoutLimits): ConvPlan {
  const channels = channelPlan(spec);
  const wGrid = packedWeightGrid(channels, spec.kernel);
  const taps = [0, 1, 2].map((a) => Math.ceil(spec.kernel[a] / phaseTaps(spec.kernel[a], spec.stride[a],
    spec.dilation[a]).step));
  return {
    spec, channels,
    input: activationLayout([spec.batch, spec.inChannels, ...spec.inSize], limits),
    rawWeight: activationLayout([spec.inChannels, spec.outPerGroup, ...spec.kernel], limits),
    packedWeight: planLayout(wGrid.rows, wGrid.cols, limits),
    bias: spec.hasBias ? activationLayout([spec.outChannels], limits) : null,
    output: activationLayout([spec.batch, spec.outChannels, ...spec.outSize], limits),
    fetchesPerTexel: 5 * channels.blocksPerOutput * taps[0] * taps[1] * taps[2] + 1,
  };
}

function ivec4(l: TextureLayout): string {
  return `ivec4(${l.rowsPerLine}, ${l.segmentsPerRow}, ${l.segmentWidth}, ${l.height})`;
}

/** The #defines of glsl/conv_transpose3d.frag.glsl for this plan. */
export function convDefines(plan: ConvPlan): Record<string, number | string | boolean> {
  const { spec, channels } = plan;
  const d: Record<string, number | string | boolean> = {
    N_BATCH: spec.batch, CIN: spec.inChannels, CIB: channels.inBlocks,
    ID: spec.inSize[0], IH: spec.inSize[1], IW: spec.inSize[2],
    COUT: spec.outChannels, COB: channels.outBlocks, OD: spec.outSize[0], OH: spec.outSize[1], OW: spec.outSize[2],
    CIG: spec.inPerGroup, COG: spec.outPerGroup, NB: channels.blocksPerOutput, ALIGNED: channels.aligned,
    HAS_BIAS: spec.hasBias, KD: spec.kernel[0], KH: spec.kernel[1], KW: spec.kernel[2],
    X_LAYOUT: ivec4(plan.input), W_LAYOUT: ivec4(plan.packedWeight),
    B_LAYOUT: plan.bias ? ivec4(plan.bias) : 'ivec4(1)',
    Y_LAYOUT: ivec4(plan.output), Y_ROWS: plan.output.rows, Y_COLS: plan.output.cols,
  };
  ['D', 'H', 'W'].forEach((axis, a) => {
    const { firstTap, step } = phaseTaps(spec.kernel[a], spec.stride[a], spec.dilation[a]);
    d[`STRIDE_${axis}`] = spec.stride[a];
    d[`PAD_${axis}`] = spec.padding[a];
    d[`DIL_${axis}`] = spec.dilation[a];
    d[`TAP_STEP_${axis}`] = step;
    d[`FIRST_TAPS_${axis}`] = firstTap.join(', ');
  });
  return d;
}

/** The #defines of glsl/pack_weights.frag.glsl for this plan. */
export function packDefines(plan: ConvPlan): Record<string, number | string | boolean> {
  const { spec, channels } = plan;
  return {
    CIN: spec.inChannels, COUT: spec.outChannels, CIG: spec.inPerGroup, COG: spec.outPerGroup,
    COGB: blocks(spec.outPerGroup), NB: channels.blocksPerOutput,
    KD: spec.kernel[0], KH: spec.kernel[1], KW: spec.kernel[2],
    RAW_LAYOUT: ivec4(plan.rawWeight), Y_LAYOUT: ivec4(plan.packedWeight),
    Y_ROWS: plan.packedWeight.rows, Y_COLS: plan.packedWeight.cols,
  };
}
