// `.npy` files in and out. Reading checks every limit before any data is decoded, so a hostile or mistaken file is
// refused with its reason instead of freezing the page; only what the playground can use gets through.
import { show } from '../src/args';
import { numel } from '../src/tensor';
import type { Tensor } from '../src/types';
import { MEMORY_BUDGET, formatBytes } from './memory';
import { parseNpyHeader, quote } from './npyHeader';

const MAGIC = [0x93, ...new TextEncoder().encode('NUMPY')];
/** NumPy's own limit on the header's length (`np.load`'s default `max_header_size`). */
export const MAX_HEADER_BYTES = 10_000;
/**
 * The largest `.npy` file the playground reads. A loaded tensor is held at least three times during a run (the
 * loaded copy, the call's copy and the CPU check's copy), so a bigger file could never run within the budget.
 */
export const MAX_NPY_BYTES = MEMORY_BUDGET / 3;

/** Refuses a file over {@link MAX_NPY_BYTES} by its size alone, before it is read. */
export function checkNpySize(bytes: number, name: string): void {
  if (bytes > MAX_NPY_BYTES) {
    throw new Error(`${name}: the .npy file is ${formatBytes(bytes)} (${bytes} bytes), more than the ` +
      `${formatBytes(MAX_NPY_BYTES)} the playground reads`);
  }
}

/**
 * Reads a `.npy` file (format 1.0, 2.0 or 3.0) as a float32 tensor. Refuses, with the reason, anything but a
 * little-endian float32 array in C order (what `np.save(path, t.numpy())` writes for a float32 PyTorch tensor)
 * whose data is exactly as long as its shape says.
 *
 * @example
 * const x = parseNpy(await file.arrayBuffer(), 'input');
 */
export function parseNpy(bytes: ArrayBuffer, name: string): Tensor {
  const refuse = (reason: string) => new Error(`${name}: ${reason}`);
  checkNpySize(bytes.byteLength, name);
  const head = new Uint8Array(bytes, 0, Math.min(bytes.byteLength, 8));
  if (head.length < 8 || MAGIC.some((b, i) => head[i] !== b)) {
    throw refuse('not a .npy file (it does not start with \\x93NUMPY)');
  }
  const [major, minor] = [head[6], head[7]];
  if (major < 1 || major > 3 || minor !== 0) {
    throw refuse(`.npy format version ${major}.${minor} is not supported (1.0, 2.0 and 3.0 are)`);
  }
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.byteLength < headerStart) throw refuse(`the .npy file ends within its first ${headerStart} bytes`);
  const lengths = new DataView(bytes, 8);
  const headerLength = major === 1 ? lengths.getUint16(0, true) : lengths.getUint32(0, true);
  if (headerLength > MAX_HEADER_BYTES) {
    throw refuse(`the .npy header is ${headerLength} bytes long, more than NumPy's limit of ${MAX_HEADER_BYTES}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.byteLength) {
    throw refuse(`the .npy file is truncated: its header should be ${headerLength} bytes, but only ` +
      `${bytes.byteLength - headerStart} follow`);
  }
  const header = readHeader(new Uint8Array(bytes, headerStart, headerLength), major, refuse);
  if (header.descr === '>f4') {
    throw refuse("the .npy holds big-endian float32 ('>f4'); save it little-endian (a.astype('<f4'))");
  }
  if (header.descr !== '<f4') {
    throw refuse(`the .npy holds dtype ${quote(header.descr)}; save it as float32 (a.astype(np.float32))`);
  }
  if (header.fortranOrder) throw refuse('the .npy is in Fortran order; save a C-order array (np.ascontiguousarray)');
  const count = numel(header.shape);
  const dataBytes = bytes.byteLength - dataStart;
  if (count * 4 !== dataBytes) {
    throw refuse(`the .npy header says shape ${show(header.shape)}, ${count} float32 values (${count * 4} bytes), ` +
      `but the file holds ${dataBytes} bytes of data`);
  }
  // One copy, byte for byte: the data may start at any offset, where a Float32Array view could not. The bytes are
  // taken in the platform's order, which is the file's: every platform browsers run WebGL2 on is little-endian.
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(new Uint8Array(bytes, dataStart, dataBytes));
  return { shape: header.shape, data };
}

/** The header's dict: UTF-8 in format 3.0, Latin-1 before (one character a byte). */
function readHeader(raw: Uint8Array, major: number, refuse: (reason: string) => Error) {
  let text = '';
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw refuse('the .npy header is not valid UTF-8');
    }
  } else {
    for (const b of raw) text += String.fromCharCode(b);
  }
  try {
    return parseNpyHeader(text);
  } catch (e) {
    throw refuse(`the .npy header is not readable: ${(e as Error).message}`);
  }
}

/**
 * A tensor as the bytes of a `.npy` file (little-endian float32, C order): byte for byte what NumPy's
 * `np.save(path, array)` writes for the same array (format 1.0, header padded to 64 bytes).
 */
export function toNpy(t: Tensor): Uint8Array {
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const magicAndLength = 10;
  // NumPy's rule (numpy/lib/format.py): pad so that magic, length, header and newline end on a 64-byte boundary.
  header += ' '.repeat(64 - ((magicAndLength + header.length + 1) % 64)) + '\n';
  const bytes = new Uint8Array(magicAndLength + header.length + t.data.byteLength);
  bytes.set([...MAGIC, 1, 0, header.length & 0xff, header.length >> 8]);
  bytes.set(new TextEncoder().encode(header), magicAndLength);
  const view = new DataView(bytes.buffer, magicAndLength + header.length);
  t.data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}
