// Saving and restoring GL state around the backend's work, against a fake WebGL2 context that keeps the state the
// way a real one does: per texture unit, per VAO for the element array buffer, both framebuffer bindings at once for
// FRAMEBUFFER, and typed arrays out of getParameter.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neutralGlState, restoreGlState, saveGlState, withGlState } from '../../src/gl/glState';

// The GLenum values of the WebGL 1 and 2 specs.
const GL = {
  NONE: 0,
  TEXTURE0: 0x84c0, ACTIVE_TEXTURE: 0x84e0,
  FRAMEBUFFER: 0x8d40, DRAW_FRAMEBUFFER: 0x8ca9, READ_FRAMEBUFFER: 0x8ca8,
  DRAW_FRAMEBUFFER_BINDING: 0x8ca6, READ_FRAMEBUFFER_BINDING: 0x8caa,
  RENDERBUFFER: 0x8d41, RENDERBUFFER_BINDING: 0x8ca7,
  CURRENT_PROGRAM: 0x8b8d, VERTEX_ARRAY_BINDING: 0x85b5,
  ARRAY_BUFFER: 0x8892, ARRAY_BUFFER_BINDING: 0x8894,
  ELEMENT_ARRAY_BUFFER: 0x8893, ELEMENT_ARRAY_BUFFER_BINDING: 0x8895,
  COPY_READ_BUFFER: 0x8f36, COPY_READ_BUFFER_BINDING: 0x8f36,
  COPY_WRITE_BUFFER: 0x8f37, COPY_WRITE_BUFFER_BINDING: 0x8f37,
  UNIFORM_BUFFER: 0x8a11, UNIFORM_BUFFER_BINDING: 0x8a28,
  PIXEL_PACK_BUFFER: 0x88eb, PIXEL_PACK_BUFFER_BINDING: 0x88ed,
  PIXEL_UNPACK_BUFFER: 0x88ec, PIXEL_UNPACK_BUFFER_BINDING: 0x88ef,
  TEXTURE_2D: 0x0de1, TEXTURE_BINDING_2D: 0x8069,
  TEXTURE_2D_ARRAY: 0x8c1a, TEXTURE_BINDING_2D_ARRAY: 0x8c1d,
  TEXTURE_3D: 0x806f, TEXTURE_BINDING_3D: 0x806a,
  TEXTURE_CUBE_MAP: 0x8513, TEXTURE_BINDING_CUBE_MAP: 0x8514,
  SAMPLER_BINDING: 0x8919,
  VIEWPORT: 0x0ba2, SCISSOR_BOX: 0x0c10, COLOR_WRITEMASK: 0x0c23, COLOR_CLEAR_VALUE: 0x0c22,
  SCISSOR_TEST: 0x0c11, CULL_FACE: 0x0b44, BLEND: 0x0be2, DEPTH_TEST: 0x0b71, STENCIL_TEST: 0x0b90, DITHER: 0x0bd0,
  POLYGON_OFFSET_FILL: 0x8037, SAMPLE_ALPHA_TO_COVERAGE: 0x809e, SAMPLE_COVERAGE: 0x80a0,
  RASTERIZER_DISCARD: 0x8c89,
  PACK_ALIGNMENT: 0x0d05, PACK_ROW_LENGTH: 0x0d02, PACK_SKIP_PIXELS: 0x0d04, PACK_SKIP_ROWS: 0x0d03,
  UNPACK_ALIGNMENT: 0x0cf5, UNPACK_ROW_LENGTH: 0x0cf2, UNPACK_IMAGE_HEIGHT: 0x806e, UNPACK_SKIP_PIXELS: 0x0cf4,
  UNPACK_SKIP_ROWS: 0x0cf3, UNPACK_SKIP_IMAGES: 0x806d,
  UNPACK_FLIP_Y_WEBGL: 0x9240, UNPACK_PREMULTIPLY_ALPHA_WEBGL: 0x9241, UNPACK_COLORSPACE_CONVERSION_WEBGL: 0x9243,
  BROWSER_DEFAULT_WEBGL: 0x9244,
} as const;
type GlName = keyof typeof GL;

