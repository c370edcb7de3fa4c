// How texels are stored: the storage ladder. Every mode keeps four channels a texel and computes in float32; they
// differ in the texture format, and so in which devices can render to them and what precision the stored values
// keep.
import { ConvTranspose3dError } from '../errors.js';

/** A storage mode: how tensors are kept in textures. */
export type StorageMode = 'float32' | 'uint32' | 'float16';

/** What `createBackend({ storage })` accepts: a mode, or `'auto'` for the best the device supports. */
export type StorageRequest = StorageMode | 'auto';

/** Order of preference for `'auto'`: exact modes first (float32 bits as floats, then as integers), then halves. */
export const STORAGE_PREFERENCE: readonly StorageMode[] = ['float32', 'uint32', 'float16'];

/** Which modes the device can really render to and read back (probed, not just read from the extension list). */
export type StorageSupport = Record<StorageMode, boolean>;

/** The GL formats of one mode. */
export interface StorageFormat {
  mode: StorageMode;
  internalFormat: number;
  /** Format and type of uploads (texImage3D) and of readbacks (readPixels). */
  format: number;
  type: number;
  /** Bytes of one texel in video memory. */
  texelBytes: number;
}

/**
 * The GL formats of `mode`. Uploads are always 32-bit words: float32 and float16 upload floats (the GL rounds to
 * half for RGBA16F), uint32 uploads the float32 bit patterns as unsigned integers.
 *
 * @example
 * const f = storageFormat(gl, 'uint32'); // { internalFormat: gl.RGBA32UI, format: gl.RGBA_INTEGER, ... }
 */
export function storageFormat(gl: WebGL2RenderingContext, mode: StorageMode): StorageFormat {
  switch (mode) {
    case 'float32':
      return { mode, internalFormat: gl.RGBA32F, format: gl.RGBA, type: gl.FLOAT, texelBytes: 16 };
    case 'float16':
      return { mode, internalFormat: gl.RGBA16F, format: gl.RGBA, type: gl.FLOAT, texelBytes: 8 };
    case 'uint32':
      return { mode, internalFormat: gl.RGBA32UI, format: gl.RGBA_INTEGER, type: gl.UNSIGNED_INT, texelBytes: 16 };
  }
}

/** The data to upload for `texels` (4 floats a texel) in `format`: the same bytes, typed as the GL expects. */
export function uploadView(format: StorageFormat, texels: Float32Array): Float32Array | Uint32Array {
  return format.mode === 'uint32' ? new Uint32Array(texels.buffer, texels.byteOffset, texels.length) : texels;
}

/**
 * Whether every value of `data` is stored as a finite number in `mode`: no NaN or ±Inf, and for float16 nothing past
 * its largest finite value, 65504 (larger floats may round to Inf).
 *
 * @example
 * storesFinite(new Float32Array([1, 70000]), 'float32'); // true
 * storesFinite(new Float32Array([1, 70000]), 'float16'); // false
 */
export function storesFinite(data: Float32Array, mode: StorageMode): boolean {
  const largest = mode === 'float16' ? 65504 : 3.4028234663852886e38;
  // A negated test, so that NaN fails it too.
  for (let i = 0; i < data.length; i++) if (!(Math.abs(data[i]) <= largest)) return false;
  return true;
}

/**
 * Whether the device can render `mode` into a layer of a 2-D array texture and read it back: a framebuffer
 * completeness check, then a clear and a one-texel readPixels that must return the value without a GL error.
 */
export function probeStorage(gl: WebGL2RenderingContext, mode: StorageMode): boolean {
  // Float render targets need the extension enabled; RGBA16F is renderable with either of these.
  if (mode === 'float32' && !gl.getExtension('EXT_color_buffer_float')) return false;
  if (mode === 'float16' && !gl.getExtension('EXT_color_buffer_float') &&
    !gl.getExtension('EXT_color_buffer_half_float')) return false;
  const f = storageFormat(gl, mode);
  const tex = gl.createTexture();
  const fb = gl.createFramebuffer();
  while (gl.getError() !== gl.NO_ERROR) { /* start from a clean error state */ }
  try {
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, tex);
    gl.texImage3D(gl.TEXTURE_2D_ARRAY, 0, f.internalFormat, 1, 1, 1, 0, f.format, f.type, null);
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
    gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, tex, 0, 0);
    if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) return false;
    const want = 1.5;
    let got: number;
    if (mode === 'uint32') {
      const bits = new Uint32Array(new Float32Array([want]).buffer)[0];
      gl.clearBufferuiv(gl.COLOR, 0, [bits, 0, 0, 0]);
      const out = new Uint32Array(4);
      gl.readPixels(0, 0, 1, 1, f.format, f.type, out);
      got = new Float32Array(out.buffer)[0];
    } else {
      gl.clearBufferfv(gl.COLOR, 0, [want, 0, 0, 0]);
      const out = new Float32Array(4);
      gl.readPixels(0, 0, 1, 1, f.format, f.type, out);
      got = out[0];
    }
    return gl.getError() === gl.NO_ERROR && got === want;
  } finally {
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, null);
    gl.deleteFramebuffer(fb);
    gl.deleteTexture(tex);
  }
}

/**
 * The mode to use: the requested one (checked by checkBackendOptions in args.ts) when the device supports it, or for
 * `'auto'` the first supported mode in {@link STORAGE_PREFERENCE}. Throws, naming what was requested and what the
 * device has, when nothing fits.
 *
 * @example
 * chooseStorage('auto', { float32: false, uint32: true, float16: true }); // 'uint32'
 */
export function chooseStorage(request: StorageRequest, support: StorageSupport, renderer = 'this device'):
  StorageMode {
  const supported = STORAGE_PREFERENCE.filter((m) => support[m]);
  const describe = () => (supported.length ? `it supports ${supported.join(', ')}` : 'it supports none');
  if (request === 'auto') {
    if (supported.length) return supported[0];
    throw new ConvTranspose3dError(`conv_transpose3d: ${renderer} can render to none of the storage formats ` +
      '(RGBA32F, RGBA32UI, RGBA16F array-texture layers)', 'unsupported');
  }
  if (!support[request]) {
    throw new ConvTranspose3dError(`conv_transpose3d: storage '${request}' is not supported by ${renderer} ` +
      `(${describe()}; ${request === 'float32' ? 'EXT_color_buffer_float is missing or RGBA32F is not renderable' :
        request === 'float16' ? 'RGBA16F is not renderable' : 'RGBA32UI is not renderable'})`, 'unsupported',
      'storage');
  }
  return request;
}
