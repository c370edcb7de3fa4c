// The CPU reference against every PyTorch golden case, both sets.
import { describe, expect, it } from 'vitest';
import { compareTensors, convTranspose3dReference, describeReport } from '../../src/index';
import { decode, loadGolden, optionsOf, OWN_GOLDEN_PATH, SHARED_GOLDEN_PATH } from '../support/golden';

const sets = [
  { label: 'own fixtures', set: loadGolden(OWN_GOLDEN_PATH) },
  { label: 'shared golden', set: loadGolden(SHARED_GOLDEN_PATH) },
];

for (const { label, set } of sets) {
  describe.skipIf(!set)(`CPU reference vs PyTorch (${label}${set ? '' : `: ${SHARED_GOLDEN_PATH} not found`})`, () => {
    for (const c of set?.cases ?? []) {
      it(c.name, () => {
        const input = decode(c.input);
        const weight = decode(c.weight);
        const bias = c.bias ? decode(c.bias) : null;
        const before = [input.data.slice(), weight.data.slice()];
        const got = convTranspose3dReference(input, weight, { ...optionsOf(c), bias });
        const report = compareTensors(got, decode(c.output));
        expect(got.shape).toEqual(c.output.shape);
        expect(report.ok, describeReport(report)).toBe(true);
        expect(report.count).toBe(c.output.shape.reduce((a, b) => a * b, 1));
        expect(input.data).toEqual(before[0]);
        expect(weight.data).toEqual(before[1]);
      });
    }
  });
}

describe('CPU reference properties', () => {
  it('is bitwise deterministic', () => {
    const x = { shape: [1, 3, 4, 4, 4], data: Float32Array.from({ length: 192 }, (_, i) => Math.sin(i)) };
    const w = { shape: [3, 2, 3, 3, 3], data: Float32Array.from({ length: 162 }, (_, i) => Math.cos(i)) };
    const a = convTranspose3dReference(x, w, { stride: 2, padding: 1 });
    const b = convTranspose3dReference(x, w, { stride: 2, padding: 1 });
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
  });
});
