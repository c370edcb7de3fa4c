// The #defines that specialize each shader in glsl/ for one call: one typed builder per program, from a plan
// (convPlan.ts). Pure, so it is unit-tested in Node.
import { sliceStack, type ConvPlan } from './convPlan.js';
import { fragmentOutputs, phaseMajor, type WindowPlan } from './fragment.js';
import { shaderPadding } from './gatherSpec.js';
import { isLayered, type TextureLayout } from './layout.js';
import { blocks, phaseTaps } from './packing.js';

/**
 * A layout as the shaders' `ivec4(log2 rowsPerLine, segmentsPerRow, segmentWidth, log2 layerHeight)` (see
 * glsl/texlayout.glsl); rows cut into segments have one row per line group, and pass log2 segmentWidth first
 * instead. A one-layer texture passes 22 as its log2 height: lines are below 2^22, so the split of a line into
 * (y, layer) is the identity.
 *
 * @example
 * shaderLayout(planLayout(6, 100, { maxTextureSize: 64, maxLayers: 256 })); // 'ivec4(6, 2, 64, 22)'
 */
function shaderLayout(l: TextureLayout): string {
  const log2 = (n: number) => Math.round(Math.log2(n));
  const first = l.segmentsPerRow > 1 ? log2(l.segmentWidth) : log2(l.rowsPerLine);
  return `ivec4(${first}, ${l.segmentsPerRow}, ${l.segmentWidth}, ${isLayered(l) ? log2(l.height) : 22})`;
}

/** The sampler type a shader declares for a texture of layout `l` (isLayered in layout.ts). */
function samplerType(l: TextureLayout): 'SAMPLER_2D' | 'SAMPLER_ARRAY' {
  return isLayered(l) ? 'SAMPLER_ARRAY' : 'SAMPLER_2D';
}

/** A layout where grid cell (row, col) is texel (col, row, 0): one layer, one row per line, rows not cut. */
function isPlain(l: TextureLayout): boolean {
  return !isLayered(l) && l.rowsPerLine === 1 && l.segmentsPerRow === 1;
}

/** The slice row order ({@link sliceRow} in convPlan.ts), as the gather and the repack both decode it. */
export interface SliceOrderDefines {
  /** Positions (D: groups of ND positions) per stride phase along D and H. */
  PD: number; PH: number;
  /** Phase-major sizes along D and H. */
  ODP: number; OHP: number;
  /** Output voxels along D per fragment. */
  ND: number;
  /** Output voxels along W, output channel blocks per fragment; channel-block groups; voxel chunks per W phase. */
  NV: number; NBO: number; COBG: number; Q: number;
  STRIDE_D: number; STRIDE_H: number; STRIDE_W: number;
  COB: number; OD: number; OH: number;
}

function sliceOrderDefines(plan: ConvPlan): SliceOrderDefines {
  const { spec } = plan;
  const [d, h] = [phaseMajor(spec, 0, plan.fragment.depth), phaseMajor(spec, 1)];
  return {
    PD: d.perPhase, PH: h.perPhase, ODP: d.size, OHP: h.size, ND: plan.fragment.depth,
    NV: plan.fragment.voxels, NBO: plan.fragment.blocks, COBG: plan.blockGroups, Q: plan.chunksPerPhase,
    STRIDE_D: spec.stride[0], STRIDE_H: spec.stride[1], STRIDE_W: spec.stride[2],
    COB: plan.channels.outBlocks, OD: spec.outSize[0], OH: spec.outSize[1],
  };
}

