// Seeded random conv_transpose3d configurations, varied over every parameter. Pure: used in the browsers.
import type { CheckReport } from '../../src/checker';
import type { ConvTranspose3dOptions, Tensor } from '../../src/index';
import { randomTensor, rng } from '../../src/support/seeded';

export interface RandomConfig {
  inputShape: number[];
  weightShape: number[];
  bias: boolean;
  options: Required<Omit<ConvTranspose3dOptions, 'bias'>>;
}

/** A configuration run on the GPU with seeded data, compared in the page with the CPU reference. */
export interface RandomResult { seed: number; config: RandomConfig; report: CheckReport }

export function randomConfig(seed: number): RandomConfig {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const axes = <T>(f: () => T): [T, T, T] => [f(), f(), f()];
  const groupsKind = pick(['one', 'one', 'few', 'depthwise']);
  const groups = groupsKind === 'one' ? 1 : groupsKind === 'few' ? int(2, 4) : int(2, 9);
  const inPerGroup = groupsKind === 'depthwise' ? 1 : int(1, 6);
  const outPerGroup = groupsKind === 'depthwise' ? pick([1, 1, 2, 3]) : int(1, 6);
  const kernel = axes(() => int(1, 4));
  const stride = axes(() => pick([1, 1, 2, 2, 3, 4]));
  const dilation = axes(() => pick([1, 1, 1, 2, 3]));
  const outputPadding = [0, 1, 2].map((a) => (r() < 0.4 ? int(0, Math.max(stride[a], dilation[a]) - 1) : 0)) as
    [number, number, number];
  const size = axes(() => int(1, 5));
  const padding = [0, 1, 2].map((a) => {
    const full = (size[a] - 1) * stride[a] + dilation[a] * (kernel[a] - 1) + outputPadding[a] + 1;
    return Math.min(int(0, 3), Math.floor((full - 1) / 2));
  }) as [number, number, number];
  const unbatched = r() < 0.2;
  const batch = unbatched ? 0 : pick([1, 1, 2, 3]);
  const cin = groups * inPerGroup;
  return {
    inputShape: unbatched ? [cin, ...size] : [batch, cin, ...size],
    weightShape: [cin, outPerGroup, ...kernel],
    bias: r() < 0.5,
    options: { stride, padding, outputPadding, dilation, groups },
  };
}

/** The seeded tensors and options of a configuration: input, weight and (when it has one) bias. */
export function randomCall(config: RandomConfig, seed: number):
  { x: Tensor; w: Tensor; options: ConvTranspose3dOptions } {
  return {
    x: randomTensor(config.inputShape, seed * 3 + 1),
    w: randomTensor(config.weightShape, seed * 3 + 2),
    options: { ...config.options,
      bias: config.bias ? randomTensor([config.weightShape[1] * config.options.groups], seed * 3) : null },
  };
}
