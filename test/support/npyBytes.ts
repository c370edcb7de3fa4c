// `.npy` files built byte by byte, well-formed or not, for the tests of the playground's reader.

/** The bytes of a `.npy` file from its parts; the length field says `headerLength` when given. */
export function npyBytes({ header, data = new Uint8Array(0), version = [1, 0], magic = '\x93NUMPY', headerLength }: {
  header: string; data?: Uint8Array; version?: number[]; magic?: string; headerLength?: number;
}): ArrayBuffer {
  const text = version[0] === 3 ? new TextEncoder().encode(header) : Uint8Array.from(header, (c) => c.charCodeAt(0));
  const lengthBytes = version[0] === 1 ? 2 : 4;
  const start = magic.length + 2 + lengthBytes;
  const out = new Uint8Array(start + text.length + data.length);
  out.set(Uint8Array.from(magic, (c) => c.charCodeAt(0)));
  out.set(version, magic.length);
  const length = headerLength ?? text.length;
  for (let i = 0; i < lengthBytes; i++) out[magic.length + 2 + i] = Math.floor(length / 256 ** i) % 256;
  out.set(text, start);
  out.set(data, start + text.length);
  return out.buffer;
}

/** A header dict padded with spaces to `length` bytes (NumPy pads to a multiple of 64 with the preamble). */
export const dict = (entries: string, length = 118) => `{${entries}}`.padEnd(length - 1) + '\n';
/** The header entries of a little-endian float32 array in C order, without its shape. */
export const F4 = "'descr': '<f4', 'fortran_order': False";
export const floats = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

/** A well-formed header for a float32 array of `shape` (Python's tuple syntax). */
const good = (shape = '(2, 3)') => dict(`${F4}, 'shape': ${shape}, `);

/**
 * Files the reader must refuse, each with the message it must give for a tensor named 'input'. Small: a file that
 * declares a huge array holds little data.
 */
export function hostileNpyFiles(maxHeaderBytes: number): Array<[string, ArrayBuffer, RegExp]> {
  return [
    ['a 128 KiB header', npyBytes({ version: [2, 0], header: dict(`${F4}, 'shape': (2, 3), `, 128 * 1024 - 12),
      data: floats(1, 2, 3, 4, 5, 6) }),
    /^input: the \.npy header is 131060 bytes long, more than NumPy's limit of 10000$/],
    ['a header one byte over the limit', npyBytes({ header: good().padStart(maxHeaderBytes + 1, ' ') }),
      /^input: the \.npy header is 10001 bytes long, more than NumPy's limit/],
    ['booleans declaring 10^18 values', npyBytes({ header: dict("'descr': '|b1', 'fortran_order': False, " +
      "'shape': (1000000000, 1000000000), ") }), /^input: the \.npy holds dtype '\|b1'; save it as float32/],
    ['strings declaring 2^40 values', npyBytes({ header: dict("'descr': '<U1', 'fortran_order': False, " +
      "'shape': (1099511627776,), "), data: new Uint8Array(64) }),
    /^input: the \.npy holds dtype '<U1'; save it as float32/],
    ['float64', npyBytes({ header: dict("'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), "),
      data: new Uint8Array(48) }), /^input: the \.npy holds dtype '<f8'; save it as float32/],
    ["'<f4' in an earlier string, '>f4' the descr", npyBytes({ header: dict(`'note': "'descr': '<f4'", ` +
      "'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), "), data: new Uint8Array(24) }),
    /^input: the \.npy header is not readable: unexpected key 'note': a \.npy header holds exactly/],
    ["'<f4' first, then '>f4' again for descr", npyBytes({ header: dict("'descr': '<f4', 'fortran_order': False, " +
      "'shape': (2, 3), 'descr': '>f4'"), data: new Uint8Array(24) }), /the key 'descr' appears twice/],
    ['big-endian', npyBytes({ header: dict("'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), "),
      data: new Uint8Array(24) }), /^input: the \.npy holds big-endian float32 \('>f4'\); save it little-endian/],
    ['Fortran order', npyBytes({ header: dict("'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), "),
      data: new Uint8Array(24) }), /^input: the \.npy is in Fortran order; save a C-order array/],
    ['truncated data', npyBytes({ header: good(), data: new Uint8Array(20) }),
      /^input: the \.npy header says shape \[2, 3\], 6 float32 values \(24 bytes\), but the file holds 20 bytes/],
    ['data too long', npyBytes({ header: good(), data: new Uint8Array(28) }), /but the file holds 28 bytes of data$/],
    ['a truncated header', npyBytes({ header: good().slice(0, 50), headerLength: 118 }),
      /^input: the \.npy file is truncated: its header should be 118 bytes, but only 50 follow$/],
    ['bad magic', npyBytes({ magic: '\x93NUMPX', header: good(), data: new Uint8Array(24) }),
      /^input: not a \.npy file \(it does not start with \\x93NUMPY\)$/],
    ['version 4.0', npyBytes({ version: [4, 0], header: good(), data: new Uint8Array(24) }),
      /^input: \.npy format version 4\.0 is not supported \(1\.0, 2\.0 and 3\.0 are\)$/],
    ['a duplicate key', npyBytes({ header: dict(`${F4}, 'shape': (2, 3), 'shape': (2, 3)`),
      data: new Uint8Array(24) }), /the key 'shape' appears twice/],
    ['an extra key', npyBytes({ header: dict(`${F4}, 'shape': (2, 3), 'extra': 1`), data: new Uint8Array(24) }),
      /unexpected key 'extra'/],
  ];
}
