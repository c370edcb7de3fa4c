// `.npy` files in and out (npyjs does the format); only what the playground can use gets through.
import { parse } from 'npyjs';
import { numel } from '../src/tensor';
import type { Tensor } from '../src/types';

/**
 * Reads a `.npy` file as a float32 tensor. Refuses, with the reason, anything but a little-endian float32 array in
 * C order (what `np.save(path, t.numpy())` writes for a float32 PyTorch tensor).
 *
 * @example
 * const x = parseNpy(await file.arrayBuffer(), 'input');
 */
export function parseNpy(bytes: ArrayBuffer, name: string): Tensor {
  // npyjs drops the byte order from the dtype it reports, so read it from the header here.
  const header = new TextDecoder().decode(new Uint8Array(bytes, 0, Math.min(bytes.byteLength, 512)));
  if (/'descr'\s*:\s*'>/.test(header)) throw new Error(`${name}: the .npy is big-endian; save a little-endian array`);
  let arr;
  try {
    arr = parse(bytes);
  } catch (e) {
    throw new Error(`${name}: not a readable .npy file (${(e as Error).message})`);
  }
  if (arr.dtype !== 'f4' || !(arr.data instanceof Float32Array)) {
    throw new Error(`${name}: the .npy holds dtype ${arr.dtype}; save it as float32 (np.float32)`);
  }
  if (arr.fortranOrder) throw new Error(`${name}: the .npy is in Fortran order; save a C-order array`);
  const count = numel(arr.shape);
  if (arr.data.length !== count) {
    throw new Error(`${name}: the .npy header says shape [${arr.shape.join(', ')}] (${count} values) but holds ` +
      `${arr.data.length}`);
  }
  return { shape: arr.shape.slice(), data: arr.data.slice() };
}

/**
 * A tensor as the bytes of a `.npy` file (little-endian float32, C order): byte for byte what NumPy's
 * `np.save(path, array)` writes for the same array (format 1.0, header padded to 64 bytes), which is why the header
 * is written here rather than by npyjs, whose header differs in spacing and padding.
 */
export function toNpy(t: Tensor): Uint8Array {
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const magicAndLength = 10;
  // NumPy's rule (numpy/lib/format.py): pad so that magic, length, header and newline end on a 64-byte boundary.
  header += ' '.repeat(64 - ((magicAndLength + header.length + 1) % 64)) + '\n';
  const bytes = new Uint8Array(magicAndLength + header.length + t.data.byteLength);
  bytes.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  bytes.set(new TextEncoder().encode(header), magicAndLength);
  const view = new DataView(bytes.buffer, magicAndLength + header.length);
  t.data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}
