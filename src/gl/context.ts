// The WebGL2 context and what it can do, read once into a plain object.
import { STORAGE_PREFERENCE, chooseStorage, probeStorage, type StorageMode, type StorageRequest,
  type StorageSupport } from './storage';

/** What the device offers, read once when a backend is made. */
export interface DeviceCapabilities {
  /** UNMASKED_RENDERER_WEBGL when the browser exposes it, else RENDERER. */
  renderer: string;
  vendor: string;
  /** MAX_TEXTURE_SIZE of the device. */
  deviceMaxTextureSize: number;
  /** The texture size this backend uses: the device's, or the smaller `maxTextureSize` it was created with. */
  maxTextureSize: number;
  /** MAX_ARRAY_TEXTURE_LAYERS (or the smaller cap the backend was created with). */
  maxTextureLayers: number;
  maxDrawBuffers: number;
  maxTextureUnits: number;
  /** EXT_color_buffer_float is present *and* an RGBA32F array-texture layer renders and reads back. */
  floatRenderTargets: boolean;
  /** Which storage modes the device really supports (each probed by rendering and reading back a texel). */
  storageSupport: StorageSupport;
  /** The storage mode this backend uses (see `BackendOptions.storage`). */
  storage: StorageMode;
  extensions: string[];
}

/** Caps a caller may impose below the device's limits (for tight devices, and to test tiling on any device). */
export interface LimitOverrides {
  maxTextureSize?: number;
  maxTextureLayers?: number;
  /** The storage mode to use, or 'auto' (the default) for the best the device supports. */
  storage?: StorageRequest;
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
  }
  if (!gl) {
    throw new Error('conv_transpose3d: this browser has no WebGL2 (getContext("webgl2") returned null: WebGL2 is ' +
      'missing, disabled, or the GPU process failed)');
  }
  return gl;
}

function checkCap(name: string, value: number | undefined, device: number): number {
  if (value === undefined) return device;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`createBackend: ${name} must be a positive integer, got ${String(value)}`);
  }
  return Math.min(value, device);
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
    renderer,
    vendor: String(gl.getParameter(debug ? debug.UNMASKED_VENDOR_WEBGL : gl.VENDOR)),
    deviceMaxTextureSize,
    maxTextureSize: checkCap('maxTextureSize', overrides.maxTextureSize, deviceMaxTextureSize),
    maxTextureLayers: checkCap('maxTextureLayers', overrides.maxTextureLayers,
      gl.getParameter(gl.MAX_ARRAY_TEXTURE_LAYERS) as number),
    maxDrawBuffers: gl.getParameter(gl.MAX_DRAW_BUFFERS) as number,
    maxTextureUnits: gl.getParameter(gl.MAX_TEXTURE_IMAGE_UNITS) as number,
    floatRenderTargets: storageSupport.float32,
    storageSupport,
    storage: chooseStorage(overrides.storage ?? 'auto', storageSupport, renderer),
    extensions: gl.getSupportedExtensions() ?? [],
  };
}