/** Texture units of the fake (WebGL2 guarantees 32; more than the tests use is enough). */
const UNITS = 16;
const CAPS = [
  'SCISSOR_TEST', 'CULL_FACE', 'BLEND', 'DEPTH_TEST', 'STENCIL_TEST', 'DITHER', 'POLYGON_OFFSET_FILL',
  'SAMPLE_ALPHA_TO_COVERAGE', 'SAMPLE_COVERAGE', 'RASTERIZER_DISCARD',
] as const satisfies readonly GlName[];
const TEXTURE_TARGETS = {
  TEXTURE_2D: 'TEXTURE_BINDING_2D', TEXTURE_2D_ARRAY: 'TEXTURE_BINDING_2D_ARRAY',
  TEXTURE_3D: 'TEXTURE_BINDING_3D', TEXTURE_CUBE_MAP: 'TEXTURE_BINDING_CUBE_MAP',
} as const satisfies Partial<Record<GlName, GlName>>;
/** Buffer targets of the context; ELEMENT_ARRAY_BUFFER is the bound VAO's. */
const BUFFER_TARGETS = {
  ARRAY_BUFFER: 'ARRAY_BUFFER_BINDING', COPY_READ_BUFFER: 'COPY_READ_BUFFER_BINDING',
  COPY_WRITE_BUFFER: 'COPY_WRITE_BUFFER_BINDING', UNIFORM_BUFFER: 'UNIFORM_BUFFER_BINDING',
  PIXEL_PACK_BUFFER: 'PIXEL_PACK_BUFFER_BINDING', PIXEL_UNPACK_BUFFER: 'PIXEL_UNPACK_BUFFER_BINDING',
} as const satisfies Partial<Record<GlName, GlName>>;
type TextureTargetName = keyof typeof TEXTURE_TARGETS;
type BufferTargetName = keyof typeof BUFFER_TARGETS;
const INT_STORE = [
  'PACK_ROW_LENGTH', 'PACK_SKIP_PIXELS', 'PACK_SKIP_ROWS', 'UNPACK_ROW_LENGTH', 'UNPACK_IMAGE_HEIGHT',
  'UNPACK_SKIP_PIXELS', 'UNPACK_SKIP_ROWS', 'UNPACK_SKIP_IMAGES',
] as const satisfies readonly GlName[];
const ALIGNMENT_STORE = ['PACK_ALIGNMENT', 'UNPACK_ALIGNMENT'] as const satisfies readonly GlName[];
const BOOLEAN_STORE = ['UNPACK_FLIP_Y_WEBGL', 'UNPACK_PREMULTIPLY_ALPHA_WEBGL'] as const satisfies readonly GlName[];
const PIXEL_STORE = [...ALIGNMENT_STORE, ...INT_STORE, ...BOOLEAN_STORE, 'UNPACK_COLORSPACE_CONVERSION_WEBGL'] as const;
type PixelStoreName = (typeof PIXEL_STORE)[number];
/** Context-wide state read with getParameter, by name. */
const GLOBALS = [
  'ACTIVE_TEXTURE', 'DRAW_FRAMEBUFFER_BINDING', 'READ_FRAMEBUFFER_BINDING', 'RENDERBUFFER_BINDING',
  'CURRENT_PROGRAM', 'VERTEX_ARRAY_BINDING', ...Object.values(BUFFER_TARGETS), 'VIEWPORT', 'SCISSOR_BOX',
  'COLOR_WRITEMASK', 'COLOR_CLEAR_VALUE', ...PIXEL_STORE,
] as const satisfies readonly GlName[];
const UNIT_STATE = [...Object.values(TEXTURE_TARGETS), 'SAMPLER_BINDING'] as const;

