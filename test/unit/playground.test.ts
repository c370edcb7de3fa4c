// The playground's pure parts: state and URL, argument errors mapped to controls, contents, the coverage map,
// .npy files and the layout read-out.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveShapes } from '../../src/args';
import { planLayout } from '../../src/layout';
import { convTranspose3dReference } from '../../src/reference';
import { numel } from '../../src/tensor';
import { axisCoverage, coverageMap } from '../../src/coverage';
import { channelVolume, fillContent } from '../../playground/contents';
import { describeTexel } from '../../playground/layoutView';
import { parseNpy, toNpy } from '../../playground/npyFile';
import {
  DEFAULT_STATE, PRESETS, checkState, decodeState, encodeState, fieldOfError, inputShape, presetState,
} from '../../playground/state';

const fixture = (name: string) => {
  const b = readFileSync(new URL(`../fixtures/npy/${name}.npy`, import.meta.url));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};

describe('playground state', () => {
  it('every preset is a valid call', () => {
    for (const p of PRESETS) {
      const checked = checkState(presetState(p.name));
      expect(checked.ok, `${p.name}: ${checked.ok ? '' : checked.message}`).toBe(true);
    }
  });

  it('round-trips through the URL', () => {
    const s = presetState('video');
    s.unbatched = true;
    s.bias = true;
    s.textureCap = 64;
    s.storage = 'float16';
    s.view = { n: 0, outChannel: 5, inChannel: 2, depth: 0.25 };
    expect(decodeState(encodeState(s))).toEqual(s);
    for (const p of PRESETS) expect(decodeState(encodeState(presetState(p.name)))).toEqual(presetState(p.name));
  });

  it('keeps the fallback for missing or malformed fields, and never restores .npy contents', () => {
    const s = decodeState('x=1,2,3&s=2,2&g=abc&xc=npy&wc=bogus', DEFAULT_STATE);
    expect(s.input).toEqual(DEFAULT_STATE.input);
    expect(s.stride).toEqual(DEFAULT_STATE.stride);
    expect(s.groups).toBe(DEFAULT_STATE.groups);
    expect(s.inputContent).toBe('random');
    expect(s.weightContent).toBe(DEFAULT_STATE.weightContent);
  });

  it('maps each library error to the control that causes it', () => {
    const cases: Array<[Partial<typeof DEFAULT_STATE>, string]> = [
      [{ groups: 3 }, 'groups'], [{ groups: 0 }, 'groups'], [{ stride: [0, 1, 1] }, 'stride'],
      [{ padding: [-1, 0, 0] }, 'padding'], [{ dilation: [1, 1.5, 1] }, 'dilation'],
      [{ outputPadding: [2, 0, 0] }, 'outputPadding'], [{ weight: [5, 4, 3, 3, 3] }, 'input'],
      [{ padding: [9, 0, 0] }, 'output'], [{ input: [1, 4, 0, 6, 6] }, 'input'], [{ input: [1, NaN, 6, 6, 6] }, 'input'],
      [{ stride: [NaN, 1, 1] }, 'stride'],
    ];
    for (const [change, field] of cases) {
      const checked = checkState({ ...DEFAULT_STATE, ...change });
      expect(checked.ok, JSON.stringify(change)).toBe(false);
      if (!checked.ok) {
        expect(checked.field, checked.message).toBe(field);
        expect(checked.message).toMatch(/^conv_transpose3d: /);
      }
    }
    expect(fieldOfError('conv_transpose3d: weight must be 5-D')).toBe('weight');
    expect(fieldOfError('conv_transpose3d: bias must be 1-D')).toBe('bias');
  });

  it('drops the batch axis when unbatched', () => {
    expect(inputShape({ ...DEFAULT_STATE, unbatched: true })).toEqual(DEFAULT_STATE.input.slice(1));
    const checked = checkState({ ...DEFAULT_STATE, unbatched: true });
    expect(checked.ok && checked.spec.outShape).toEqual([4, 13, 13, 13]);
  });
});

describe('playground contents', () => {
  it('places the impulse at [c, d, h, w] of the first item', () => {
    const t = fillContent('impulse', [2, 3, 4, 5, 6], 0, [2, 1, 3, 4]);
    expect(t.reduce((a, b) => a + b, 0)).toBe(1);
    expect(t[((2 * 4 + 1) * 5 + 3) * 6 + 4]).toBe(1);
    expect(fillContent('impulse', [1, 2, 2, 2, 2], 0, [5, 0, 0, 0]).every((v) => v === 0)).toBe(true);
  });

  it('fills ones, a checkerboard and a sphere in every channel; random is seeded', () => {
    expect(fillContent('ones', [2, 3, 4], 0).every((v) => v === 1)).toBe(true);
    const cb = fillContent('checkerboard', [1, 2, 2, 2, 2], 0);
    expect(Array.from(cb.subarray(0, 8))).toEqual([1, -1, -1, 1, -1, 1, 1, -1]);
    expect(Array.from(cb.subarray(8))).toEqual(Array.from(cb.subarray(0, 8)));
    const sphere = fillContent('sphere', [1, 1, 8, 8, 8], 0);
    expect(sphere[(4 * 8 + 4) * 8 + 4]).toBe(1);
    expect(sphere[0]).toBe(0);
    expect(fillContent('random', [50], 3)).toEqual(fillContent('random', [50], 3));
    expect(fillContent('random', [50], 3)).not.toEqual(fillContent('random', [50], 4));
  });

  it('takes one channel of one item as a view', () => {
    const data = Float32Array.from({ length: 2 * 3 * 8 }, (_, i) => i);
    expect(Array.from(channelVolume(data, [2, 3, 2, 2, 2], 1, 2))).toEqual([40, 41, 42, 43, 44, 45, 46, 47]);
  });
});