/** The #defines of glsl/conv_transpose3d.frag.glsl (the gather). */
export interface GatherDefines extends SliceOrderDefines {
  /**
   * Input channel blocks of 4; the input's spatial size as the gather sees it (the positions that can land), which
   * starts at position (X_OFF_D, X_OFF_H, X_OFF_W) of the input texture, whose depth and height are X_D and X_H.
   */
  CIB: number; ID: number; IH: number; IW: number;
  X_D: number; X_H: number; X_OFF_D: number; X_OFF_H: number; X_OFF_W: number;
  COUT: number;
  /** Channels per group in and out; input blocks read per output block. */
  CIG: number; COG: number; NB: number;
  /** Every group is a whole number of texels (a plain 4×4 product); one channel per group in and out. */
  ALIGNED: boolean; DEPTHWISE: boolean; HAS_BIAS: boolean;
  KD: number; KH: number; KW: number;
  /**
   * Per axis: stride, padding, dilation (of the gather's view of the call, gatherSpec.ts). The padding is made
   * non-negative by whole strides (shaderPadding), REACH of them, which every input position found then subtracts.
   */
  STRIDE_D: number; PAD_D: number; DIL_D: number;
  PAD_H: number; DIL_H: number; PAD_W: number; DIL_W: number;
  REACH_D: number; REACH_H: number; REACH_W: number;
  /** Per axis: kernel steps between the taps of a phase, and input steps between them (SHIFT). */
  TAP_STEP_D: number; TAP_STEP_H: number; TAP_STEP_W: number; SHIFT_D: number; SHIFT_H: number; SHIFT_W: number;
  /** Per axis, a list of STRIDE ints: the first tap reaching phase r = (o + pad) mod stride, or the kernel size. */
  FIRST_TAPS_D: string; FIRST_TAPS_H: string; FIRST_TAPS_W: string;
  /** Most taps a phase has along D and H. */
  TAPS_D: number; TAPS_H: number;
  /** Render targets a fragment writes: NV·ND·NBO. */
  NOUT: number;
  /**
   * Passes of the D loop (ND = 1: TAPS_D taps; ND = 2: one), D taps whose weights a pass holds, input rows a pass
   * reads.
   */
  D_PASSES: number; D_KERNEL: number; D_ROWS: number;
  /** The one W phase drawn, or −1 for all. */
  PHASE_W: number;
  /** The fragment writes the output's own layout (one voxel, one channel block) instead of slices. */
  DIRECT_OUT: boolean;
  /** W taps per window, windows per phase, texels per window (see WindowPlan). */
  TWC: number; W_WINDOWS: number; WIN: number;
  /** Every phase with taps has W_WINDOWS·TWC of them: no product is discarded for a missing tap. */
  TAPS_EVEN: boolean;
  /** Some product must be discarded by selection: a tap missing, or outside the input with weights not known finite. */
  W_MASK: boolean;
  /** Weights known finite: an input texel outside the input is zeroed once instead. */
  ZERO_OUTSIDE: boolean;
  /** Layouts (shaderLayout) of the input, packed weights, bias and what is drawn (slices, or the output). */
  X_LAYOUT: string; W_LAYOUT: string; B_LAYOUT: string; S_LAYOUT: string;
  /** Segments per row of the input and the weights, and whether their layout is plain (texel (col, row, 0)). */
  X_SEGMENTS: number; W_SEGMENTS: number; X_PLAIN: boolean; W_PLAIN: boolean;
  /** The grid drawn. */
  S_ROWS: number; S_COLS: number;
  X_SAMPLER: string; W_SAMPLER: string; B_SAMPLER: string;
}

/**
 * The gather's #defines for a plan; with `phase`, for the draw of that W phase alone (its slice columns
 * `phase·Q … phase·Q + Q − 1`, see ConvPlan.phaseWindows). `finiteWeight` says that no weight is Inf or NaN, so
 * a W tap outside the input may multiply zeros instead of having its products discarded.
 *
 * @example
 * gatherDefines(plan, { phase: 1, finiteWeight: true }).PHASE_W; // 1
 */