/** A WebGL object of the fake: told apart by its id, so that toEqual compares identities. */
interface GlObject { kind: string; id: number }
let lastId = 0;
const glObject = (kind: string): GlObject => ({ kind, id: ++lastId });

function fail(what: string): never {
  throw new Error(`fake WebGL2: ${what}`);
}

/**
 * The state a WebGL2 context keeps for the calls the module makes, with a real context's defaults and its refusals
 * (an unknown enum throws instead of setting a GL error, so a wrong call fails the test where it is made).
 */
class FakeGl {
  /** When set, queries answer null and calls do nothing, as on a lost context. */
  lost = false;
  /** Names of the methods called, in order. */
  readonly calls: string[] = [];
  private readonly globals = new Map<number, unknown>();
  private readonly units = Array.from({ length: UNITS },
    () => new Map<number, unknown>(UNIT_STATE.map((n) => [GL[n], null])));
  private readonly enabled = new Map<number, boolean>(CAPS.map((cap) => [GL[cap], cap === 'DITHER']));
  private readonly elementBuffers = new Map<unknown, unknown>([[null, null]]);

  constructor() {
    Object.assign(this, GL);
    for (const name of GLOBALS) this.globals.set(GL[name], null);
    this.set('ACTIVE_TEXTURE', GL.TEXTURE0);
    this.set('VIEWPORT', new Int32Array([0, 0, 300, 150]));
    this.set('SCISSOR_BOX', new Int32Array([0, 0, 300, 150]));
    this.set('COLOR_WRITEMASK', [true, true, true, true]);
    this.set('COLOR_CLEAR_VALUE', new Float32Array(4));
    for (const p of ALIGNMENT_STORE) this.set(p, 4);
    for (const p of INT_STORE) this.set(p, 0);
    for (const p of BOOLEAN_STORE) this.set(p, false);
    this.set('UNPACK_COLORSPACE_CONVERSION_WEBGL', GL.BROWSER_DEFAULT_WEBGL);
  }

