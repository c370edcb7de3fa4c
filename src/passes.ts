// A call described as data: the passes the backend draws, each a shader over a target texture, built from a plan.
// Pure, so it is unit-tested in Node; the backend only binds textures and draws.
import { sliceStack, type ConvPlan } from './convPlan.js';
import { fragmentOutputs } from './fragment.js';
import type { TextureLayout } from './layout.js';
import { gatherDefines, packDefines, repackDefines } from './shaderDefines.js';

/** The shaders of glsl/: the gather, the repack of its slices, the packing of an uploaded weight. */
export type ShaderName = 'gather' | 'repack' | 'packWeights';

/** The textures of one call, by their role. */
export type CallTexture = 'input' | 'rawWeight' | 'packedWeight' | 'bias' | 'slices' | 'output';

/** One pass: a specialized shader drawn over a layout of its target. */
export interface Pass {
  shader: ShaderName;
  defines: Record<string, number | string | boolean>;
  /** The texture each sampler uniform reads. */
  inputs: Record<string, CallTexture>;
  target: CallTexture;
  /** The layout drawn over; the target holds `outputs` copies of it, one per render target. */
  layout: TextureLayout;
  outputs: number;
  /** Texture columns drawn, [start, end): one W phase's; all when absent. */
  columns?: [number, number];
  /** Rough texel fetches per fragment, to size the draw's bands. */
  fetchesPerTexel: number;
}

/** Everything one call draws. */
export interface CallPasses {
  /** Packs a weight uploaded as it was given into the gather's order: once per weight tensor and packing. */
  packWeights: Pass;
  /** The gather (per W phase, or at once), then the repack unless the gather writes the output directly. */
  compute: Pass[];
  /** Textures the compute passes write besides the output, with their layouts: made for the call, freed after. */
  intermediates: Array<{ texture: CallTexture; layout: TextureLayout }>;
}

/**
 * The passes of a planned call. `finiteWeight` says that no weight is Inf or NaN (see gatherDefines).
 *
 * @example
 * const { compute } = callPasses(plan, { finiteWeight: true });
 * compute.map((p) => p.shader); // ['gather', 'gather', 'repack']: a W stride of 2 drawn per phase
 */
export function callPasses(plan: ConvPlan, options: { finiteWeight: boolean }): CallPasses {
  const gatherInputs: Record<string, CallTexture> = {
    u_x: 'input', u_w: 'packedWeight', u_bias: plan.bias ? 'bias' : 'input',
  };
  const gather = (phase?: number): Pass => ({
    shader: 'gather',
    defines: { ...gatherDefines(plan, { phase, finiteWeight: options.finiteWeight }) },
    inputs: gatherInputs,
    target: plan.direct ? 'output' : 'slices',
    layout: plan.slice,
    outputs: plan.direct ? 1 : fragmentOutputs(plan.fragment),
    columns: phase === undefined ? undefined : [phase * plan.chunksPerPhase, (phase + 1) * plan.chunksPerPhase],
    fetchesPerTexel: plan.fetchesPerTexel,
  });
  const gathers = plan.phaseWindows ? plan.phaseWindows.map((_, a) => gather(a)) : [gather()];
  const repack: Pass = {
    shader: 'repack', defines: { ...repackDefines(plan) }, inputs: { u_slices: 'slices' }, target: 'output',
    layout: plan.output, outputs: 1, fetchesPerTexel: 2,
  };
  return {
    packWeights: {
      shader: 'packWeights', defines: { ...packDefines(plan) }, inputs: { u_raw: 'rawWeight' },
      target: 'packedWeight', layout: plan.packedWeight, outputs: 1, fetchesPerTexel: 4,
    },
    compute: plan.direct ? gathers : [...gathers, repack],
    intermediates: plan.direct ? [] : [{ texture: 'slices', layout: sliceStack(plan) }],
  };
}
