// The benchmark cases. NCDHW input, PyTorch weight (Cin, Cout/groups, kD, kH, kW).
import type { ConvTranspose3dOptions } from '../src/index';

export interface BenchCase {
  name: string;
  input: number[];
  weight: number[];
  options: Omit<ConvTranspose3dOptions, 'bias'>;
  /** Whether TensorFlow.js can express it (no groups, no dilation). */
  tfjs: boolean;
}

export const CASES: BenchCase[] = [
  { name: 'docs-example', input: [20, 16, 50, 10, 20], weight: [16, 33, 3, 3, 3], options: {}, tfjs: true },
  { name: 'unet-up', input: [1, 64, 16, 16, 16], weight: [64, 32, 2, 2, 2], options: { stride: 2 }, tfjs: true },
  { name: 'vae-up', input: [1, 32, 8, 32, 32], weight: [32, 16, 4, 4, 4], options: { stride: 2, padding: 1 },
    tfjs: true },
  { name: 'video-up', input: [1, 64, 4, 32, 32], weight: [64, 64, 3, 3, 3],
    options: { stride: [1, 2, 2], padding: 1, outputPadding: [0, 1, 1] }, tfjs: true },
  { name: 'small-odd', input: [2, 8, 6, 6, 6], weight: [8, 4, 3, 3, 3],
    options: { stride: 2, padding: 1, outputPadding: 1 }, tfjs: true },
  // One voxel, one texel of channels: what a call costs with no work in it, each library's floor for small-odd.
  { name: 'fixed-cost', input: [1, 4, 1, 1, 1], weight: [4, 4, 1, 1, 1], options: {}, tfjs: true },
  { name: 'groups-4', input: [1, 64, 8, 16, 16], weight: [64, 16, 3, 3, 3], options: { stride: 2, groups: 4 },
    tfjs: false },
  { name: 'depthwise', input: [1, 64, 8, 32, 32], weight: [64, 1, 3, 3, 3], options: { stride: 2, groups: 64 },
    tfjs: false },
  { name: 'dilation-2', input: [1, 32, 8, 16, 16], weight: [32, 32, 3, 3, 3], options: { dilation: 2, padding: 2 },
    tfjs: false },
];

/** FLOPs of a case, two per multiply-add: 2·N·Cin·(Cout/groups)·kD·kH·kW·D·H·W. */
export function flops(c: BenchCase): number {
  const [n, cin, d, h, w] = c.input;
  const [, coutPerGroup, kd, kh, kw] = c.weight;
  return 2 * n * cin * coutPerGroup * kd * kh * kw * d * h * w;
}