  /** The whole state, flat and named, with plain arrays: what the tests compare. */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of GLOBALS) {
      const v = this.globals.get(GL[name]);
      out[name] = ArrayBuffer.isView(v) || Array.isArray(v) ? Array.from(v as ArrayLike<unknown>) : v;
    }
    for (const cap of CAPS) out[`${cap} enabled`] = this.enabled.get(GL[cap]);
    this.units.forEach((unit, i) => {
      for (const name of UNIT_STATE) out[`unit ${i} ${name}`] = unit.get(GL[name]);
    });
    for (const [vao, buffer] of this.elementBuffers) {
      out[`ELEMENT_ARRAY_BUFFER_BINDING of VAO ${(vao as GlObject | null)?.id ?? 'default'}`] = buffer;
    }
    return out;
  }

  private set(name: GlName, value: unknown): void {
    this.globals.set(GL[name], value);
  }

  private call(name: string): boolean {
    this.calls.push(name);
    return !this.lost;
  }

  private activeUnit(): Map<number, unknown> {
    return this.units[(this.globals.get(GL.ACTIVE_TEXTURE) as number) - GL.TEXTURE0]!;
  }

  getParameter(pname: number): unknown {
    if (!this.call('getParameter')) return null;
    if (pname === GL.ELEMENT_ARRAY_BUFFER_BINDING) {
      return this.elementBuffers.get(this.globals.get(GL.VERTEX_ARRAY_BINDING));
    }
    const unit = this.activeUnit();
    if (unit.has(pname)) return unit.get(pname);
    if (!this.globals.has(pname)) fail(`getParameter of unknown 0x${pname.toString(16)}`);
    const v = this.globals.get(pname);
    if (v instanceof Int32Array) return new Int32Array(v);
    if (v instanceof Float32Array) return new Float32Array(v);
    return Array.isArray(v) ? [...v] : v;
  }

  isEnabled(cap: number): boolean {
    if (!this.call('isEnabled')) return false;
    return this.enabled.get(cap) ?? fail(`isEnabled of unknown 0x${cap.toString(16)}`);
  }

  enable(cap: number): void {
    this.setEnabled('enable', cap, true);
  }

  disable(cap: number): void {
    this.setEnabled('disable', cap, false);
  }

  private setEnabled(method: string, cap: number, on: boolean): void {
    if (!this.enabled.has(cap)) fail(`${method} of unknown 0x${cap.toString(16)}`);
    if (this.call(method)) this.enabled.set(cap, on);
  }

  bindFramebuffer(target: number, fb: unknown): void {
    if (!this.call('bindFramebuffer')) return;
    if (target !== GL.FRAMEBUFFER && target !== GL.DRAW_FRAMEBUFFER && target !== GL.READ_FRAMEBUFFER) {
      fail(`bindFramebuffer to 0x${target.toString(16)}`);
    }
    if (target !== GL.READ_FRAMEBUFFER) this.set('DRAW_FRAMEBUFFER_BINDING', fb);
    if (target !== GL.DRAW_FRAMEBUFFER) this.set('READ_FRAMEBUFFER_BINDING', fb);
  }

  bindRenderbuffer(target: number, rb: unknown): void {
    if (target !== GL.RENDERBUFFER) fail(`bindRenderbuffer to 0x${target.toString(16)}`);
    if (this.call('bindRenderbuffer')) this.set('RENDERBUFFER_BINDING', rb);
  }

  useProgram(program: unknown): void {
    if (this.call('useProgram')) this.set('CURRENT_PROGRAM', program);
  }

  bindVertexArray(vao: unknown): void {
    if (!this.call('bindVertexArray')) return;
    this.set('VERTEX_ARRAY_BINDING', vao);
    if (!this.elementBuffers.has(vao)) this.elementBuffers.set(vao, null);
  }

  bindBuffer(target: number, buffer: unknown): void {
    if (!this.call('bindBuffer')) return;
    if (target === GL.ELEMENT_ARRAY_BUFFER) {
      this.elementBuffers.set(this.globals.get(GL.VERTEX_ARRAY_BINDING), buffer);
      return;
    }
    const name = (Object.keys(BUFFER_TARGETS) as BufferTargetName[]).find((t) => GL[t] === target);
    if (!name) fail(`bindBuffer to 0x${target.toString(16)}`);
    this.set(BUFFER_TARGETS[name], buffer);
  }

  activeTexture(texture: number): void {
    if (!Number.isInteger(texture) || texture < GL.TEXTURE0 || texture >= GL.TEXTURE0 + UNITS) {
      fail(`activeTexture(0x${texture.toString(16)})`);
    }
    if (this.call('activeTexture')) this.set('ACTIVE_TEXTURE', texture);
  }

  bindTexture(target: number, texture: unknown): void {
    const name = (Object.keys(TEXTURE_TARGETS) as TextureTargetName[]).find((t) => GL[t] === target);
    if (!name) fail(`bindTexture to 0x${target.toString(16)}`);
    if (this.call('bindTexture')) this.activeUnit().set(GL[TEXTURE_TARGETS[name]], texture);
  }

  bindSampler(unit: number, sampler: unknown): void {
    if (!Number.isInteger(unit) || unit < 0 || unit >= UNITS) fail(`bindSampler on unit ${unit}`);
    if (this.call('bindSampler')) this.units[unit]!.set(GL.SAMPLER_BINDING, sampler);
  }

  viewport(x: number, y: number, width: number, height: number): void {
    if (width < 0 || height < 0) fail('negative viewport');
    if (this.call('viewport')) this.set('VIEWPORT', new Int32Array([x, y, width, height]));
  }

  scissor(x: number, y: number, width: number, height: number): void {
    if (width < 0 || height < 0) fail('negative scissor box');
    if (this.call('scissor')) this.set('SCISSOR_BOX', new Int32Array([x, y, width, height]));
  }

  colorMask(r: boolean, g: boolean, b: boolean, a: boolean): void {
    if (this.call('colorMask')) this.set('COLOR_WRITEMASK', [r, g, b, a]);
  }

  clearColor(r: number, g: number, b: number, a: number): void {
    if (this.call('clearColor')) this.set('COLOR_CLEAR_VALUE', new Float32Array([r, g, b, a]));
  }

  pixelStorei(pname: number, param: number | boolean): void {
    const name = PIXEL_STORE.find((p) => GL[p] === pname) ?? fail(`pixelStorei of unknown 0x${pname.toString(16)}`);
    let value: number | boolean = Number(param);
    if ((BOOLEAN_STORE as readonly string[]).includes(name)) value = Boolean(param);
    else if ((ALIGNMENT_STORE as readonly string[]).includes(name) && ![1, 2, 4, 8].includes(value)) {
      fail(`${name} ${value}`);
    } else if (name === 'UNPACK_COLORSPACE_CONVERSION_WEBGL') {
      if (value !== GL.NONE && value !== GL.BROWSER_DEFAULT_WEBGL) fail(`${name} 0x${value.toString(16)}`);
    } else if (value < 0 || !Number.isInteger(value)) fail(`${name} ${value}`);
    if (this.call('pixelStorei')) this.set(name, value);
  }
}