export function gatherDefines(plan: ConvPlan, options: { phase?: number; finiteWeight?: boolean } = {}):
  GatherDefines {
  const { spec, channels, fragment } = plan;
  const { phase = -1, finiteWeight = false } = options;
  const w: WindowPlan = phase >= 0 ? plan.phaseWindows![phase] : plan.window;
  // Pairs along D read their input rows without a per-fragment tap range: rows past the input are masked like W taps.
  const masked = w.masked || fragment.depth > 1;
  const taps = [0, 1, 2].map((a) => phaseTaps(spec.kernel[a], spec.stride[a], spec.dilation[a]));
  const [mostD, mostH] = [Math.max(...taps[0].taps), Math.max(...taps[1].taps)];  // most taps a phase has
  const shift = (a: number) => (taps[a].step * spec.dilation[a]) / spec.stride[a];
  const pairs = fragment.depth > 1;
  const pad = [0, 1, 2].map((a) => shaderPadding({ kernel: spec.kernel[a], stride: spec.stride[a],
    padding: spec.padding[a], dilation: spec.dilation[a] }));
  return {
    ...sliceOrderDefines(plan),
    CIB: channels.inBlocks, ID: spec.inSize[0], IH: spec.inSize[1], IW: spec.inSize[2], COUT: spec.outChannels,
    X_D: plan.crop.rawInput[0], X_H: plan.crop.rawInput[1], X_OFF_D: plan.crop.inputOffset[0],
    X_OFF_H: plan.crop.inputOffset[1], X_OFF_W: plan.crop.inputOffset[2],
    CIG: spec.inPerGroup, COG: spec.outPerGroup, NB: channels.blocksPerOutput,
    ALIGNED: channels.aligned, DEPTHWISE: channels.depthwise, HAS_BIAS: spec.hasBias,
    KD: spec.kernel[0], KH: spec.kernel[1], KW: spec.kernel[2],
    PAD_D: pad[0].padding, PAD_H: pad[1].padding, PAD_W: pad[2].padding,
    REACH_D: pad[0].units, REACH_H: pad[1].units, REACH_W: pad[2].units,
    DIL_D: spec.dilation[0], DIL_H: spec.dilation[1], DIL_W: spec.dilation[2],
    TAP_STEP_D: taps[0].step, TAP_STEP_H: taps[1].step, TAP_STEP_W: taps[2].step,
    SHIFT_D: shift(0), SHIFT_H: shift(1), SHIFT_W: shift(2),
    FIRST_TAPS_D: taps[0].firstTap.join(', '), FIRST_TAPS_H: taps[1].firstTap.join(', '),
    FIRST_TAPS_W: taps[2].firstTap.join(', '),
    TAPS_D: mostD, TAPS_H: mostH,
    NOUT: fragmentOutputs(fragment),
    D_PASSES: pairs ? 1 : mostD, D_KERNEL: pairs ? spec.kernel[0] : 1,
    D_ROWS: pairs ? spec.kernel[0] + 1 : 1,
    PHASE_W: phase, DIRECT_OUT: plan.direct,
    TWC: w.taps, W_WINDOWS: w.windows, WIN: w.size, TAPS_EVEN: w.even,
    W_MASK: (masked && !finiteWeight) || !w.even, ZERO_OUTSIDE: masked && finiteWeight,
    X_LAYOUT: shaderLayout(plan.input), W_LAYOUT: shaderLayout(plan.packedWeight),
    B_LAYOUT: plan.bias ? shaderLayout(plan.bias) : 'ivec4(0, 1, 1, 22)', S_LAYOUT: shaderLayout(plan.slice),
    X_SEGMENTS: plan.input.segmentsPerRow, W_SEGMENTS: plan.packedWeight.segmentsPerRow,
    X_PLAIN: isPlain(plan.input), W_PLAIN: isPlain(plan.packedWeight),
    S_ROWS: plan.slice.rows, S_COLS: plan.slice.cols,
    X_SAMPLER: samplerType(plan.input), W_SAMPLER: samplerType(plan.packedWeight),
    B_SAMPLER: samplerType(plan.bias ?? plan.input),
  };
}

/** The #defines of glsl/repack.frag.glsl: the slice order, the slice stack and the output's layout. */
export interface RepackDefines extends SliceOrderDefines {
  S_LAYOUT: string; S_LAYERS: number; S_SAMPLER: string;
  Y_LAYOUT: string; Y_ROWS: number; Y_COLS: number;
}

export function repackDefines(plan: ConvPlan): RepackDefines {
  return {
    ...sliceOrderDefines(plan),
    S_LAYOUT: shaderLayout(plan.slice), S_LAYERS: plan.slice.layers,
    S_SAMPLER: samplerType(sliceStack(plan)),
    Y_LAYOUT: shaderLayout(plan.output), Y_ROWS: plan.output.rows, Y_COLS: plan.output.cols,
  };
}

/** The #defines of glsl/pack_weights.frag.glsl: the weight's channels and groups, its raw and packed layouts. */
export interface PackDefines {
  CIN: number; COUT: number; CIG: number; COG: number; COGB: number; NB: number; DEPTHWISE: boolean;
  /** The packed kernel: KD × KH × KW taps from tap (OFF_D, OFF_H, OFF_W) of the raw kernel, RAW_KD × RAW_KH × …. */
  KD: number; KH: number; KW: number; RAW_KD: number; RAW_KH: number; OFF_D: number; OFF_H: number; OFF_W: number;
  RAW_LAYOUT: string; RAW_SAMPLER: string; Y_LAYOUT: string; Y_ROWS: number; Y_COLS: number;
}

