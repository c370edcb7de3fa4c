// Saving, neutralizing and restoring the GL state the backend's work may change, so that it can run on a WebGL2
// context another library owns (TensorFlow.js, a three.js renderer) and hand it back exactly as it found it.
//
// Left out on purpose, because it belongs to objects rather than to the context:
// - DRAW_BUFFERS and READ_BUFFER are state of the framebuffer object bound when they are set, so the owner's
//   framebuffers keep theirs as long as the backend calls drawBuffers and readBuffer only on its own framebuffer.
// - ELEMENT_ARRAY_BUFFER_BINDING and the vertex attribute arrays are state of the vertex array object, so restoring
//   the VAO binding brings the owner's back, as long as the backend changes them only with a VAO of its own bound.
//   Its attribute-less draws are safest with an empty VAO of its own bound anyway: WebGL may reject a draw over
//   arrays the owner enabled in the VAO it left bound.
// - Texture and sampler parameters, and framebuffer attachments, are only ever changed on the backend's own objects.

/** Capabilities the backend's draws need off: each drops fragments or alters what they write. */
const ENABLE_CAPS = [
  'SCISSOR_TEST', 'CULL_FACE', 'BLEND', 'DEPTH_TEST', 'STENCIL_TEST', 'DITHER', 'POLYGON_OFFSET_FILL',
  'SAMPLE_ALPHA_TO_COVERAGE', 'SAMPLE_COVERAGE', 'RASTERIZER_DISCARD',
] as const;

/**
 * Buffer targets that are context state (not VAO state), each with the parameter that reads it. UNIFORM_BUFFER is
 * the generic binding, the one bindBuffer sets; the indexed bindings are left alone.
 */
const BUFFER_TARGETS = {
  ARRAY_BUFFER: 'ARRAY_BUFFER_BINDING',
  COPY_READ_BUFFER: 'COPY_READ_BUFFER_BINDING',
  COPY_WRITE_BUFFER: 'COPY_WRITE_BUFFER_BINDING',
  UNIFORM_BUFFER: 'UNIFORM_BUFFER_BINDING',
  PIXEL_PACK_BUFFER: 'PIXEL_PACK_BUFFER_BINDING',
  PIXEL_UNPACK_BUFFER: 'PIXEL_UNPACK_BUFFER_BINDING',
} as const;

/** Texture targets of one texture unit, each with the parameter that reads it (on the active unit). */
const TEXTURE_TARGETS = {
  TEXTURE_2D: 'TEXTURE_BINDING_2D',
  TEXTURE_2D_ARRAY: 'TEXTURE_BINDING_2D_ARRAY',
  TEXTURE_3D: 'TEXTURE_BINDING_3D',
  TEXTURE_CUBE_MAP: 'TEXTURE_BINDING_CUBE_MAP',
} as const;

type PixelStoreSpec =
  | { type: 'int'; neutral: number }
  | { type: 'boolean'; neutral: boolean }
  | { type: 'enum'; neutral: 'BROWSER_DEFAULT_WEBGL' };

/**
 * Every pixel-store parameter of WebGL2: the type getParameter returns for it, and its default in the WebGL2 spec,
 * which is what the backend's uploads and readbacks assume. An owner's row length or skips would shift what they
 * read and write, and a true flip-y or premultiply makes WebGL2 refuse 3-D uploads from typed arrays.
 */
const PIXEL_STORE = {
  PACK_ALIGNMENT: { type: 'int', neutral: 4 },
  PACK_ROW_LENGTH: { type: 'int', neutral: 0 },
  PACK_SKIP_PIXELS: { type: 'int', neutral: 0 },
  PACK_SKIP_ROWS: { type: 'int', neutral: 0 },
  UNPACK_ALIGNMENT: { type: 'int', neutral: 4 },
  UNPACK_ROW_LENGTH: { type: 'int', neutral: 0 },
  UNPACK_IMAGE_HEIGHT: { type: 'int', neutral: 0 },
  UNPACK_SKIP_PIXELS: { type: 'int', neutral: 0 },
  UNPACK_SKIP_ROWS: { type: 'int', neutral: 0 },
  UNPACK_SKIP_IMAGES: { type: 'int', neutral: 0 },
  UNPACK_FLIP_Y_WEBGL: { type: 'boolean', neutral: false },
  UNPACK_PREMULTIPLY_ALPHA_WEBGL: { type: 'boolean', neutral: false },
  UNPACK_COLORSPACE_CONVERSION_WEBGL: { type: 'enum', neutral: 'BROWSER_DEFAULT_WEBGL' },
} as const satisfies Record<string, PixelStoreSpec>;

/** A capability {@link saveGlState} records and {@link neutralGlState} disables. */
export type EnableCap = (typeof ENABLE_CAPS)[number];
/** A buffer target {@link saveGlState} records. */
export type BufferTarget = keyof typeof BUFFER_TARGETS;
/** A texture target {@link saveGlState} records on each texture unit. */
export type TextureTarget = keyof typeof TEXTURE_TARGETS;
/** A pixel-store parameter, all of which {@link saveGlState} records. */
export type PixelStoreParam = keyof typeof PIXEL_STORE;