/** A whole context state, set through the API by {@link applyState}. */
interface GlStateSpec {
  drawFramebuffer: GlObject | null;
  readFramebuffer: GlObject | null;
  renderbuffer: GlObject | null;
  program: GlObject | null;
  vertexArray: GlObject | null;
  /** Bound after the VAO, so it becomes that VAO's. */
  elementBuffer: GlObject | null;
  buffers: Record<BufferTargetName, GlObject | null>;
  /** Bindings of units 0, 1, …; the units past the end are left as they are. */
  units: { textures: Record<TextureTargetName, GlObject | null>; sampler: GlObject | null }[];
  activeUnit: number;
  viewport: [number, number, number, number];
  scissorBox: [number, number, number, number];
  enabled: Record<(typeof CAPS)[number], boolean>;
  colorMask: [boolean, boolean, boolean, boolean];
  clearColor: [number, number, number, number];
  pixelStore: Record<PixelStoreName, number | boolean>;
}

function applyState(fake: FakeGl, s: GlStateSpec): void {
  if (s.drawFramebuffer === s.readFramebuffer) fake.bindFramebuffer(GL.FRAMEBUFFER, s.drawFramebuffer);
  else {
    fake.bindFramebuffer(GL.DRAW_FRAMEBUFFER, s.drawFramebuffer);
    fake.bindFramebuffer(GL.READ_FRAMEBUFFER, s.readFramebuffer);
  }
  fake.bindRenderbuffer(GL.RENDERBUFFER, s.renderbuffer);
  fake.useProgram(s.program);
  fake.bindVertexArray(s.vertexArray);
  fake.bindBuffer(GL.ELEMENT_ARRAY_BUFFER, s.elementBuffer);
  for (const [target, buffer] of Object.entries(s.buffers)) fake.bindBuffer(GL[target as BufferTargetName], buffer);
  s.units.forEach((unit, i) => {
    fake.activeTexture(GL.TEXTURE0 + i);
    for (const [target, texture] of Object.entries(unit.textures)) {
      fake.bindTexture(GL[target as TextureTargetName], texture);
    }
    fake.bindSampler(i, unit.sampler);
  });
  fake.activeTexture(GL.TEXTURE0 + s.activeUnit);
  fake.viewport(...s.viewport);
  fake.scissor(...s.scissorBox);
  for (const cap of CAPS) {
    if (s.enabled[cap]) fake.enable(GL[cap]);
    else fake.disable(GL[cap]);
  }
  fake.colorMask(...s.colorMask);
  fake.clearColor(...s.clearColor);
  for (const p of PIXEL_STORE) fake.pixelStorei(GL[p], s.pixelStore[p]);
}