describe('coverage map', () => {
  it('counts taps per axis', () => {
    // in 3, kernel 3, stride 2: outputs 0..6 get 1,1,2,1,2,1,1 taps.
    expect(Array.from(axisCoverage(3, 3, 2, 0, 1, 7))).toEqual([1, 1, 2, 1, 2, 1, 1]);
    expect(Array.from(axisCoverage(3, 4, 2, 1, 1, 6))).toEqual([1, 2, 2, 2, 2, 1]);
  });

  it('equals the CPU reference of all-ones tensors divided by the input channels per group', () => {
    for (const options of [
      { stride: 2 }, { stride: [1, 2, 3] as [number, number, number], padding: 1, dilation: [2, 1, 1] as
        [number, number, number], outputPadding: [1, 0, 2] as [number, number, number] }, { stride: 3, groups: 2 },
    ]) {
      const xShape = [1, 4, 3, 4, 2];
      const wShape = [4, 2, 3, 2, 4];
      const ones = (shape: number[]) => ({ shape, data: new Float32Array(numel(shape)).fill(1) });
      const y = convTranspose3dReference(ones(xShape), ones(wShape), options);
      const spec = resolveShapes(xShape, wShape, null, options);
      const cov = coverageMap(spec);
      for (let c = 0; c < spec.outChannels; c++) {
        expect(Array.from(channelVolume(y.data, y.shape, 0, c))).toEqual(Array.from(cov, (v) => v * spec.inPerGroup));
      }
    }
  });
});

describe('.npy files', () => {
  it('reads NumPy-written files and writes byte-identical ones', () => {
    for (const name of ['input', 'weight', 'output']) {
      const bytes = fixture(name);
      const t = parseNpy(bytes, name);
      expect(Array.from(toNpy(t))).toEqual(Array.from(new Uint8Array(bytes)));
    }
    expect(parseNpy(fixture('output'), 'output').shape).toEqual([1, 2, 6, 8, 13]);
  });

  it('writes 1-D shapes as NumPy does and reads its own output back', () => {
    const t = { shape: [3], data: Float32Array.of(1, -2, 0.5) };
    const bytes = toNpy(t);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + bytes[8]))).toContain("'shape': (3,), }");
    expect((10 + bytes[8]) % 64).toBe(0);
    expect(parseNpy(bytes.slice().buffer, 'x')).toEqual(t);
  });

  it('refuses other dtypes, byte orders, Fortran order and garbage, naming the tensor', () => {
    const header = (descr: string, fortran = 'False') => {
      const h = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': (2,), }`.padEnd(117) + '\n';
      const b = new Uint8Array(128 + 16);
      b.set([0x93, 78, 85, 77, 80, 89, 1, 0, h.length, 0]);
      b.set(new TextEncoder().encode(h), 10);
      return b.buffer;
    };
    expect(() => parseNpy(header('<f8'), 'weight')).toThrow(/weight: .*dtype f8/);
    expect(() => parseNpy(header('>f4'), 'input')).toThrow(/input: .*big-endian/);
    expect(() => parseNpy(header('<f4', 'True'), 'input')).toThrow(/Fortran/);
    expect(() => parseNpy(new Uint8Array([1, 2, 3]).buffer, 'input')).toThrow(/input: not a readable \.npy/);
  });
});

describe('layout read-out', () => {
  it('says which channels of which voxel a texel holds', () => {
    const shape = [2, 6, 3, 4, 5];
    const layout = planLayout(2 * 2 * 3 * 4, 5, { maxTextureSize: 4, maxLayers: 64 });
    // Row 1·12 + 2·4 + 3 = item 0, channel block 1, depth 2, height 3; column 4 is cut into segment 1, x 0.
    const row = 12 + 8 + 3;
    const line = row * layout.segmentsPerRow + 1;
    expect(describeTexel(layout, shape, 0, line % layout.height, Math.floor(line / layout.height)))
      .toBe('channels 4–5 of voxel (d 2, h 3, w 4) of item 0');
    expect(describeTexel(layout, shape, 3, 1, 0)).toBeNull();
  });
});
