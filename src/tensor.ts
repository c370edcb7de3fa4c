import { checkTensor, checkTensorData } from './args.js';
import type { Tensor } from './types.js';

export { numel } from './args.js';

/**
 * Makes a {@link Tensor}. `data` may be omitted (zeros), a Float32Array (used as is, not copied) or any array of
 * numbers (converted to float32).
 *
 * @example
 * const x = tensor([1, 1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
 */
export function tensor(shape: number[], data?: Float32Array | ArrayLike<number>): Tensor {
  const t = { shape: (shape as unknown[]).slice() as number[], data: checkTensorData(shape, data) };
  checkTensor(t, 'tensor');
  return t;
}