const asGl = (fake: FakeGl) => fake as unknown as WebGL2RenderingContext;
const tableOf = <K extends string, V>(keys: readonly K[], value: (key: K) => V) =>
  Object.fromEntries(keys.map((k) => [k, value(k)])) as Record<K, V>;
const textureTargets = Object.keys(TEXTURE_TARGETS) as TextureTargetName[];
const bufferTargets = Object.keys(BUFFER_TARGETS) as BufferTargetName[];

/** Every unit with textures on every target and a sampler. */
const boundUnits = (count: number) => Array.from({ length: count }, () => ({
  textures: tableOf(textureTargets, (t) => glObject(t)), sampler: glObject('sampler'),
}));

/**
 * An owner that leaves everything away from the neutral state: scissor and culling on as TensorFlow.js leaves them
 * (and every other capability), a PIXEL_PACK buffer bound, unit 2 active, textures and samplers on units 0 to 5,
 * different draw and read framebuffers, odd pixel-store values.
 */
function ownerState(): GlStateSpec {
  return {
    drawFramebuffer: glObject('framebuffer'), readFramebuffer: glObject('framebuffer'),
    renderbuffer: glObject('renderbuffer'), program: glObject('program'), vertexArray: glObject('vao'),
    elementBuffer: glObject('buffer'), buffers: tableOf(bufferTargets, (t) => glObject(t)),
    units: boundUnits(6), activeUnit: 2,
    viewport: [5, 7, 640, 480], scissorBox: [1, 2, 30, 40],
    enabled: tableOf(CAPS, () => true),
    colorMask: [true, false, true, false], clearColor: [0.25, 0.5, 0.75, 1],
    pixelStore: {
      PACK_ALIGNMENT: 1, UNPACK_ALIGNMENT: 8, PACK_ROW_LENGTH: 17, PACK_SKIP_PIXELS: 3, PACK_SKIP_ROWS: 5,
      UNPACK_ROW_LENGTH: 19, UNPACK_IMAGE_HEIGHT: 23, UNPACK_SKIP_PIXELS: 2, UNPACK_SKIP_ROWS: 4, UNPACK_SKIP_IMAGES: 6,
      UNPACK_FLIP_Y_WEBGL: true, UNPACK_PREMULTIPLY_ALPHA_WEBGL: true, UNPACK_COLORSPACE_CONVERSION_WEBGL: GL.NONE,
    },
  };
}

/** Work on units 0 to `units - 1` that changes every piece of state it may, each to another value than the owner's. */
function workState(units: number): GlStateSpec {
  const fb = glObject('framebuffer');
  return {
    drawFramebuffer: fb, readFramebuffer: fb, renderbuffer: glObject('renderbuffer'), program: glObject('program'),
    vertexArray: glObject('vao'), elementBuffer: glObject('buffer'),
    buffers: tableOf(bufferTargets, (t) => glObject(t)),
    units: boundUnits(units), activeUnit: 1,
    viewport: [0, 0, 64, 32], scissorBox: [0, 8, 64, 8],
    enabled: tableOf(CAPS, () => false),
    colorMask: [false, true, false, true], clearColor: [0, 0.125, 0, 0.5],
    pixelStore: {
      PACK_ALIGNMENT: 2, UNPACK_ALIGNMENT: 1, PACK_ROW_LENGTH: 1, PACK_SKIP_PIXELS: 1, PACK_SKIP_ROWS: 1,
      UNPACK_ROW_LENGTH: 1, UNPACK_IMAGE_HEIGHT: 1, UNPACK_SKIP_PIXELS: 1, UNPACK_SKIP_ROWS: 1, UNPACK_SKIP_IMAGES: 1,
      UNPACK_FLIP_Y_WEBGL: false, UNPACK_PREMULTIPLY_ALPHA_WEBGL: false,
      UNPACK_COLORSPACE_CONVERSION_WEBGL: GL.BROWSER_DEFAULT_WEBGL,
    },
  };
}

function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(before).filter((key) => !isDeepStrictEqual(before[key], after[key]));
}

