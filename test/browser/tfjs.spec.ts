// TensorFlow.js with this library registered, in each engine: graph models tfjs cannot run alone, a layers model on
// our kernel, tfjs ops interleaved with ours on one context, and our backend on tfjs's context.
import { GOLDEN_SOURCES } from '../support/golden';
import { expect, test } from './fixtures';

const peer = GOLDEN_SOURCES.find((s) => s.label === 'peer vectors')!;
/** TensorFlow.js's own cases among the peer vectors: unpadded, so TensorFlow's 'VALID'. */
const tfjsCases = (peer.set?.cases ?? []).filter((c) => /^tfjs/.test(c.name) &&
  c.padding.every((p) => p === 0) && c.dilation.every((d) => d === 1) && c.groups === 1);

interface Diff { maxAbs: number; maxRel: number; count: number; shapeMatches: boolean; ok: boolean }

test.describe('TensorFlow.js', () => {
  for (const backend of ['webgl', 'cpu'] as const) {
    test(`a graph model with Conv3DBackpropInputV2 nodes: unknown to tfjs alone, right once registered (${backend})`,
      async ({ engine }) => {
        const r = await engine.call<{ unknownOp: string; results: Array<{ name: string } & Diff>;
          stats: { calls: number } | null; leakedTensors: number }>('tfjs', 'graphModel', backend);
        expect(r.unknownOp).toMatch(/^Unknown op 'Conv3DBackpropInputV2'/);
        expect(r.results.length).toBe(7);
        for (const n of r.results) {
          expect(n.shapeMatches, n.name).toBe(true);
          expect(n.ok, n.name).toBe(true);
          expect(n.maxAbs, n.name).toBeLessThan(1e-5);
        }
        expect(r.stats?.calls ?? 0).toBe(backend === 'webgl' ? 7 : 0);
        expect(r.leakedTensors).toBe(0);
      });
  }

  test('a layers decoder predicts on our kernel as on tfjs-cpu, with no download inside predict', async ({
    engine,
  }) => {
    const r = await engine.call<Diff & { downloads: number; calls: number }>('tfjs', 'layersModel');
    expect(r.shapeMatches).toBe(true);
    expect(r.ok).toBe(true);
    expect(r.maxAbs).toBeLessThan(1e-5);
    expect(r.calls).toBe(3);
    expect(r.downloads).toBe(0);
  });

  test('tfjs ops before and after ours on one context: 50 mixed calls as on tfjs-cpu, nothing leaked', async ({
    engine,
  }) => {
    const r = await engine.call<{ maxAbs: number; rounds: number; calls: number; liveBytes: number;
      leakedTensors: number }>('tfjs', 'interleave', 50);
    expect(r.calls).toBe(50);
    expect(r.maxAbs).toBeLessThan(1e-4);
    expect(r.leakedTensors).toBe(0);
    expect(r.liveBytes).toBe(0);
  });

  test("our backend on tfjs's context leaves its GL state as it was and is right under tfjs's state", async ({
    engine,
  }) => {
    const r = await engine.call<Diff & { changed: string[]; scissorKept: boolean; cullKept: boolean }>('tfjs',
      'sharedContext');
    expect(r.changed).toEqual([]);
    expect(r.shapeMatches).toBe(true);
    expect(r.ok).toBe(true);
    expect(r.maxAbs).toBeLessThan(1e-5);
    expect([r.scissorKept, r.cullKept]).toEqual([true, true]);
  });
});

test('TensorFlow.js: gradients through conv3dTranspose on our kernel, and a tiny model learns', async ({ engine }) => {
  const r = await engine.call<{ inputVsConv3d: number; inputVsCpu: number; filterVsCpu: number; calls: number;
    lossBefore: number; lossAfter: number }>('tfjs', 'gradients');
  expect(r.calls).toBeGreaterThan(0);
  // Sums of 27–81 float32 products of values below 1, in different orders: a few ulps of values near 10.
  expect(r.inputVsConv3d).toBeLessThan(1e-4);
  expect(r.inputVsCpu).toBeLessThan(1e-4);
  expect(r.filterVsCpu).toBeLessThan(1e-4);
  expect(r.lossAfter).toBeLessThan(r.lossBefore / 10);
});

test("TensorFlow.js: its own test vectors among the peer vectors run through the tfjs entry, in NDHWC", async ({
  engine,
}) => {
  test.skip(!peer.set, peer.absent);
  expect(tfjsCases.length).toBeGreaterThanOrEqual(2);
  const results = await engine.call<Array<{ name: string } & Diff>>('tfjs', 'peerCases', tfjsCases);
  expect(results.map((r) => r.name)).toEqual(tfjsCases.map((c) => c.name));
  for (const r of results) {
    expect(r.shapeMatches, r.name).toBe(true);
    expect(r.ok, r.name).toBe(true);
    expect(r.maxAbs, r.name).toBeLessThan(1e-5);
  }
});

test('TensorFlow.js: unregister() puts back its kernel, its missing gradient and its unknown op', async ({
  engine,
}) => {
  const r = await engine.call<{ replaced: boolean; gradientDuring: boolean; kernelRestored: boolean;
    gradientRestored: boolean; unknownOp: string; sum: number; stats: unknown }>('tfjs', 'unregisterRestores');
  expect([r.replaced, r.gradientDuring, r.kernelRestored, r.gradientRestored]).toEqual([true, true, true, true]);
  expect(r.unknownOp).toMatch(/^Unknown op 'Conv3DBackpropInputV2'/);
  // Ones through a kernel of 2 at stride 2: one tap lands on each of the 4³ voxels of 4 channels, summing 3 inputs.
  expect(r.sum).toBe(4 ** 3 * 4 * 3);
  expect(r.stats).toBeNull();
});

test('TensorFlow.js: model.fit through a conv3dTranspose layer on our kernel reduces the loss', async ({
  engine,
}) => {
  const r = await engine.call<{ first: number; last: number; calls: number }>('tfjs', 'layersFit');
  expect(r.calls).toBeGreaterThan(60);
  expect(r.last).toBeLessThan(r.first / 10);
});
