// The CPU engine in Node (worker_threads on a shared memory): every golden set and the peer vectors, every rejected
// call, 300 seeded random configurations, bitwise the same results on 1, 2 and 4 threads, and the resident API
// (chaining, dispose, leaks, overlapping calls) as the WebGL engine has it.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConvTranspose3dError, compareTensors, convTranspose3d, convTranspose3dReference, configure, createBackend,
  defaultBackend, describeReport, numel, storageTolerance, type CpuBackend, type Tensor,
} from '../../src/index';
import { randomTensor } from '../../src/support/seeded';
import { decode, GOLDEN_SOURCES, optionsOf } from '../support/golden';
import { randomCall, randomConfig } from '../support/randomCases';
import { chainedCalls, MIXED_CALLS, mixedCalls, overlappingCalls } from '../support/residentWorkload';
import { EXTREME_CASES } from '../support/extremeCases';

const RANDOM_CONFIGS = 300;
const engines = new Map<number, CpuBackend>();

/** The engine with `threads` workers, made once for the file. */
function cpu(threads = 2): CpuBackend {
  let e = engines.get(threads);
  if (!e) {
    e = createBackend({ engine: 'cpu', threads });
    engines.set(threads, e);
  }
  return e;
}

afterAll(() => {
  for (const e of engines.values()) e.dispose();
  configure();
});

const bits = (t: Tensor) => new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);

async function run(e: CpuBackend, x: Tensor, w: Tensor, options: Parameters<CpuBackend['convTranspose3d']>[2],
  residentWeight = false): Promise<Tensor> {
  const rw = residentWeight ? e.upload(w) : null;
  const y = e.convTranspose3d(x, rw ?? w, options);
  try {
    return await y.read();
  } finally {
    y.dispose();
    rw?.dispose();
  }
}

describe('the CPU engine', () => {
  it('runs on worker threads with a shared memory, and says which instruction set', async () => {
    const e = cpu();
    await e.ready();
    expect(e.engine).toBe('cpu');
    expect(e.capabilities).toMatchObject({ engine: 'cpu', threads: 2, sharedMemory: true });
    // Node 20 validates relaxed SIMD only behind a flag; later versions have it.
    expect(['simd', 'relaxed-simd']).toContain(e.capabilities.instructionSet);
  });

  for (const { label, set, absent, rules } of GOLDEN_SOURCES) {
    describe.skipIf(!set)(`against PyTorch (${label}${set ? '' : `: ${absent}`})`, () => {
      it('every case, with the weight from the CPU and resident', async () => {
        for (const c of set?.cases ?? []) {
          const x = decode(c.input);
          const w = decode(c.weight);
          const before = [x.data.slice(), w.data.slice()];
          const options = { ...optionsOf(c), bias: c.bias ? decode(c.bias) : null };
          for (const resident of [false, true]) {
            const got = await run(cpu(), x, w, options, resident);
            const report = compareTensors(got, decode(c.output));
            expect(got.shape, c.name).toEqual(c.output.shape);
            expect(report.ok, `${c.name}: ${describeReport(report)}`).toBe(true);
            expect(report.count).toBe(numel(c.output.shape));
          }
          expect(x.data, c.name).toEqual(before[0]);
          expect(w.data, c.name).toEqual(before[1]);
        }
      });
      if (rules) {
        it('every rejected call throws naming the argument, before any work', () => {
          const e = cpu();
          const calls = e.stats().calls;
          for (const r of set?.errors ?? []) {
            const zeros = (shape: number[]): Tensor => ({ shape, data: new Float32Array(numel(shape)) });
            let message = '';
            try {
              e.convTranspose3d(zeros(r.input_shape), zeros(r.weight_shape),
                { ...optionsOf(r), bias: r.bias_shape ? zeros(r.bias_shape) : null });
            } catch (err) {
              expect(err, r.name).toBeInstanceOf(ConvTranspose3dError);
              message = (err as Error).message;
            }
            expect(message, r.name).toMatch(/^conv_transpose3d: /);
            if (r.argument) expect(message, r.name).toContain(r.argument);
          }
          expect(e.stats().calls).toBe(calls);
        });
      }
    });
  }

  it(`matches the CPU reference on ${RANDOM_CONFIGS} seeded random configurations`, async () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= RANDOM_CONFIGS; seed++) {
      const config = randomConfig(seed);
      const { x, w, options } = randomCall(config, seed);
      const got = await run(cpu(), x, w, options, seed % 2 === 0);
      const report = compareTensors(got, convTranspose3dReference(x, w, options),
        storageTolerance('float32', x, w, options));
      if (!report.ok) failures.push(`seed ${seed} ${JSON.stringify(config)}: ${describeReport(report)}`);
    }
    expect(failures).toEqual([]);
  });

  it('gives bitwise the same results on 1, 2 and 4 threads', async () => {
    const calls = [
      { x: randomTensor([2, 24, 6, 9, 13], 1), w: randomTensor([24, 20, 3, 3, 3], 2),
        options: { stride: 2, padding: 1, outputPadding: 1, bias: randomTensor([20], 3) } },
      { x: randomTensor([1, 16, 5, 7, 19], 4), w: randomTensor([16, 4, 2, 3, 4], 5),
        options: { stride: [1, 2, 3] as [number, number, number], groups: 2, dilation: 2 } },
      ...Array.from({ length: 20 }, (_, i) => randomCall(randomConfig(1000 + i), 1000 + i)),
    ];
    for (const [i, { x, w, options }] of calls.entries()) {
      const results = [];
      for (const threads of [1, 2, 4]) results.push(await run(cpu(threads), x, w, options));
      expect(bits(results[1]), `call ${i}, 2 threads`).toEqual(bits(results[0]));
      expect(bits(results[2]), `call ${i}, 4 threads`).toEqual(bits(results[0]));
    }
  });

  it('chains resident tensors, reads them, and throws on a disposed or foreign one', async () => {
    const { report, shape, wantShape, afterDispose, readAfterDispose, z, rw1 } = await chainedCalls(cpu());
    expect(report.ok, describeReport(report)).toBe(true);
    expect(shape).toEqual(wantShape);
    expect(afterDispose).toMatch(/disposed tensor of shape \[1, 6, 7, 9, 11\]/);
    expect(readAfterDispose).toMatch(/^ConvTranspose3dError: conv_transpose3d: read\(\) on a disposed tensor of shape \[1, 6, 7, 9, 11\]/);
    const other = cpu(1);
    expect(() => other.convTranspose3d(z, rw1)).toThrowError(/input is a tensor of another backend/);
    z.dispose();
    rw1.dispose();
  });

  it('comes back to its baseline memory after 1,000 mixed calls', async () => {
    const { baseline, after } = await mixedCalls(cpu());
    expect(after.bytes).toBe(baseline.bytes);
    expect(after.blocks).toBe(baseline.blocks);
    expect(after.calls - baseline.calls).toBe(MIXED_CALLS);
  });

  it('runs 50 overlapping calls, each right', async () => {
    expect(await overlappingCalls(cpu())).toEqual({ count: 50, failures: [] });
  });

  it('refuses a call past maxBytes before any work, naming the sizes', () => {
    const e = createBackend({ engine: 'cpu', threads: 1, maxBytes: 2 ** 20 });
    try {
      expect(() => e.convTranspose3d(randomTensor([1, 8, 16, 16, 16], 1), randomTensor([8, 8, 3, 3, 3], 2),
        { stride: 2 })).toThrowError(/needs 1\.\d MiB of memory; .* exceeds maxBytes = 1\.0 MiB/);
      expect(e.stats()).toMatchObject({ calls: 0, textures: 0, textureBytes: 0 });
    } finally {
      e.dispose();
    }
  });
});

