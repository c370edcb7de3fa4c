// The CPU reference against every PyTorch golden case, of every golden set present.
import { describe, expect, it } from 'vitest';
import { compareTensors, convTranspose3dReference, describeReport, numel } from '../../src/index';
import { decode, GOLDEN_SOURCES, optionsOf } from '../support/golden';

for (const { label, set, absent } of GOLDEN_SOURCES) {
  describe.skipIf(!set)(`CPU reference vs PyTorch (${label}${set ? '' : `: ${absent}`})`, () => {
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
        expect(report.count).toBe(numel(c.output.shape));
        expect(input.data).toEqual(before[0]);
        expect(weight.data).toEqual(before[1]);
      });
    }
  });
}