/** Four values, as VIEWPORT, SCISSOR_BOX, COLOR_WRITEMASK and COLOR_CLEAR_VALUE hold them. */
export type Quad<T> = [T, T, T, T];

/** The bindings of one texture unit. */
export interface TextureUnitState {
  textures: Record<TextureTarget, WebGLTexture | null>;
  sampler: WebGLSampler | null;
}

/** Every piece of GL state the backend's work may change, as read from the context. */
export interface GlStateSnapshot {
  /** Kept apart from the read framebuffer: an owner may leave different ones bound (around a blit). */
  drawFramebuffer: WebGLFramebuffer | null;
  readFramebuffer: WebGLFramebuffer | null;
  renderbuffer: WebGLRenderbuffer | null;
  program: WebGLProgram | null;
  vertexArray: WebGLVertexArrayObject | null;
  buffers: Record<BufferTarget, WebGLBuffer | null>;
  /** ACTIVE_TEXTURE: `TEXTURE0 + unit`. */
  activeTexture: GLenum;
  /** Units 0 to `textureUnits - 1`, in order. */
  textureUnits: TextureUnitState[];
  viewport: Quad<number>;
  scissorBox: Quad<number>;
  enabled: Record<EnableCap, boolean>;
  colorMask: Quad<boolean>;
  /** COLOR_CLEAR_VALUE. */
  clearColor: Quad<number>;
  pixelStore: { [P in PixelStoreParam]: (typeof PIXEL_STORE)[P]['type'] extends 'boolean' ? boolean : number };
}

function keysOf<T extends object>(table: T): (keyof T)[] {
  return Object.keys(table) as (keyof T)[];
}

function tableOf<K extends PropertyKey, V>(keys: readonly K[], value: (key: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((key) => [key, value(key)])) as Record<K, V>;
}

// A lost context answers null to every query; the fallback keeps the snapshot well-typed (restoring into a lost
// context does nothing anyway), so the work itself gets to find the loss and report it.
function read<T>(gl: WebGL2RenderingContext, pname: GLenum, fallback: T): T {
  return (gl.getParameter(pname) as T | null) ?? fallback;
}

function readQuad<T>(gl: WebGL2RenderingContext, pname: GLenum, fallback: T): Quad<T> {
  const v = read<ArrayLike<T> | null>(gl, pname, null);
  return v ? [v[0], v[1], v[2], v[3]] : [fallback, fallback, fallback, fallback];
}

function neutralPixelStore(gl: WebGL2RenderingContext, spec: PixelStoreSpec): GLint | GLboolean {
  return spec.type === 'enum' ? gl[spec.neutral] : spec.neutral;
}

/**
 * Reads every piece of GL state the backend's work may change. `textureUnits` is how many texture units (from 0) the
 * backend may bind textures on; their bindings are read by activating each in turn, and the active unit is put back
 * before returning, so saving changes nothing.
 *
 * @example
 * const saved = saveGlState(gl, 4);
 * // ... work on units 0 to 3 ...
 * restoreGlState(gl, saved);
 */
export function saveGlState(gl: WebGL2RenderingContext, textureUnits: number): GlStateSnapshot {
  const activeTexture = read(gl, gl.ACTIVE_TEXTURE, gl.TEXTURE0);
  const units = Array.from({ length: textureUnits }, (_, unit): TextureUnitState => {
    gl.activeTexture(gl.TEXTURE0 + unit);
    return {
      textures: tableOf(keysOf(TEXTURE_TARGETS), (target) => read(gl, gl[TEXTURE_TARGETS[target]], null)),
      sampler: read(gl, gl.SAMPLER_BINDING, null),
    };
  });
  gl.activeTexture(activeTexture);
  return {
    drawFramebuffer: read(gl, gl.DRAW_FRAMEBUFFER_BINDING, null),
    readFramebuffer: read(gl, gl.READ_FRAMEBUFFER_BINDING, null),
    renderbuffer: read(gl, gl.RENDERBUFFER_BINDING, null),
    program: read(gl, gl.CURRENT_PROGRAM, null),
    vertexArray: read(gl, gl.VERTEX_ARRAY_BINDING, null),
    buffers: tableOf(keysOf(BUFFER_TARGETS), (target) => read(gl, gl[BUFFER_TARGETS[target]], null)),
    activeTexture,
    textureUnits: units,
    viewport: readQuad(gl, gl.VIEWPORT, 0),
    scissorBox: readQuad(gl, gl.SCISSOR_BOX, 0),
    enabled: tableOf(ENABLE_CAPS, (cap) => gl.isEnabled(gl[cap])),
    colorMask: readQuad(gl, gl.COLOR_WRITEMASK, true),
    clearColor: readQuad(gl, gl.COLOR_CLEAR_VALUE, 0),
    pixelStore: tableOf(keysOf(PIXEL_STORE), (p) => read(gl, gl[p], neutralPixelStore(gl, PIXEL_STORE[p]))) as
      GlStateSnapshot['pixelStore'],
  };
}

