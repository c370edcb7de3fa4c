// The WebGL2 context and what it can do, read once into a plain object.

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
  /** EXT_color_buffer_float is present *and* an RGBA32F array-texture layer makes a complete framebuffer. */
  floatRenderTargets: boolean;
  extensions: string[];
}

/** Caps a caller may impose below the device's limits (for tight devices, and to test tiling on any device). */
export interface LimitOverrides {
  maxTextureSize?: number;
  maxTextureLayers?: number;
}

/**
 * Makes a WebGL2 context of its own: on an OffscreenCanvas where that supports WebGL2, else on a detached canvas.
 * Throws when the browser has no WebGL2.
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
  if (typeof OffscreenCanvas !== 'undefined') {
    try {
      gl = new OffscreenCanvas(1, 1).getContext('webgl2', attributes) as WebGL2RenderingContext | null;
    } catch {
      gl = null;
    }
  }
  if (!gl && typeof document !== 'undefined') {
    gl = document.createElement('canvas').getContext('webgl2', attributes);
  }
  if (!gl) throw new Error('conv_transpose3d: this browser has no WebGL2 (getContext("webgl2") returned null)');
  return gl;
}

function probeFloatRenderTarget(gl: WebGL2RenderingContext): boolean {
  if (!gl.getExtension('EXT_color_buffer_float')) return false;
  const tex = gl.createTexture();
  const fb = gl.createFramebuffer();
  gl.bindTexture(gl.TEXTURE_2D_ARRAY, tex);
  gl.texImage3D(gl.TEXTURE_2D_ARRAY, 0, gl.RGBA32F, 1, 1, 1, 0, gl.RGBA, gl.FLOAT, null);
  gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
  gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, tex, 0, 0);
  const complete = gl.checkFramebufferStatus(gl.FRAMEBUFFER) === gl.FRAMEBUFFER_COMPLETE;
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  gl.bindTexture(gl.TEXTURE_2D_ARRAY, null);
  gl.deleteFramebuffer(fb);
  gl.deleteTexture(tex);
  return complete;
}

function checkCap(name: string, value: number | undefined, device: number): number {
  if (value === undefined) return device;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`createBackend: ${name} must be a positive integer, got ${String(value)}`);
  }
  return Math.min(value, device);
}

/**
 * Reads the device's capabilities once. `overrides` can only lower the limits.
 *
 * @example
 * const caps = readCapabilities(gl, { maxTextureSize: 64 });
 * caps.maxTextureSize; // 64
 */
export function readCapabilities(gl: WebGL2RenderingContext, overrides: LimitOverrides = {}): DeviceCapabilities {
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const deviceMaxTextureSize = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
  return {
    renderer: String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER)),
    vendor: String(gl.getParameter(debug ? debug.UNMASKED_VENDOR_WEBGL : gl.VENDOR)),
    deviceMaxTextureSize,
    maxTextureSize: checkCap('maxTextureSize', overrides.maxTextureSize, deviceMaxTextureSize),
    maxTextureLayers: checkCap('maxTextureLayers', overrides.maxTextureLayers,
      gl.getParameter(gl.MAX_ARRAY_TEXTURE_LAYERS) as number),
    maxDrawBuffers: gl.getParameter(gl.MAX_DRAW_BUFFERS) as number,
    maxTextureUnits: gl.getParameter(gl.MAX_TEXTURE_IMAGE_UNITS) as number,
    floatRenderTargets: probeFloatRenderTarget(gl),
    extensions: gl.getSupportedExtensions() ?? [],
  };
}
