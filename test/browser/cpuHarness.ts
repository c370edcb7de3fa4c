// In-page parts of the CPU engine's browser suite (test/browser/cpu.spec.ts): its capabilities on this page, its
// rejected calls, bitwise equality across thread counts, and the resident API under load. Each returns plain JSON.
import {
  compareTensors, convTranspose3dReference, createBackend, describeReport, numel, type CpuBackend,
  type ConvTranspose3dOptions, type Tensor,
} from '../../src/index';
import { decodeTensor as decode, type Encoded } from '../../src/support/base64';
import { randomTensor } from '../../src/support/seeded';
import { randomCall, randomConfig } from '../support/randomCases';
import { backendFor } from './calls';
import { chainedCalls, MIXED_CALLS, mixedCalls, overlappingCalls } from '../support/residentWorkload';

interface CallArgs { input: Encoded; weight: Encoded; bias: Encoded | null; options: ConvTranspose3dOptions }

const bits = (t: Tensor) => Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length));

async function readOnce(b: CpuBackend, x: Tensor, w: Tensor, options: ConvTranspose3dOptions): Promise<Tensor> {
  const y = b.convTranspose3d(x, w, options);
  try {
    return await y.read();
  } finally {
    y.dispose();
  }
}

export const cpu = {
  /** The CPU engine's capabilities on this page, once its workers run, and what the page offers. */
  async cpuInfo(threads?: number) {
    const b = backendFor({ engine: 'cpu', threads }) as CpuBackend;
    await b.ready();
    return { capabilities: b.capabilities, crossOriginIsolated: globalThis.crossOriginIsolated === true,
      sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined', auto: createAutoEngine() };
  },

  /** A rejected call's message, checking that no work was queued for it. */
  cpuRejects(args: CallArgs): string {
    const b = backendFor({ engine: 'cpu' }) as CpuBackend;
    const before = b.stats();
    try {
      b.convTranspose3d(decode(args.input), decode(args.weight),
        { ...args.options, bias: args.bias ? decode(args.bias) : null });
    } catch (e) {
      const after = b.stats();
      if (after.calls !== before.calls || after.textures !== before.textures) throw new Error('work was queued');
      return (e as Error).message;
    }
    throw new Error('the call did not throw');
  },

  /**
   * Seeded random calls (and a few larger ones) on 1, 2 and 4 threads: the calls whose results differ in any bit,
   * and the thread counts the engines really ran.
   */
  async cpuThreads(firstSeed: number, count: number) {
    const engines = [1, 2, 4].map((threads) => backendFor({ engine: 'cpu', threads }) as CpuBackend);
    await Promise.all(engines.map((e) => e.ready()));
    const calls = [
      { x: randomTensor([2, 24, 6, 9, 13], 1), w: randomTensor([24, 20, 3, 3, 3], 2),
        options: { stride: 2, padding: 1, outputPadding: 1, bias: randomTensor([20], 3) } },
      ...Array.from({ length: count }, (_, i) => randomCall(randomConfig(firstSeed + i), firstSeed + i)),
    ];
    const differing: number[] = [];
    for (const [i, { x, w, options }] of calls.entries()) {
      const results: number[][] = [];
      for (const e of engines) results.push(bits(await readOnce(e, x, w, options)));
      if (results.some((r) => r.length !== results[0].length || r.some((v, j) => v !== results[0][j]))) {
        differing.push(i);
      }
    }
    return { calls: calls.length, differing, threads: engines.map((e) => e.capabilities.threads) };
  },

  /**
   * The resident API: a chain of two calls against the reference, use after dispose, 1,000 mixed calls and uploads
   * (memory back to its baseline after), and 50 overlapping calls each checked.
   */
  async cpuResident() {
    const e = createBackend({ engine: 'cpu' });
    try {
      const chain = await chainedCalls(e);
      chain.z.dispose();
      chain.rw1.dispose();
      const { baseline, after } = await mixedCalls(e);
      const concurrent = await overlappingCalls(e);
      return { chain: chain.report.ok ? 'ok' : describeReport(chain.report), chainCount: chain.report.count,
        afterDispose: chain.afterDispose,
        baseline, after, mixedCalls: MIXED_CALLS, concurrent: concurrent.count,
        concurrentFailures: concurrent.failures, elements: numel(chain.shape) };
    } finally {
      e.dispose();
    }
  },
};

/**
 * Engine 'auto' on this page: the engine it reports, the choice its first call of two shapes makes (and that the
 * results are right), and a second backend started with those choices, which times nothing (no draws when every
 * choice was the CPU engine; no CPU calls when every choice was WebGL).
 */
async function autoChoices() {
  const a = createBackend({ engine: 'auto' });
  const x = randomTensor([1, 16, 8, 8, 8], 51);
  const w = randomTensor([16, 8, 2, 2, 2], 52);
  const small = randomTensor([1, 4, 1, 1, 1], 53);
  const ws = randomTensor([4, 4, 1, 1, 1], 54);
  const reports = [];
  for (const [xi, wi, o] of [[x, w, { stride: 2 }], [small, ws, {}], [x, w, { stride: 2 }]] as const) {
    const got = await a.convTranspose3d(xi, wi, o).read();
    reports.push(compareTensors(got, convTranspose3dReference(xi, wi, o)).ok);
  }
  const caps = a.capabilities;
  const choices = caps.engine === 'auto' ? { ...caps.choices } : {};
  const statsA = a.stats();
  a.dispose();
  const timedA = caps.engine === 'auto' ? caps.timed : null;
  const b = createBackend({ engine: 'auto', choices });
  const again = compareTensors(await b.convTranspose3d(x, w, { stride: 2 }).read(),
    convTranspose3dReference(x, w, { stride: 2 })).ok;
  const bCaps = b.capabilities;
  b.dispose();
  return { engine: a.engine, choices, reports, again, timedA, callsA: statsA.calls,
    timedB: bCaps.engine === 'auto' ? bCaps.timed : null, choicesB: bCaps.engine === 'auto' ? bCaps.choices : null };
}

export const auto = { autoChoices };

/** The engine `createBackend({ engine: 'auto' })` picks on this page. */
function createAutoEngine(): string {
  const b = createBackend({ engine: 'auto' });
  const engine = b.engine;
  b.dispose();
  return engine;
}