export function packDefines(plan: ConvPlan): PackDefines {
  const { spec, channels } = plan;
  return {
    CIN: spec.inChannels, COUT: spec.outChannels, CIG: spec.inPerGroup, COG: spec.outPerGroup,
    COGB: blocks(spec.outPerGroup), NB: channels.blocksPerOutput, DEPTHWISE: channels.depthwise,
    KD: spec.kernel[0], KH: spec.kernel[1], KW: spec.kernel[2],
    RAW_KD: plan.crop.rawKernel[0], RAW_KH: plan.crop.rawKernel[1], OFF_D: plan.crop.kernelOffset[0],
    OFF_H: plan.crop.kernelOffset[1], OFF_W: plan.crop.kernelOffset[2],
    RAW_LAYOUT: shaderLayout(plan.rawWeight), RAW_SAMPLER: samplerType(plan.rawWeight),
    Y_LAYOUT: shaderLayout(plan.packedWeight), Y_ROWS: plan.packedWeight.rows, Y_COLS: plan.packedWeight.cols,
  };
}

/** A dense RGBA texture: a row-major array four values a texel, `rows` × `cols` texels. */
export interface DenseShape {
  rows: number;
  cols: number;
}

/** The #defines of glsl/from_dense.frag.glsl: the target's shape and layout, where its axes sit in the source. */
export interface FromDenseDefines {
  Y_C: number; Y_CB: number; Y_D: number; Y_H: number;
  SRC_N: number; SRC_C: number; SRC_D: number; SRC_H: number; SRC_W: number;
  DENSE_COLS: number; Y_LAYOUT: string; Y_ROWS: number; Y_COLS: number;
}

/**
 * Copies a dense array into a tensor of `shape5` laid out as `layout`; `strides` are the flat strides of the
 * tensor's axes (n, c, d, h, w) in the array.
 *
 * @example
 * // An NDHWC array [1, 4, 4, 4, 3] into the NCDHW tensor [1, 3, 4, 4, 4].
 * fromDenseDefines([1, 3, 4, 4, 4], [192, 1, 48, 12, 3], layout, { rows: 1, cols: 48 });
 */
export function fromDenseDefines(shape5: readonly number[], strides: readonly number[], layout: TextureLayout,
  dense: DenseShape): FromDenseDefines {
  const [, C, D, H] = shape5;
  return {
    Y_C: C, Y_CB: blocks(C), Y_D: D, Y_H: H, SRC_N: strides[0], SRC_C: strides[1], SRC_D: strides[2], SRC_H: strides[3],
    SRC_W: strides[4], DENSE_COLS: dense.cols, Y_LAYOUT: shaderLayout(layout), Y_ROWS: layout.rows,
    Y_COLS: layout.cols,
  };
}

/** The #defines of glsl/to_dense.frag.glsl. */
export interface ToDenseDefines {
  E1: number; E2: number; E3: number; E4: number;
  AXIS_N: number; AXIS_C: number; AXIS_D: number; AXIS_H: number; AXIS_W: number;
  TOTAL: number; DENSE_COLS: number; X_CB: number; X_D: number; X_H: number; X_LAYOUT: string; X_SAMPLER: string;
}

/**
 * Writes a tensor of `shape5` laid out as `layout` into a dense array whose axis i is the tensor's axis `axes[i]`.
 *
 * @example
 * toDenseDefines([1, 5, 8, 8, 8], [0, 2, 3, 4, 1], layout, { rows: 1, cols: 640 }); // NDHWC [1, 8, 8, 8, 5]
 */
export function toDenseDefines(shape5: readonly number[], axes: readonly number[], layout: TextureLayout,
  dense: DenseShape): ToDenseDefines {
  const [, C, D, H] = shape5;
  const sizes = axes.map((a) => shape5[a]);
  const at = (axis: number) => axes.indexOf(axis);
  return {
    E1: sizes[1], E2: sizes[2], E3: sizes[3], E4: sizes[4],
    AXIS_N: at(0), AXIS_C: at(1), AXIS_D: at(2), AXIS_H: at(3), AXIS_W: at(4),
    TOTAL: shape5.reduce((a, b) => a * b, 1), DENSE_COLS: dense.cols, X_CB: blocks(C), X_D: D, X_H: H,
    X_LAYOUT: shaderLayout(layout), X_SAMPLER: samplerType(layout),
  };
}
