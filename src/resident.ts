// Resident tensors as the engines' backends keep them: a base class whose read() and dispose() go to the backend
// that owns the tensor, and the checks a backend makes of the tensors it is given (its own, usable; CPU tensors,
// snapshotted; a resident tensor of another backend, refused by name).
import { show, snapshotTensor } from './args.js';
import type { ResidentTensor } from './backendApi.js';
import { ConvTranspose3dError } from './errors.js';
import type { Tensor } from './types.js';

/** What a resident tensor asks of the backend that owns it. */
export interface TensorOwner<T> {
  /** Throws when `t` cannot be used for `what` (disposed, or its backend gone). */
  checkUsable(t: T, what: string): void;
  readTensor(t: T): Promise<Tensor>;
  /** Frees what `t` holds (once: `dispose()` calls it the first time only). */
  release(t: T): void;
}

/** A tensor resident in a backend: reading it and disposing of it go to the backend that owns it. */
export abstract class OwnedTensor<T extends OwnedTensor<T>> implements ResidentTensor {
  disposed = false;

  constructor(readonly owner: TensorOwner<T>, readonly shape: number[]) {}

  async read(): Promise<Tensor> {
    this.owner.checkUsable(this as unknown as T, 'read()');
    return this.owner.readTensor(this as unknown as T);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.owner.release(this as unknown as T);
  }
}

/** Throws `'disposed'` for a disposed tensor, naming what was tried on it. */
export function checkNotDisposed(t: { disposed: boolean; shape: number[] }, what: string): void {
  if (t.disposed) {
    throw new ConvTranspose3dError(`conv_transpose3d: ${what} on a disposed tensor of shape ${show(t.shape)}`,
      'disposed');
  }
}

/**
 * A tensor argument as a call uses it: one of the backend's own tensors (`own`, then checked by `usable`), a
 * snapshot of a CPU tensor, or an error naming a resident tensor of another backend.
 *
 * @example
 * const x = tensorArgument(input, 'input', (t): t is CpuTensor => t instanceof CpuTensor && t.owner === this,
 *   (t) => this.checkUsable(t, 'input'));
 */
export function tensorArgument<T>(t: unknown, name: string, own: (t: unknown) => t is T, usable: (t: T) => void):
  T | Tensor {
  if (own(t)) {
    usable(t);
    return t;
  }
  if (t !== null && typeof t === 'object' && 'read' in t && 'dispose' in t && !('data' in t)) {
    throw new ConvTranspose3dError(`conv_transpose3d: ${name} is a tensor of another backend`, 'invalid-argument',
      name);
  }
  return snapshotTensor(t, name);
}