/**
 * Puts back exactly what {@link saveGlState} read.
 *
 * @example
 * const saved = saveGlState(gl, 2);
 * gl.enable(gl.SCISSOR_TEST);
 * restoreGlState(gl, saved); // SCISSOR_TEST as the owner left it
 */
export function restoreGlState(gl: WebGL2RenderingContext, saved: GlStateSnapshot): void {
  saved.textureUnits.forEach((unit, i) => {
    gl.activeTexture(gl.TEXTURE0 + i);
    for (const target of keysOf(TEXTURE_TARGETS)) gl.bindTexture(gl[target], unit.textures[target]);
    gl.bindSampler(i, unit.sampler);
  });
  // After the units: binding a texture goes through the active unit.
  gl.activeTexture(saved.activeTexture);
  gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, saved.drawFramebuffer);
  gl.bindFramebuffer(gl.READ_FRAMEBUFFER, saved.readFramebuffer);
  gl.bindRenderbuffer(gl.RENDERBUFFER, saved.renderbuffer);
  gl.useProgram(saved.program);
  // Brings back the owner's ELEMENT_ARRAY_BUFFER and attribute arrays with it; ARRAY_BUFFER is context state and is
  // bound below whatever the VAO.
  gl.bindVertexArray(saved.vertexArray);
  for (const target of keysOf(BUFFER_TARGETS)) gl.bindBuffer(gl[target], saved.buffers[target]);
  gl.viewport(...saved.viewport);
  gl.scissor(...saved.scissorBox);
  for (const cap of ENABLE_CAPS) {
    if (saved.enabled[cap]) gl.enable(gl[cap]);
    else gl.disable(gl[cap]);
  }
  gl.colorMask(...saved.colorMask);
  gl.clearColor(...saved.clearColor);
  for (const p of keysOf(PIXEL_STORE)) gl.pixelStorei(gl[p], saved.pixelStore[p]);
}

/**
 * Sets what the backend's draws and reads assume, whatever the owner left: no scissor test, no face culling, no
 * blending, no depth or stencil test, no rasterizer discard, no dithering, no polygon offset, no sample coverage
 * (nor alpha to coverage), colour write mask all true, every pixel-store parameter at its WebGL2 default (pack and
 * unpack alignment 4, row lengths, skips and image height 0, flip-y and premultiply false, colorspace conversion
 * BROWSER_DEFAULT_WEBGL), no PIXEL_PACK or PIXEL_UNPACK buffer bound, no sampler object on units 0 to
 * `textureUnits - 1`, and texture unit 0 active.
 *
 * @example
 * const saved = saveGlState(gl, 4);
 * neutralGlState(gl, 4);
 * // ... draws, uploads and readbacks of the backend ...
 * restoreGlState(gl, saved);
 */
export function neutralGlState(gl: WebGL2RenderingContext, textureUnits = 0): void {
  for (const cap of ENABLE_CAPS) gl.disable(gl[cap]);
  gl.colorMask(true, true, true, true);
  for (const p of keysOf(PIXEL_STORE)) gl.pixelStorei(gl[p], neutralPixelStore(gl, PIXEL_STORE[p]));
  // A bound pack or unpack buffer turns readPixels and texImage with a typed array into INVALID_OPERATION.
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
  gl.bindBuffer(gl.PIXEL_UNPACK_BUFFER, null);
  // A sampler object overrides the NEAREST filtering of the textures on its unit; a LINEAR one leaves float32 and
  // integer textures incomplete, and an incomplete texture reads as (0, 0, 0, 1).
  for (let unit = 0; unit < textureUnits; unit++) gl.bindSampler(unit, null);
  // Code that binds a texture without choosing a unit then binds on unit 0, one of the units saved.
  gl.activeTexture(gl.TEXTURE0);
}

/**
 * Runs `work` between a {@link saveGlState} and a {@link restoreGlState}, with {@link neutralGlState} set, and
 * returns what `work` returns. The state is restored even when `work` throws, and the error propagates. `work` must
 * finish its GL calls before returning: the owner may run between the steps of an asynchronous one, after the state
 * is restored.
 *
 * @example
 * const pixels = withGlState(gl, 4, () => {
 *   gl.bindFramebuffer(gl.FRAMEBUFFER, ownFramebuffer);
 *   gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.FLOAT, out);
 *   return out;
 * });
 */
export function withGlState<T>(gl: WebGL2RenderingContext, textureUnits: number, work: () => T): T {
  const saved = saveGlState(gl, textureUnits);
  try {
    neutralGlState(gl, textureUnits);
    return work();
  } finally {
    restoreGlState(gl, saved);
  }
}
