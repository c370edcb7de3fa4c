// The storage ladder's choice (pure), which values each mode stores finite, and the float16 tolerance bound.
import { describe, expect, it } from 'vitest';
import { storageTolerance } from '../../src/checker';
import { chooseStorage, storesFinite } from '../../src/gl/storage';
import { convTranspose3dReference } from '../../src/reference';
import { randomTensor } from '../../src/support/seeded';

describe('chooseStorage', () => {
  const all = { float32: true, uint32: true, float16: true };
  it("'auto' prefers exact storage: float32, then uint32, then float16", () => {
    expect(chooseStorage('auto', all)).toBe('float32');
    expect(chooseStorage('auto', { ...all, float32: false })).toBe('uint32');
    expect(chooseStorage('auto', { float32: false, uint32: false, float16: true })).toBe('float16');
  });

  it('takes a supported request as it is, and refuses the rest saying what the device has', () => {
    expect(chooseStorage('float16', all)).toBe('float16');
    expect(() => chooseStorage('float32', { ...all, float32: false }, 'Mali-G52'))
      .toThrow("conv_transpose3d: storage 'float32' is not supported by Mali-G52 (it supports uint32, float16; " +
        'EXT_color_buffer_float is missing or RGBA32F is not renderable)');
    expect(() => chooseStorage('auto', { float32: false, uint32: false, float16: false }))
      .toThrow(/can render to none of the storage formats/);
  });
});

describe('storesFinite', () => {
  it('fails on NaN and ±Inf, and in float16 on what lies past 65504', () => {
    const big = new Float32Array([1, -2, 65504, -65504, 3e38]);
    expect(storesFinite(big, 'float32')).toBe(true);
    expect(storesFinite(big, 'uint32')).toBe(true);
    expect(storesFinite(big.subarray(0, 4), 'float16')).toBe(true);
    expect(storesFinite(new Float32Array([0, -65505]), 'float16')).toBe(false);
    for (const bad of [NaN, Infinity, -Infinity]) {
      expect(storesFinite(new Float32Array([0, 1, bad, 2]), 'float32'), String(bad)).toBe(false);
    }
    expect(storesFinite(new Float32Array(0), 'float16')).toBe(true);
  });
});

describe('storageTolerance', () => {
  it('is the default for exact storage', () => {
    const x = randomTensor([1, 2, 3, 3, 3], 1);
    const w = randomTensor([2, 2, 2, 2, 2], 2);
    expect(storageTolerance('float32', x, w)).toEqual({});
    expect(storageTolerance('uint32', x, w)).toEqual({});
  });

  it('for float16, covers a simulation of half storage (round to nearest and toward zero) and no more', () => {
    const x = randomTensor([1, 6, 4, 4, 4], 3);
    const w = randomTensor([6, 3, 3, 3, 3], 4);
    const b = randomTensor([3], 5);
    const options = { stride: 2, padding: 1, bias: b };
    const want = convTranspose3dReference(x, w, options);
    const extra = storageTolerance('float16', x, w, options).extra!;
    // Half precision keeps 11 significant bits: emulate its rounding on every stored value.
    const half = (v: number, toZero: boolean) => {
      if (v === 0) return 0;
      const e = Math.floor(Math.log2(Math.abs(v)));
      const q = 2 ** (e - 10);
      return (toZero ? Math.trunc(v / q) : Math.round(v / q)) * q;
    };
    for (const toZero of [false, true]) {
      const h = (t: typeof x) => ({ shape: t.shape, data: t.data.map((v) => half(v, toZero)) });
      const stored = convTranspose3dReference(h(x), h(w), { ...options, bias: h(b) });
      const got = stored.data.map((v) => half(v, toZero));
      let used = 0;
      got.forEach((g, i) => {
        const err = Math.abs(g - want.data[i]);
        expect(err).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(want.data[i]) + extra[i]);
        used = Math.max(used, err / (1e-4 + 1e-4 * Math.abs(want.data[i]) + extra[i]));
      });
      // The bound is not vacuous: the emulated errors use a fair share of it.
      expect(used).toBeGreaterThan(0.05);
    }
  });
});
