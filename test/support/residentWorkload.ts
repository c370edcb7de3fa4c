// Workloads of the resident API, the same in Node and in the browsers (pure: a backend in, plain results out).
import {
  compareTensors, convTranspose3dReference, describeReport, type Backend, type CheckReport, type CpuBackend,
  type ResidentTensor,
} from '../../src/index';
import { randomTensor } from '../../src/support/seeded';

/**
 * Two calls chained on resident tensors, the second's result compared with the reference's chain; then the first's
 * result disposed and used again, in a call (`afterDispose`, the message it throws) and a read (`readAfterDispose`,
 * the name and message of the error it rejects with). Returns the second result and the resident first weight, for the caller to use and
 * dispose.
 */
export async function chainedCalls(e: Backend): Promise<{ report: CheckReport; shape: number[]; wantShape: number[];
  afterDispose: string; readAfterDispose: string; z: ResidentTensor; rw1: ResidentTensor }> {
  const x = randomTensor([1, 8, 4, 5, 6], 11);
  const w1 = randomTensor([8, 6, 3, 3, 3], 12);
  const w2 = randomTensor([6, 3, 2, 2, 2], 13);
  const rw1 = e.upload(w1);
  const y = e.convTranspose3d(x, rw1, { stride: 2, padding: 1 });
  const z = e.convTranspose3d(y, e.upload(w2), { stride: 2 });
  const want = convTranspose3dReference(convTranspose3dReference(x, w1, { stride: 2, padding: 1 }), w2,
    { stride: 2 });
  const report = compareTensors(await z.read(), want);
  y.dispose();
  let afterDispose = '';
  try {
    e.convTranspose3d(y, rw1);
  } catch (err) {
    afterDispose = (err as Error).message;
  }
  const readAfterDispose = await y.read().then(() => '', (err: Error) => `${err.name}: ${err.message}`);
  return { report, shape: z.shape, wantShape: want.shape, afterDispose, readAfterDispose, z, rw1 };
}

/** Calls of {@link mixedCalls}: 1,000 convolutions, and one more on an uploaded input every 7th. */
export const MIXED_CALLS = 1000 + 143;

/**
 * 1,000 mixed calls with dispose: inputs of several shapes, a resident weight and CPU ones, biases, some results
 * read, some inputs uploaded and used once. Returns the memory counters before and after (every step settled).
 */
export async function mixedCalls(e: CpuBackend): Promise<{ baseline: { bytes: number; blocks: number; calls: number };
  after: { bytes: number; blocks: number; calls: number } }> {
  const counters = () => {
    const s = e.stats();
    return { bytes: s.textureBytes, blocks: s.textures, calls: s.calls };
  };
  await e.settled();
  const baseline = counters();
  const w = e.upload(randomTensor([4, 3, 3, 3, 3], 21));
  for (let i = 0; i < 1000; i++) {
    const x = randomTensor([1, 4, 1 + (i % 4), 3, 2 + (i % 3)], i);
    const y = e.convTranspose3d(x, i % 3 === 0 ? w : randomTensor([4, 3, 3, 3, 3], 21),
      { stride: 1 + (i % 2), bias: i % 5 === 0 ? randomTensor([3], 1) : null });
    if (i % 100 === 0) await y.read();
    if (i % 7 === 0) {
      const u = e.upload(x);
      e.convTranspose3d(u, w).dispose();
      u.dispose();
    }
    y.dispose();
  }
  w.dispose();
  await e.settled();
  return { baseline, after: counters() };
}

/** 50 calls made before any is read, then read all at once: the reports of those that differ from the reference. */
export async function overlappingCalls(e: Backend): Promise<{ count: number; failures: string[] }> {
  const w = randomTensor([5, 4, 3, 3, 3], 31);
  const inputs = Array.from({ length: 50 }, (_, i) => randomTensor([1, 5, 2 + (i % 3), 3, 4], 100 + i));
  const pending = inputs.map((x, i) => e.convTranspose3d(x, w, { stride: 1 + (i % 3) }));
  const results = await Promise.all(pending.map((y) => y.read()));
  for (const y of pending) y.dispose();
  const failures = results.map((got, i) => ({ i, report: compareTensors(got,
    convTranspose3dReference(inputs[i], w, { stride: 1 + (i % 3) })) }))
    .filter(({ report }) => !report.ok).map(({ i, report }) => `call ${i}: ${describeReport(report)}`);
  return { count: results.length, failures };
}
