// The one error type the library throws, with a code to branch on and, for a bad argument, its name.

/**
 * What went wrong, for code to branch on:
 * - `'invalid-argument'`: an argument or option breaks a rule; {@link ConvTranspose3dError.argument} names it.
 * - `'out-of-memory'`: the call or upload would take the textures in use past `maxBytes`.
 * - `'too-large'`: a tensor cannot fit the device's textures, or the call the shaders' integer ranges
 *   (`convTranspose3dReference` computes it on the CPU).
 * - `'unsupported'`: the device cannot store tensors the way asked (a storage mode, or any).
 * - `'no-webgl2'`: no WebGL2 in this browser or environment.
 * - `'context-lost'`: the WebGL context is lost, or was since a GPU tensor was made.
 * - `'disposed'`: a disposed backend or GPU tensor was used.
 * - `'gpu-failure'`: a shader failed to compile, or waiting for the GPU failed.
 */
export type ConvTranspose3dErrorCode = 'invalid-argument' | 'out-of-memory' | 'too-large' | 'unsupported' |
  'no-webgl2' | 'context-lost' | 'disposed' | 'gpu-failure';

/**
 * The error every function of the library throws (or rejects with), before any GPU work where the arguments are at
 * fault. Its message says what and why, naming the values.
 *
 * @example
 * try {
 *   await convTranspose3d(x, w, { stride: 0 });
 * } catch (e) {
 *   if (e instanceof ConvTranspose3dError && e.code === 'invalid-argument') console.log(e.argument); // 'stride'
 * }
 */
export class ConvTranspose3dError extends Error {
  /** Always `'ConvTranspose3dError'`. */
  override readonly name = 'ConvTranspose3dError';

  /**
   * @param code what went wrong
   * @param argument the argument or option at fault, for `'invalid-argument'` (and `'too-large'` where one is)
   */
  constructor(message: string, readonly code: ConvTranspose3dErrorCode, readonly argument: string | null = null) {
    super(message);
  }
}

/**
 * The `'out-of-memory'` error of either engine: what needed `bytes` more of its store (`'textures'` or `'memory'`),
 * beside `inUse`, past `maxBytes`.
 *
 * @example
 * throw outOfMemory('upload() of a tensor of shape [1, 2]', 8, 2 ** 31, 2 ** 31, 'memory');
 */
export function outOfMemory(what: string, bytes: number, inUse: number, maxBytes: number,
  store: 'textures' | 'memory'): ConvTranspose3dError {
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  return new ConvTranspose3dError(`conv_transpose3d: ${what} needs ${mib(bytes)} of ${store}; with ${mib(inUse)} ` +
    `in use that exceeds maxBytes = ${mib(maxBytes)}`, 'out-of-memory');
}
