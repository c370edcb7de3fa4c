// The WebGL2 context and what it can do, read once into a plain object.
import { STORAGE_PREFERENCE, chooseStorage, probeStorage, type StorageMode, type StorageRequest,
  type StorageSupport } from './storage.js';
import { ConvTranspose3dError } from '../errors.js';

/** What the device offers, read once when a backend is made. */
export interface DeviceCapabilities {
  /** The engine these capabilities are of. */
  engine: 'webgl';
  /** UNMASKED_RENDERER_WEBGL when the browser exposes it, else RENDERER. */
  renderer: string;
  /** UNMASKED_VENDOR_WEBGL when the browser exposes it, else VENDOR. */
  vendor: string;
  /** MAX_TEXTURE_SIZE of the device. */
  deviceMaxTextureSize: number;
  /** The texture size this backend uses: the device's, or the smaller `maxTextureSize` it was created with. */
  maxTextureSize: number;
  /** MAX_ARRAY_TEXTURE_LAYERS (or the smaller cap the backend was created with). */
  maxTextureLayers: number;
  /** MAX_DRAW_BUFFERS: render targets one draw may write (a fragment writes at most 8 here). */
  maxDrawBuffers: number;
  /** How the renderer runs fragment shaders, as far as planning and specializing them care (see RendererPolicy). */
  policy: RendererPolicy;
  /** Which storage modes the device really supports (each probed by rendering and reading back a texel). */
  storageSupport: StorageSupport;
  /** The storage mode this backend uses (see `BackendOptions.storage`). */
  storage: StorageMode;
  /** The WebGL extensions the context supports. */
  extensions: string[];
}

/**
 * What the planner and the shader specializer adapt to in a renderer, read from its name once. Every choice made for
 * a software rasterizer lives here; GPUs get the portable defaults.
 */
export interface RendererPolicy {
  /**
   * Width of the pixel blocks the renderer shades together: 2 for the 2×2 quads of GPUs and SwiftShader, 4 for Mesa
   * llvmpipe's 4×4 blocks. Draws are priced, and slice lines sized, in whole blocks.
   */
  quadWidth: number;
  /** Most input texels a W window of the gather holds: 16, or 10 on Mesa llvmpipe, which runs short of registers. */
  windowTexels: number;
  /**
   * Unroll the shaders' `#pragma unroll` loops before compiling: for SwiftShader and Mesa llvmpipe, whose JITs keep
   * arrays indexed by loop counters in memory. GPU compilers unroll constant-bound loops themselves.
   */
  unrollLoops: boolean;
}

/**
 * The policy for a renderer, by its name (UNMASKED_RENDERER_WEBGL or RENDERER) and the browser's user agent.
 *
 * @example
 * rendererPolicy('llvmpipe (LLVM 15.0.6, 256 bits)'); // { quadWidth: 4, windowTexels: 10, unrollLoops: true }
 * rendererPolicy('Apple GPU', 'Mozilla/5.0 (Macintosh; …'); // { quadWidth: 2, windowTexels: 16, unrollLoops: false }
 */
export function rendererPolicy(renderer: string, userAgent = ''): RendererPolicy {
  const llvmpipe = /llvmpipe/i.test(renderer);
  const software = llvmpipe || /SwiftShader/i.test(renderer);
  // WebKitGTK and WPE name every renderer "Apple GPU"; off Apple's systems the GL behind it is Mesa, whose llvmpipe
  // runs the loop form about 2× slower (vae-up, video-up), so it gets the unrolled form.
  const maskedMesa = renderer === 'Apple GPU' && !/Macintosh|Mac OS X|iPhone|iPad|iPod/.test(userAgent);
  return { quadWidth: llvmpipe ? 4 : 2, windowTexels: llvmpipe ? 10 : 16, unrollLoops: software || maskedMesa };
}

/**
 * Whether `gl` is a WebGL2 context (what every pass needs), told by a method WebGL1 lacks: `instanceof` fails across
 * realms, and TensorFlow.js falls back to a WebGL1 context where a browser has no WebGL2.
 *
 * @example
 * isWebgl2(canvas.getContext('webgl2')!); // true
 */
export function isWebgl2(gl: unknown): gl is WebGL2RenderingContext {
  return typeof gl === 'object' && gl !== null && typeof (gl as WebGL2RenderingContext).texStorage3D === 'function';
}

/** Caps a caller may impose below the device's limits (for tight devices, and to test tiling on any device). */
export interface LimitOverrides {
  maxTextureSize?: number;
  maxTextureLayers?: number;
  /** The storage mode to use, or 'auto' (the default) for the best the device supports. */
  storage?: StorageRequest;
  /** Replaces parts of the renderer's policy (tests run the GPUs' loop form on software renderers with it). */
  policy?: Partial<RendererPolicy>;
}

