// The memory a configuration needs, worked out from its shapes alone, so the page can refuse what would not fit
// before it allocates anything. Pure: unit-tested in Node.
import type { ConvSpec } from '../src/args';
import { callTexels, planConv, type ConvPlan, type PlanLimits } from '../src/convPlan';
import type { StorageMode } from '../src/gl/storage';
import { texelCount } from '../src/layout';
import { numel } from '../src/tensor';

/** The playground refuses configurations whose tensors and textures would need more than this. */
export const MEMORY_BUDGET = 1.5 * 2 ** 30;

/** The edge of the 3-D texture the volume view subsamples the output to (see volumeView.ts). */
const VOLUME_EDGE = 192;

/**
 * Bytes a run of this configuration allocates, at most: the page's copies, the CPU check's (in its worker), the GPU
 * path's packing and readback, the views, and the GPU's textures as the backend will plan them. An empty batch
 * needs nothing: the page computes nothing for it. The textures are not planned once the CPU side alone exceeds
 * the budget. Throws the planner's ConvTranspose3dError (`'too-large'`) when a tensor cannot fit the device.
 *
 * @example
 * memoryNeeded(spec, backend.limits, backend.capabilities.storage) > MEMORY_BUDGET; // refuse
 */
export function memoryNeeded(spec: ConvSpec, limits: PlanLimits, storage: StorageMode): number {
  if (spec.batch === 0) return 0;
  const cpu = cpuBytes(spec, storage);
  if (cpu > MEMORY_BUDGET) return cpu;
  return cpu + gpuPathBytes(planConv(spec, limits), spec);
}

/** Everything that does not depend on the plan. */
function cpuBytes(spec: ConvSpec, storage: StorageMode): number {
  const x = numel([spec.batch, spec.inChannels, ...spec.inSize]);
  const w = numel([spec.inChannels, spec.outPerGroup, ...spec.kernel]);
  const args = x + w + (spec.hasBias ? spec.outChannels : 0);
  const y = numel(spec.outShape);
  const voxels = numel(spec.outSize);
  const [, inH, inW] = spec.inSize;
  const [, kH, kW] = spec.kernel;
  const [, outH, outW] = spec.outSize;
  // The reference's per-axis tap lists: an array per output position and a pair per (input position, tap).
  const tapLists = [0, 1, 2].reduce((sum, a) => sum + 64 * spec.outSize[a] + 48 * spec.inSize[a] * spec.kernel[a], 0);
  const page = 4 * (
    (x + w) + // a loaded .npy's copy, or the scratch of a generated pattern
    args + // the call's tensors
    y + // the GPU output, unpacked
    y + // the CPU output, sent back by the worker
    y + // the download's .npy bytes
    voxels + (spec.outSize[0] + outH + outW) + // the coverage map and its per-axis counts
    voxels + // |GPU − CPU| of the channel on view
    Math.min(voxels, VOLUME_EDGE ** 3) // the volume view's subsampled copy
  ) +
    // Each heatmap's canvas and its image data: input, weight, and three output-sized slices.
    8 * (inH * inW + kH * kW + 3 * outH * outW);
  // The worker's output moves to the page (counted there as the CPU output): its own copies are the arguments.
  const worker = 4 * args + tapLists;
  // float16's tolerance runs the reference twice more, on absolute values, and sends an allowance per element back.
  const halfTolerance = storage === 'float16' ? 4 * (args + 3 * y) + 2 * tapLists + 4 * y : 0;
  return page + worker + halfTolerance;
}

/** The GPU path: CPU-side packing and readback, and the textures (16 bytes a texel, the most any storage takes). */
function gpuPathBytes(plan: ConvPlan, spec: ConvSpec): number {
  const biasTexels = plan.bias ? texelCount(plan.bias) : 0;
  // The end-to-end call and the resident run's uploads each pack the input and the bias; the resident run uploads
  // the weight as it is, besides the packed copy every call has.
  const packing = 2 * texelCount(plan.input) + 2 * biasTexels + texelCount(plan.packedWeight) +
    texelCount(plan.rawWeight);
  const readback = texelCount(plan.output);
  const textures = callTexels(plan, { input: true, bias: spec.hasBias }) + texelCount(plan.rawWeight);
  return 16 * (packing + readback + textures);
}

/** A byte count for people. */
export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}
