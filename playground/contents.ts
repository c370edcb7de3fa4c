// Tensor contents a person can pick, and the coverage map. Pure: unit-tested in Node.
import { numel } from '../src/tensor';
import { rng } from '../src/support/seeded';
import type { Content } from './state';

/**
 * Fills a tensor of `shape` (rank ≥ 3; the last three axes are depth, height, width):
 * - `random`: seeded values in [-1, 1);
 * - `impulse`: 1 at `[c, d, h, w]` of the first batch item (its output is the kernel's footprint), else 0;
 * - `ones`; `checkerboard`: ±1 alternating over the three spatial axes;
 * - `sphere`: 1 inside the sphere inscribed in the volume, 0 outside, in every channel.
 */
export function fillContent(kind: Exclude<Content, 'npy'>, shape: readonly number[], seed: number,
  impulse: readonly number[] = [0, 0, 0, 0]): Float32Array {
  const data = new Float32Array(numel(shape));
  const [D, H, W] = shape.slice(-3);
  const plane = D * H * W;
  switch (kind) {
    case 'random': {
      const r = rng(seed);
      for (let i = 0; i < data.length; i++) data[i] = r() * 2 - 1;
      break;
    }
    case 'ones':
      data.fill(1);
      break;
    case 'impulse': {
      const [c, d, h, w] = impulse;
      const channels = shape.length > 3 ? shape[shape.length - 4] : 1;
      if (c >= 0 && c < channels && d >= 0 && d < D && h >= 0 && h < H && w >= 0 && w < W && data.length) {
        data[((c * D + d) * H + h) * W + w] = 1;
      }
      break;
    }
    case 'checkerboard':
    case 'sphere': {
      const voxel = new Float32Array(plane);
      const r2 = Math.min(D, H, W) ** 2 / 4;
      for (let d = 0, i = 0; d < D; d++) {
        for (let h = 0; h < H; h++) {
          for (let w = 0; w < W; w++, i++) {
            voxel[i] = kind === 'checkerboard' ? ((d + h + w) % 2 ? -1 : 1)
              : (d + 0.5 - D / 2) ** 2 + (h + 0.5 - H / 2) ** 2 + (w + 0.5 - W / 2) ** 2 <= r2 ? 1 : 0;
          }
        }
      }
      for (let o = 0; o < data.length; o += plane) data.set(voxel, o);
      break;
    }
  }
  return data;
}

/** The `[D, H, W]` volume of item `n`, channel `c` of an NCDHW tensor (rank 4 counts as one item): a view, no copy. */
export function channelVolume(data: Float32Array, shape: readonly number[], n: number, c: number): Float32Array {
  const [D, H, W] = shape.slice(-3);
  const C = shape[shape.length - 4];
  const plane = D * H * W;
  const start = (n * C + c) * plane;
  return data.subarray(start, start + plane);
}