/**
 * Makes a WebGL2 context of its own, on a detached canvas (whose context-loss events every engine delivers).
 * Throws, saying so, when the browser has no WebGL2.
 *
 * @example
 * const gl = createContext();
 */
export function createContext(): WebGL2RenderingContext {
  const attributes: WebGLContextAttributes = {
    alpha: true, antialias: false, depth: false, stencil: false, premultipliedAlpha: false,
    preserveDrawingBuffer: false, powerPreference: 'high-performance',
  };
  let gl: WebGL2RenderingContext | null = null;
  if (typeof document !== 'undefined') gl = document.createElement('canvas').getContext('webgl2', attributes);
  else if (typeof OffscreenCanvas !== 'undefined') {
    // In a worker there is no document; OffscreenCanvas is then the only way.
    gl = new OffscreenCanvas(1, 1).getContext('webgl2', attributes) as WebGL2RenderingContext | null;
  } else {
    // Node, or another runtime without canvases.
    throw new ConvTranspose3dError('conv_transpose3d: there is no WebGL2 in this environment (no document and no ' +
      'OffscreenCanvas, as in Node)', 'no-webgl2');
  }
  if (!gl) {
    throw new ConvTranspose3dError('conv_transpose3d: this browser has no WebGL2 (getContext("webgl2") returned ' +
      'null: WebGL2 is missing, disabled, or the GPU process failed)', 'no-webgl2');
  }
  return gl;
}

/**
 * Whether WebGL may be drawn on the CPU here, so that the CPU engine may be faster: the browser says so (a context
 * with `failIfMajorPerformanceCaveat` is refused, as on Chrome's SwiftShader fallback), the renderer is a known
 * software one, or its name is masked ("Apple GPU" off Apple systems: WebKitGTK and WPE, on Mesa, which may be
 * llvmpipe).
 *
 * @example
 * mayBeSoftware('llvmpipe (LLVM 15.0.6, 256 bits)', true); // true
 * mayBeSoftware('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)', true); // false
 */
export function mayBeSoftware(renderer: string, caveatContext: boolean, userAgent = ''): boolean {
  if (!caveatContext) return true;
  if (/SwiftShader|llvmpipe|softpipe|lavapipe|Basic Render Driver|Software/i.test(renderer)) return true;
  return renderer === 'Apple GPU' && !/Macintosh|Mac OS X|iPhone|iPad|iPod/.test(userAgent);
}

/** Whether the browser gives a WebGL2 context that refuses a major performance caveat (a software renderer). */
export function caveatContext(): boolean {
  if (typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined') return false;
  const canvas = typeof document !== 'undefined' ? document.createElement('canvas') : new OffscreenCanvas(1, 1);
  const gl = canvas.getContext('webgl2', { failIfMajorPerformanceCaveat: true }) as WebGL2RenderingContext | null;
  // Freed now rather than when collected: browsers keep only so many contexts.
  gl?.getExtension('WEBGL_lose_context')?.loseContext();
  return gl !== null;
}

/** A cap (checked by checkBackendOptions in args.ts) can only lower the device's limit. */
function capped(value: number | undefined, device: number): number {
  return value === undefined ? device : Math.min(value, device);
}

/**
 * Reads the device's capabilities once and picks the storage mode. `overrides` can only lower the limits.
 * Throws when the requested storage mode (or, for 'auto', every mode) cannot be rendered to.
 *
 * @example
 * const caps = readCapabilities(gl, { maxTextureSize: 64 });
 * caps.maxTextureSize; // 64
 */
export function readCapabilities(gl: WebGL2RenderingContext, overrides: LimitOverrides = {}): DeviceCapabilities {
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const deviceMaxTextureSize = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
  const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  const storageSupport = Object.fromEntries(STORAGE_PREFERENCE.map((m) => [m, probeStorage(gl, m)])) as
    StorageSupport;
  return {
    engine: 'webgl',
    renderer,
    vendor: String(gl.getParameter(debug ? debug.UNMASKED_VENDOR_WEBGL : gl.VENDOR)),
    deviceMaxTextureSize,
    maxTextureSize: capped(overrides.maxTextureSize, deviceMaxTextureSize),
    maxTextureLayers: capped(overrides.maxTextureLayers, gl.getParameter(gl.MAX_ARRAY_TEXTURE_LAYERS) as number),
    maxDrawBuffers: gl.getParameter(gl.MAX_DRAW_BUFFERS) as number,
    policy: { ...rendererPolicy(renderer, typeof navigator === 'undefined' ? '' : navigator.userAgent),
      ...overrides.policy },
    storageSupport,
    storage: chooseStorage(overrides.storage ?? 'auto', storageSupport, renderer),
    extensions: gl.getSupportedExtensions() ?? [],
  };
}