function expectSameState(after: Record<string, unknown>, before: Record<string, unknown>): void {
  for (const key of Object.keys(before)) expect(after[key], key).toEqual(before[key]);
}

function ownedContext(): { fake: FakeGl; gl: WebGL2RenderingContext; before: Record<string, unknown> } {
  const fake = new FakeGl();
  applyState(fake, ownerState());
  return { fake, gl: asGl(fake), before: fake.snapshot() };
}

describe('saveGlState and restoreGlState', () => {
  it('saving only reads, and leaves the active unit as it was', () => {
    const { fake, gl, before } = ownedContext();
    fake.calls.length = 0;
    saveGlState(gl, 4);
    expect(fake.snapshot()).toEqual(before);
    expect(new Set(fake.calls)).toEqual(new Set(['getParameter', 'isEnabled', 'activeTexture']));
  });

  it('puts back every piece of state after work that changed each of them', () => {
    const { fake, gl, before } = ownedContext();
    const saved = saveGlState(gl, 4);
    applyState(fake, workState(4));
    // Everything the module covers changed; only the units past 3 and the owner's VAO did not.
    const changed = changedKeys(before, fake.snapshot());
    const unchanged = Object.keys(before).filter((key) => !changed.includes(key));
    expect(unchanged.every((key) => /^unit ([4-9]|1\d) /.test(key) || key.startsWith('ELEMENT_ARRAY_BUFFER_BINDING')),
      unchanged.join(', ')).toBe(true);

    restoreGlState(gl, saved);
    expectSameState(fake.snapshot(), before);
  });

  it('restores both framebuffers after a bind to FRAMEBUFFER, and the owner VAO with its element buffer', () => {
    const { fake, gl, before } = ownedContext();
    const saved = saveGlState(gl, 0);
    fake.bindFramebuffer(GL.FRAMEBUFFER, glObject('framebuffer'));
    fake.bindVertexArray(glObject('vao'));
    fake.bindBuffer(GL.ELEMENT_ARRAY_BUFFER, glObject('buffer'));
    restoreGlState(gl, saved);
    expectSameState(fake.snapshot(), before);
  });
});

