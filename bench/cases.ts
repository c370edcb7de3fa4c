// The benchmark cases: NCDHW input, PyTorch weight (Cin, Cout/groups, kD, kH, kW). Their data is cases.json, which
// scripts/bench-pytorch.py reads too, so that PyTorch's native times are of the same cases. fixed-cost (one voxel,
// one texel of channels) is what a call costs with no work in it, each library's floor for small-odd.
import type { ConvTranspose3dOptions } from '../src/index';
import cases from './cases.json' with { type: 'json' };

export interface BenchCase {
  name: string;
  input: number[];
  weight: number[];
  options: Omit<ConvTranspose3dOptions, 'bias'>;
  /** Whether TensorFlow.js can express it (no groups, no dilation). */
  tfjs: boolean;
}

export const CASES: BenchCase[] = cases as BenchCase[];

/** FLOPs of a case, as the benchmark reports them: 2·N·Cin·(Cout/groups)·kD·kH·kW·D·H·W (a multiply and an add). */
export function flops(c: BenchCase): number {
  const [n, cin, d, h, w] = c.input;
  const [, coutPerGroup, kd, kh, kw] = c.weight;
  return 2 * n * cin * coutPerGroup * kd * kh * kw * d * h * w;
}
