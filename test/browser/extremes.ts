// Runs in the browser under test: the extreme and hostile calls of test/support/extremeCases.ts on the GPU, and a
// fast-check property over extreme parameters, each against the CPU reference.
import fc from 'fast-check';
import {
  compareTensors, convTranspose3dReference, describeReport, type Backend, type Tensor,
} from '../../src/index';
import { randomTensor } from '../../src/support/seeded';
import { EXTREME_CALL, EXTREME_CASES, valuesOf } from '../support/extremeCases';
import { backendFor, runOn } from './calls';

/** What one case gave: whether it is right, and what was seen. */
export interface ExtremeOutcome { ok: boolean; detail: string }


function same(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((x, i) => x.length === b[i].length &&
    x.every((v, j) => Object.is(v, b[i][j])));
}

export const extremes = {
  /** The names of the extreme cases, in order. */
  extremeNames(): string[] {
    return EXTREME_CASES.map((c) => c.name);
  },

  /**
   * One extreme case on a backend, its weight from the CPU and uploaded (for arguments that change as they are read:
   * through the one-shot call instead): the right numbers and shape, or a refusal with the expected message before
   * any GPU work; the arguments unmodified.
   */
  async extreme(name: string): Promise<ExtremeOutcome> {
    const c = EXTREME_CASES.find((e) => e.name === name)!;
    const backend = backendFor(c.backend);
    // Arguments that change as they are read go through the one-shot call too; the others with an uploaded weight.
    const paths: Array<{ on: Backend | null; upload: boolean }> = c.hostile
      ? [{ on: backend, upload: false }, { on: null, upload: false }]
      : [{ on: backend, upload: false }, { on: backend, upload: true }];
    const details: string[] = [];
    for (const path of paths) {
      const built = c.build();
      const before = c.hostile ? null : valuesOf(built);
      // An uploaded weight is packed by the GPU's own packing pass.
      const weight = path.upload ? backend.upload(built.weight) : null;
      const stats = backend.stats();
      let got: Tensor;
      try {
        got = await runOn(path.on, built.input, weight ?? built.weight, built.options);
      } catch (e) {
        const message = (e as Error).message;
        if (!('refused' in c.want)) return { ok: false, detail: `threw: ${message}` };
        const after = backend.stats();
        if (after.draws !== stats.draws || after.textures !== stats.textures) {
          return { ok: false, detail: `GPU work before the refusal: ${message}` };
        }
        if (!new RegExp(c.want.refused).test(message)) return { ok: false, detail: `wrong refusal: ${message}` };
        details.push(`refused: ${message}`);
        continue;
      } finally {
        weight?.dispose();
      }
      if ('refused' in c.want) return { ok: false, detail: `not refused: gave shape [${got.shape.join(', ')}]` };
      const plain = c.plain?.() ?? c.build();
      const want = 'values' in c.want ? { shape: c.want.shape, data: Float32Array.from(c.want.values) }
        : convTranspose3dReference(plain.input, plain.weight, plain.options);
      const report = compareTensors(got, want);
      if (!report.ok) return { ok: false, detail: describeReport(report) };
      if (before && !same(valuesOf(built), before)) return { ok: false, detail: 'the call modified its arguments' };
      details.push(`${describeReport(report)}, shape [${got.shape.join(', ')}]`);
    }
    return { ok: true, detail: details.join('; ') };
  },

  /**
   * Random calls with parameters up to 2^31 and small outputs ({@link EXTREME_CALL}) on the GPU against the CPU
   * reference: right, or refused by the gather's range checks; never NaN, never a wrong number.
   */
  async extremeProperty(seed: number, runs: number): Promise<{ computed: number; refused: number;
    failures: string[] }> {
    const backend = backendFor();
    let [computed, refused] = [0, 0];
    const failures: string[] = [];
    await fc.assert(fc.asyncProperty(EXTREME_CALL, async (call) => {
      fc.pre(call.outSize.every((n) => n >= 1 && n <= 16));
      const x = randomTensor(call.input, seed + computed);
      const w = randomTensor(call.weight, seed + 1000 + computed);
      const before = [x.data.slice(), w.data.slice()];
      let got: Tensor;
      try {
        got = await runOn(backend, x, w, call.options);
      } catch (e) {
        const message = (e as Error).message;
        if (!/^conv_transpose3d: stride\[\d\] = \d+, padding\[\d\] = \d+ and dilation/.test(message)) {
          failures.push(`${JSON.stringify(call)}: ${message}`);
        }
        refused++;
        return;
      }
      computed++;
      const report = compareTensors(got, convTranspose3dReference(x, w, call.options));
      if (!report.ok) failures.push(`${JSON.stringify(call)}: ${describeReport(report)}`);
      if (!same([x.data, w.data], before)) failures.push(`${JSON.stringify(call)}: arguments modified`);
    }), { numRuns: runs, seed });
    return { computed, refused, failures };
  },
};