describe('withGlState', () => {
  const neutral: Record<string, unknown> = {
    ...Object.fromEntries(CAPS.map((cap) => [`${cap} enabled`, false])),
    COLOR_WRITEMASK: [true, true, true, true],
    PACK_ALIGNMENT: 4, UNPACK_ALIGNMENT: 4,
    ...Object.fromEntries(INT_STORE.map((p) => [p, 0])),
    UNPACK_FLIP_Y_WEBGL: false, UNPACK_PREMULTIPLY_ALPHA_WEBGL: false,
    UNPACK_COLORSPACE_CONVERSION_WEBGL: GL.BROWSER_DEFAULT_WEBGL,
    PIXEL_PACK_BUFFER_BINDING: null, PIXEL_UNPACK_BUFFER_BINDING: null,
    ACTIVE_TEXTURE: GL.TEXTURE0,
    ...Object.fromEntries([0, 1, 2, 3].map((u) => [`unit ${u} SAMPLER_BINDING`, null])),
  };

  it('runs the work in the neutral state, changing nothing else, and restores after', () => {
    const { fake, gl, before } = ownedContext();
    const result = withGlState(gl, 4, () => {
      const inside = fake.snapshot();
      for (const [key, value] of Object.entries(neutral)) expect(inside[key], key).toEqual(value);
      expect(changedKeys(before, inside).sort()).toEqual(Object.keys(neutral).sort());
      applyState(fake, workState(4));
      return 42;
    });
    expect(result).toBe(42);
    expectSameState(fake.snapshot(), before);
  });

  it('restores when the work throws, and lets the error through', () => {
    const { fake, gl, before } = ownedContext();
    const error = new Error('work failed');
    let caught: unknown;
    try {
      withGlState(gl, 4, () => {
        applyState(fake, workState(4));
        throw error;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(error);
    expectSameState(fake.snapshot(), before);
  });

  it('neutralGlState alone touches samplers only on the units asked for', () => {
    const { fake, gl, before } = ownedContext();
    neutralGlState(gl);
    const changed = changedKeys(before, fake.snapshot());
    expect(changed.filter((key) => key.includes('SAMPLER_BINDING'))).toEqual([]);
    expect(changed).toContain('SCISSOR_TEST enabled');
  });

  it('on a lost context, runs the work without failing on the null answers', () => {
    const { fake, gl } = ownedContext();
    fake.lost = true;
    expect(withGlState(gl, 4, () => 'ran')).toBe('ran');
  });
});

describe('random states', () => {
  const pool = (kind: string) => fc.constantFrom(null, glObject(kind), glObject(kind), glObject(kind));
  const [framebuffer, renderbuffer, program, vao, buffer, texture, sampler] =
    ['framebuffer', 'renderbuffer', 'program', 'vao', 'buffer', 'texture', 'sampler'].map(pool) as
      fc.Arbitrary<GlObject | null>[];
  const record = <K extends string, V>(keys: readonly K[], value: (key: K) => fc.Arbitrary<V>) =>
    fc.record(tableOf(keys, value)) as fc.Arbitrary<Record<K, V>>;
  const quad = <T>(a: fc.Arbitrary<T>) => fc.tuple(a, a, a, a);
  const box = fc.tuple(fc.integer({ min: -64, max: 4096 }), fc.integer({ min: -64, max: 4096 }),
    fc.nat(4096), fc.nat(4096));
  const state: fc.Arbitrary<GlStateSpec> = fc.record({
    drawFramebuffer: framebuffer!, readFramebuffer: framebuffer!, renderbuffer: renderbuffer!, program: program!,
    vertexArray: vao!, elementBuffer: buffer!, buffers: record(bufferTargets, () => buffer!),
    units: fc.array(fc.record({ textures: record(textureTargets, () => texture!), sampler: sampler! }),
      { minLength: UNITS, maxLength: UNITS }),
    activeUnit: fc.nat(UNITS - 1),
    viewport: box, scissorBox: box,
    enabled: record(CAPS, () => fc.boolean()),
    colorMask: quad(fc.boolean()),
    clearColor: quad(fc.float({ min: 0, max: 1, noNaN: true })),
    pixelStore: record(PIXEL_STORE, (p): fc.Arbitrary<number | boolean> => {
      if ((ALIGNMENT_STORE as readonly string[]).includes(p)) return fc.constantFrom(1, 2, 4, 8);
      if ((BOOLEAN_STORE as readonly string[]).includes(p)) return fc.boolean();
      if (p === 'UNPACK_COLORSPACE_CONVERSION_WEBGL') return fc.constantFrom(GL.NONE, GL.BROWSER_DEFAULT_WEBGL);
      return fc.nat(64);
    }),
  });

  it('whatever the owner left and whatever the work does on its units, the owner gets its state back', () => {
    fc.assert(fc.property(state, state, fc.nat(8), fc.constantFrom('with', 'with-throw', 'save-restore'),
      (owner, work, units, how) => {
        const fake = new FakeGl();
        applyState(fake, owner);
        const before = fake.snapshot();
        const gl = asGl(fake);
        // The work's element buffer goes into a VAO of its own, as the module's contract asks.
        const doWork = () =>
          applyState(fake, { ...work, units: work.units.slice(0, units), vertexArray: glObject('vao') });
        if (how === 'save-restore') {
          const saved = saveGlState(gl, units);
          doWork();
          restoreGlState(gl, saved);
        } else if (how === 'with') {
          expect(withGlState(gl, units, () => {
            doWork();
            return units;
          })).toBe(units);
        } else {
          expect(() => withGlState(gl, units, () => {
            doWork();
            throw new Error('work failed');
          })).toThrow('work failed');
        }
        expect(changedKeys(before, fake.snapshot())).toEqual([]);
      }), { numRuns: 300 });
  });
});