describe('the one-shot API in Node', () => {
  it('runs on the CPU engine, picked by engine "auto"', async () => {
    const x = randomTensor([1, 3, 4, 4, 4], 41);
    const w = randomTensor([3, 2, 3, 3, 3], 42);
    const report = compareTensors(await convTranspose3d(x, w, { stride: 2 }),
      convTranspose3dReference(x, w, { stride: 2 }));
    expect(report.ok, describeReport(report)).toBe(true);
    expect(defaultBackend().engine).toBe('cpu');
    expect(createBackend({ engine: 'auto' }).engine).toBe('cpu');
  });
});

describe('without WebAssembly SIMD', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    configure();
  });

  it("the CPU engine rejects 'unsupported' on ready() and every read, and the one-shot API uses the reference",
    async () => {
      vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const e = createBackend({ engine: 'cpu', threads: 1 });
      const x = randomTensor([1, 2, 3, 3, 3], 61);
      const w = randomTensor([2, 3, 2, 2, 2], 62);
      await expect(e.ready()).rejects.toMatchObject({ code: 'unsupported',
        message: 'conv_transpose3d: the CPU engine cannot run here: this runtime has no WebAssembly SIMD' });
      const y = e.convTranspose3d(x, w, { stride: 2 });
      const z = e.convTranspose3d(y, e.upload(randomTensor([3, 2, 2, 2, 2], 63)));
      await expect(y.read()).rejects.toMatchObject({ code: 'unsupported' });
      await expect(z.read()).rejects.toMatchObject({ code: 'unsupported' });
      e.dispose();
      configure({ engine: 'cpu', threads: 1 });
      expect(await convTranspose3d(x, w, { stride: 2 })).toEqual(convTranspose3dReference(x, w, { stride: 2 }));
      expect(warn).toHaveBeenCalledWith('conv_transpose3d: computing with the CPU reference: the CPU engine cannot ' +
        'run here: this runtime has no WebAssembly SIMD');
      configure({ cpuFallback: false });
      await expect(convTranspose3d(x, w)).rejects.toMatchObject({ code: 'unsupported' });
    });
});

describe('extreme calls on the CPU engine', () => {
  // Each case either matches the CPU reference, or is refused with a message: the case's own (the argument rules, or
  // the WebGL engine's limits), or the CPU engine's 32-bit indexing ('too-large'); never computed wrong. A case the
  // WebGL engine refuses for its tables may be computed here.
  for (const c of EXTREME_CASES) {
    it(c.name, { timeout: 20_000 }, async () => {
      const e = cpu();
      const built = c.build();
      let y: Tensor;
      try {
        y = await run(e, built.input, built.weight, built.options);
      } catch (err) {
        expect(err).toBeInstanceOf(ConvTranspose3dError);
        const message = (err as Error).message;
        const cpuLimit = /^conv_transpose3d: the CPU engine indexes in 32-bit integers, and along/.test(message);
        if (!cpuLimit) expect(message).toMatch(new RegExp('refused' in c.want ? c.want.refused : '^$'));
        return;
      }
      const plain = c.plain?.() ?? c.build();
      const want = convTranspose3dReference(plain.input, plain.weight, plain.options);
      expect(y.shape).toEqual(want.shape);
      const report = compareTensors(y, want);
      expect(report.ok, describeReport(report)).toBe(true);
    });
  }
});
