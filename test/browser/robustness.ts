// In-page parts of the robustness suite (test/browser/robustness.spec.ts): storage modes, sizes past the texture
// limits, lost contexts, leaks, hostile and concurrent use, no WebGL2. Each returns plain JSON for Node to assert.
import fc from 'fast-check';
import { resolveShapes } from '../../src/args';
import {
  compareTensors, configure, convTranspose3d, convTranspose3dReference, coverageMap, createBackend, defaultBackend,
  describeReport, storageTolerance, type BackendOptions, type ConvTranspose3dOptions, type GpuTensor,
  type StorageMode, type Tensor, type WebglBackend,
} from '../../src/index';
import { numel } from '../../src/tensor';
import { randomTensor, rng } from '../../src/support/seeded';
import { randomCall, randomConfig, type RandomConfig } from '../support/randomCases';
import { HARNESS_CONFIG, resetConfig } from './calls';

const ones = (shape: number[]): Tensor => ({ shape, data: new Float32Array(numel(shape)).fill(1) });

async function readAndDispose(t: GpuTensor): Promise<Tensor> {
  try {
    return await t.read();
  } finally {
    t.dispose();
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Waits for an event on `target`, or rejects after `ms`. */
function nextEvent(target: EventTarget, type: string, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${ms} ms`)), ms);
    target.addEventListener(type, () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

export const robustness = {
  /** What the device supports, and what 'auto' picks. */
  storageInfo(): { support: Record<StorageMode, boolean>; auto: StorageMode } {
    const b = createBackend();
    const r = { support: b.capabilities.storageSupport, auto: b.capabilities.storage };
    b.dispose();
    return r;
  },

  /** The error createBackend throws for a storage mode the device lacks (null when it was created). */
  storageRefusal(storage: StorageMode): string | null {
    try {
      createBackend({ storage }).dispose();
      return null;
    } catch (e) {
      return message(e);
    }
  },

  /** Same random calls with uint32 and float32 storage: are the outputs bit-identical? */
  async storageBitsAgree(firstSeed: number, count: number): Promise<{ compared: number; differing: number[] }> {
    const a = createBackend({ storage: 'float32' });
    const b = createBackend({ storage: 'uint32' });
    const differing: number[] = [];
    let compared = 0;
    for (let seed = firstSeed; seed < firstSeed + count; seed++) {
      const { x, w, options } = randomCall(randomConfig(seed), seed);
      const ya = new Uint32Array((await readAndDispose(a.convTranspose3d(x, w, options))).data.buffer);
      const yb = new Uint32Array((await readAndDispose(b.convTranspose3d(x, w, options))).data.buffer);
      compared += ya.length;
      if (ya.length !== yb.length || ya.some((v, i) => v !== yb[i])) differing.push(seed);
    }
    a.dispose();
    b.dispose();
    return { compared, differing };
  },

  /**
   * All-ones input and weight, bias `biasValue`: every output must be exactly taps × Cin/groups + bias, the
   * coverage map's count (see src/coverage.ts). Returns how many outputs were checked, the first wrong one, and the
   * texture size the backend planned with (the cap asked for).
   */
  async onesExact(inputShape: number[], weightShape: number[], options: Omit<ConvTranspose3dOptions, 'bias'>,
    biasValue: number, backendOptions: BackendOptions): Promise<{ checked: number; wrong: number;
      first: string | null; maxTextureSize: number; outShape: number[] }> {
    const backend = createBackend(backendOptions);
    const spec = resolveShapes(inputShape, weightShape, [weightShape[1] * (options.groups ?? 1)], options);
    const bias = ones([spec.outChannels]);
    bias.data.fill(biasValue);
    const gx = backend.upload(ones(inputShape));
    const gw = backend.upload(ones(weightShape));
    const y = await readAndDispose(backend.convTranspose3d(gx, gw, { ...options, bias }));
    gx.dispose();
    gw.dispose();
    const cov = coverageMap(spec);
    let wrong = 0;
    let first: string | null = null;
    for (let i = 0; i < y.data.length; i++) {
      const want = cov[i % cov.length] * spec.inPerGroup + biasValue;
      if (y.data[i] !== want) {
        wrong++;
        first ??= `index ${i}: got ${y.data[i]}, want ${want}`;
      }
    }
    const { maxTextureSize } = (backend as WebglBackend).capabilities;
    backend.dispose();
    return { checked: y.data.length, wrong, first, outShape: y.shape, maxTextureSize };
  },

  /** An output wider than the device's own MAX_TEXTURE_SIZE, checked against the CPU reference. */
  async beyondDeviceLimit(): Promise<{ width: number; deviceMax: number; report: string; ok: boolean }> {
    const backend = createBackend();
    const deviceMax = backend.capabilities.deviceMaxTextureSize;
    const inW = Math.floor(deviceMax / 2) + 3;
    const x = randomTensor([1, 3, 1, 2, inW], 41);
    const w = randomTensor([3, 2, 1, 2, 2], 42);
    const options = { stride: [1, 1, 2] as [number, number, number] };
    const y = await readAndDispose(backend.convTranspose3d(x, w, options));
    backend.dispose();
    const report = compareTensors(y, convTranspose3dReference(x, w, options));
    return { width: y.shape[4], deviceMax, report: describeReport(report), ok: report.ok };
  },

  /** The messages createBackend throws for bad options of its own. */
  backendOptionErrors(): string[] {
    return [{ phaseDraws: 'yes' }, { directOutput: 1 }, { maxBytes: -1 }, { poolBytes: Number.NaN }].map((options) => {
      try {
        createBackend(options as never).dispose();
        return 'no error';
      } catch (e) {
        return message(e);
      }
    });
  },

  /** A budget too small for a call: the error (name, code: message), and proof that nothing was drawn or allocated. */
  budgetRefusal(): { message: string; draws: number; textures: number } {
    const backend = createBackend({ maxBytes: 1 << 20 });
    try {
      backend.convTranspose3d(ones([1, 16, 16, 16, 16]), ones([16, 16, 2, 2, 2]), { stride: 2 });
      return { message: 'no error', draws: -1, textures: -1 };
    } catch (e) {
      const s = backend.stats();
      return { message: `${(e as Error).name} ${(e as { code?: string }).code}: ${message(e)}`, draws: s.draws,
        textures: s.textures };
    } finally {
      backend.dispose();
    }
  },

  /**
   * Loses the context in the middle of use: a read in flight must reject, new calls throw, old tensors fail with a
   * clear message after the restore, new calls work again by themselves, and the one-shot API never stops working.
   */
  async contextLoss(): Promise<Record<string, string | boolean | number>> {
    const backend = createBackend();
    const gl = backend.gl;
    const lose = gl.getExtension('WEBGL_lose_context');
    if (!lose) return { extension: false };
    const x = randomTensor([1, 4, 6, 6, 6], 51);
    const w = randomTensor([4, 3, 3, 3, 3], 52);
    const options = { stride: 2, padding: 1 };
    const want = convTranspose3dReference(x, w, options);
    const gw = backend.upload(w);
    const y = backend.convTranspose3d(x, gw, options);
    const inFlight = y.read().then(() => 'resolved', (e) => `rejected: ${message(e)}`);
    const lostEvent = nextEvent(gl.canvas as EventTarget, 'webglcontextlost');
    lose.loseContext();
    await lostEvent;
    const r: Record<string, string | boolean | number> = { extension: true, inFlight: await inFlight };
    try {
      backend.convTranspose3d(x, w, options);
      r.whileLost = 'no error';
    } catch (e) {
      r.whileLost = message(e);
    }
    r.oneShotWhileLost = compareTensors(await convTranspose3d(x, w, options), want).ok;
    const restoredEvent = nextEvent(gl.canvas as EventTarget, 'webglcontextrestored');
    lose.restoreContext();
    await restoredEvent;
    try {
      await gw.read();
      r.oldTensor = 'no error';
    } catch (e) {
      r.oldTensor = message(e);
    }
    gw.dispose();
    r.afterRestore = compareTensors(await readAndDispose(backend.convTranspose3d(x, w, options)), want).ok;
    const gw2 = backend.upload(w);
    r.residentAfterRestore = compareTensors(await readAndDispose(backend.convTranspose3d(x, gw2, options)), want).ok;
    gw2.dispose();
    r.oneShotAfter = compareTensors(await convTranspose3d(x, w, options), want).ok;
    const s = backend.stats();
    r.liveBytesAfter = s.textureBytes - s.pooledBytes;
    backend.dispose();
    return r;
  },

  /**
   * 1,000 mixed calls (CPU and GPU arguments, chains, uploads, varied shapes so the pool churns), everything
   * disposed: live texture bytes must come back to the baseline and the pool must stay within its budget.
   */
  async leaks(calls: number, poolBytes: number): Promise<{ baseline: number; after: number; pooledBytes: number;
    maxPooledBytes: number; checked: number; failed: string[]; disposedMessages: string[]; texturesAfterDispose: number }> {
    const backend = createBackend({ poolBytes });
    const stat = () => backend.stats();
    const baseline = stat().textureBytes - stat().pooledBytes;
    const r = rng(77);
    let maxPooledBytes = 0;
    let checked = 0;
    const failed: string[] = [];
    // A fixed set of small configurations, so the calls mix shapes without compiling a new shader every time.
    const makeSmall = (): RandomConfig => {
      const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
      const groups = int(1, 2);
      const cin = groups * int(1, 3);
      const size = [int(1, 3), int(1, 3), int(1, 5)];
      return { inputShape: r() < 0.2 ? [cin, ...size] : [int(1, 2), cin, ...size],
        weightShape: [cin, int(1, 3), int(1, 3), int(1, 2), int(1, 3)], bias: r() < 0.5,
        options: { stride: int(1, 2), padding: 0, outputPadding: 0, dilation: int(1, 2), groups } };
    };
    const configs = Array.from({ length: 12 }, makeSmall);
    const check = (got: Tensor, want: Tensor, i: number) => {
      checked++;
      const rep = compareTensors(got, want);
      if (!rep.ok) failed.push(`call ${i}: ${describeReport(rep)}`);
    };
    for (let i = 0; i < calls; i++) {
      const config = configs[Math.floor(r() * configs.length)];
      const { x, w, options } = randomCall(config, i);
      // One call in ten is read back and checked (reads wait for the GPU); the others queue work and dispose.
      if (i % 10 === 0) {
        check(await readAndDispose(backend.convTranspose3d(x, w, options)), convTranspose3dReference(x, w, options), i);
      } else if (i % 10 === 5) {
        // A chain: the output feeds a 1×1×1 convolution on the GPU, read once.
        const y = backend.convTranspose3d(x, w, options);
        const w2 = randomTensor([config.weightShape[1] * config.options.groups, 2, 1, 1, 1], i);
        const z = backend.convTranspose3d(y, w2);
        y.dispose();
        check(await readAndDispose(z), convTranspose3dReference(convTranspose3dReference(x, w, options), w2), i);
      } else if (i % 2) {
        const gx = backend.upload(x);
        const gw = backend.upload(w);
        backend.convTranspose3d(gx, gw, options).dispose();
        gx.dispose();
        gw.dispose();
      } else {
        // An upload never used, and a call whose output is never read.
        backend.upload(x).dispose();
        backend.convTranspose3d(x, w, options).dispose();
      }
      maxPooledBytes = Math.max(maxPooledBytes, stat().pooledBytes);
    }
    const s = stat();
    const disposedMessages: string[] = [];
    const t = backend.upload(ones([2, 3]));
    t.dispose();
    await t.read().then(() => disposedMessages.push('no error'), (e) => disposedMessages.push(message(e)));
    backend.dispose();
    try {
      backend.convTranspose3d(ones([1, 1, 1, 1, 1]), ones([1, 1, 1, 1, 1]));
      disposedMessages.push('no error');
    } catch (e) {
      disposedMessages.push(message(e));
    }
    return { baseline, after: s.textureBytes - s.pooledBytes, pooledBytes: s.pooledBytes, maxPooledBytes, checked,
      failed, disposedMessages, texturesAfterDispose: backend.stats().textures };
  },

  /** `count` calls started together on one backend and awaited in reverse order; each checked. */
  async overlapping(count: number): Promise<{ ok: number; failed: string[] }> {
    const backend = createBackend();
    const calls = Array.from({ length: count }, (_, i) => {
      const seed = 3000 + i;
      const { x, w, options } = randomCall(randomConfig(seed), seed);
      // Some arguments resident, some not, so uploads and calls interleave.
      const input = i % 3 === 0 ? backend.upload(x) : x;
      const y = backend.convTranspose3d(input, w, options);
      return { seed, x, w, options, input, pending: y.read().finally(() => y.dispose()) };
    });
    const failed: string[] = [];
    let ok = 0;
    for (const c of [...calls].reverse()) {
      const got = await c.pending;
      if (c.input !== c.x) (c.input as GpuTensor).dispose();
      const rep = compareTensors(got, convTranspose3dReference(c.x, c.w, c.options));
      if (rep.ok) ok++;
      else failed.push(`seed ${c.seed}: ${describeReport(rep)}`);
    }
    backend.dispose();
    return { ok, failed };
  },

  /** fast-check, in the page: random valid calls agree with the CPU reference (shape included). */
  async propertyValid(seed: number, numRuns: number): Promise<{ failed: boolean; report: string }> {
    const backend = createBackend();
    const axis = fc.integer({ min: 1, max: 4 });
    const call = fc.record({
      batch: fc.integer({ min: 0, max: 2 }), unbatched: fc.boolean(), groups: fc.integer({ min: 1, max: 3 }),
      inPerGroup: fc.integer({ min: 1, max: 5 }), outPerGroup: fc.integer({ min: 1, max: 5 }),
      size: fc.tuple(axis, axis, fc.integer({ min: 1, max: 9 })), kernel: fc.tuple(axis, axis, axis),
      stride: fc.tuple(axis, axis, axis), dilation: fc.tuple(axis, axis, axis), bias: fc.boolean(),
      padFraction: fc.double({ min: 0, max: 1, noNaN: true }), opFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      seed: fc.integer({ min: 1, max: 1e6 }),
    });
    const result = await fc.check(fc.asyncProperty(call, async (c) => {
      // outputPadding must stay below max(stride, dilation) on each axis.
      const outputPadding = c.stride.map((s, a) => Math.min(Math.max(s, c.dilation[a]) - 1,
        Math.floor(c.opFraction * Math.max(s, c.dilation[a])))) as [number, number, number];
      const padding = c.size.map((n, a) => {
        const full = (n - 1) * c.stride[a] + c.dilation[a] * (c.kernel[a] - 1) + outputPadding[a] + 1;
        return Math.floor(c.padFraction * Math.floor((full - 1) / 2));
      }) as [number, number, number];
      const cin = c.groups * c.inPerGroup;
      const inputShape = c.unbatched ? [cin, ...c.size] : [c.batch, cin, ...c.size];
      const x = randomTensor(inputShape, c.seed);
      const w = randomTensor([cin, c.outPerGroup, ...c.kernel], c.seed + 1);
      const options: ConvTranspose3dOptions = { stride: c.stride, padding, outputPadding, dilation: c.dilation,
        groups: c.groups, bias: c.bias ? randomTensor([c.outPerGroup * c.groups], c.seed + 2) : null };
      const got = await readAndDispose(backend.convTranspose3d(x, w, options));
      const rep = compareTensors(got, convTranspose3dReference(x, w, options));
      if (!rep.ok) throw new Error(describeReport(rep));
    }), { seed, numRuns });
    backend.dispose();
    return { failed: result.failed, report: result.failed ? fc.defaultReportMessage(result) ?? 'failed' : '' };
  },

  /**
   * fast-check, in the page: a valid call with one argument spoiled must reject, before any GPU work, with an
   * error that starts with `conv_transpose3d:` and names the spoiled argument.
   */
  async propertyInvalid(seed: number, numRuns: number): Promise<{ failed: boolean; report: string; kinds: string[] }> {
    const backend = createBackend();
    const kinds = new Set<string>();
    const badNumber = fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 1.5, -0.5, 2 ** 53, 1e300, '2', null, true,
      [2], {});
    const spoil = fc.oneof(
      fc.record({ arg: fc.constant('input'), field: fc.constant('shape'), value: fc.constantFrom([], [1], [1, 2, 3],
        [1, 1, 1, 1, 1, 1], [1, 2, -3, 4, 4], [1, 2, 2.5, 4, 4], [1, 2, NaN, 4, 4], 'abc', null, [1, 2, 1e9, 1e9, 1e9]) }),
      fc.record({ arg: fc.constant('weight'), field: fc.constant('shape'), value: fc.constantFrom([2, 3, 3, 3],
        [2, 3, 0, 3, 3], [2, 3, 3, 3, -1], [2, 3, 3, 3, 3, 1], 7, [2, 3, 3, 3, Infinity]) }),
      fc.record({ arg: fc.constantFrom('input', 'weight'), field: fc.constant('data'), value: fc.constantFrom(
        'short', 'long', 'float64', 'array', 'null') }),
      fc.record({ arg: fc.constantFrom('stride', 'padding', 'outputPadding', 'dilation'), field: fc.constant('option'),
        value: fc.oneof(badNumber, fc.constantFrom([1, 1], [1, 1, 1, 1], [1, NaN, 1], [1, 1.5, 1], [1, -2, 1],
          'abc')) }),
      fc.record({ arg: fc.constant('groups'), field: fc.constant('option'), value: fc.oneof(badNumber,
        fc.constant(3)) }),
      fc.record({ arg: fc.constant('bias'), field: fc.constant('option'), value: fc.constantFrom('wrongLength', 'wrongRank',
        'notTensor') }),
    );
    const result = await fc.check(fc.asyncProperty(spoil, async (s) => {
      const input: Record<string, unknown> = { shape: [1, 2, 3, 4, 4], data: new Float32Array(96) };
      const weight: Record<string, unknown> = { shape: [2, 3, 3, 3, 3], data: new Float32Array(162) };
      const options: Record<string, unknown> = { stride: 2, padding: 1 };
      const target = s.arg === 'input' ? input : weight;
      if (s.field === 'shape') target.shape = s.value;
      else if (s.field === 'data') {
        const n = (target.data as Float32Array).length;
        target.data = { short: new Float32Array(n - 1), long: new Float32Array(n + 4), float64: new Float64Array(n),
          array: Array.from({ length: n }, () => 0), null: null }[s.value as string];
      } else if (s.arg === 'bias') {
        options.bias = { wrongLength: { shape: [4], data: new Float32Array(4) }, wrongRank: { shape: [1, 3],
          data: new Float32Array(3) }, notTensor: 'bias' }[s.value as string];
      } else {
        options[s.arg] = s.value;
      }
      const name = s.arg;
      kinds.add(`${s.arg}.${s.field}`);
      const before = backend.stats();
      let err: unknown = null;
      try {
        backend.convTranspose3d(input as unknown as Tensor, weight as unknown as Tensor, options).dispose();
      } catch (e) {
        err = e;
      }
      if (err === null) {
        // Some spoiled option values are still valid (padding 0, dilation 1 …): not an error case, then.
        if (s.field === 'option' && s.arg !== 'bias') return;
        throw new Error(`no error for ${JSON.stringify(s)}`);
      }
      const after = backend.stats();
      if (after.draws !== before.draws || after.textures !== before.textures) throw new Error('GPU work happened');
      const msg = message(err);
      if (!msg.startsWith('conv_transpose3d: ')) throw new Error(`unprefixed message: ${msg}`);
      if (!msg.includes(name)) throw new Error(`message does not name ${name}: ${msg}`);
    }), { seed, numRuns });
    backend.dispose();
    return { failed: result.failed, report: result.failed ? fc.defaultReportMessage(result) ?? 'failed' : '',
      kinds: [...kinds].sort() };
  },

  /**
   * Without WebGL2 (getContext('webgl2') answers null): the one-shot API computes on the CPU, createBackend says
   * what is missing, and with the fallback turned off the one-shot API rejects with that reason.
   */
  async withoutWebgl2(): Promise<{ fallbackOk: boolean; engine: string; createError: string; optOutError: string;
    referenceOk: boolean }> {
    const original = HTMLCanvasElement.prototype.getContext;
    const patched = function (this: HTMLCanvasElement, type: string, ...rest: unknown[]) {
      return type === 'webgl2' ? null : (original as (...a: unknown[]) => unknown).call(this, type, ...rest);
    };
    HTMLCanvasElement.prototype.getContext = patched as typeof original;
    const x = randomTensor([1, 3, 4, 4, 4], 61);
    const w = randomTensor([3, 2, 3, 3, 3], 62);
    const want = convTranspose3dReference(x, w, { stride: 2 });
    try {
      // The default engine, 'auto', runs on the CPU engine.
      configure();
      const fallbackOk = compareTensors(await convTranspose3d(x, w, { stride: 2 }), want).ok;
      const { engine } = defaultBackend();
      let createError = 'no error';
      try {
        createBackend();
      } catch (e) {
        createError = message(e);
      }
      // Asked for WebGL: the CPU reference, or the reason when told not to fall back.
      configure({ engine: 'webgl' });
      const referenceOk = compareTensors(await convTranspose3d(x, w, { stride: 2 }), want, { atol: 0, rtol: 0 }).ok;
      configure({ cpuFallback: false });
      const optOutError = await convTranspose3d(x, w).then(() => 'no error', (e) => message(e));
      return { fallbackOk, engine, createError, optOutError, referenceOk };
    } finally {
      HTMLCanvasElement.prototype.getContext = original;
      resetConfig();
    }
  },

  /** The one-shot API with the shared backend configured for a storage mode, against the reference. */
  async configuredStorage(storage: StorageMode): Promise<{ used: string; ok: boolean }> {
    configure({ ...HARNESS_CONFIG, storage });
    try {
      const x = randomTensor([1, 3, 4, 4, 4], 71);
      const w = randomTensor([3, 2, 3, 3, 3], 72);
      const y = await convTranspose3d(x, w, { stride: 2 });
      const tolerance = storageTolerance(storage, x, w, { stride: 2 });
      return { used: (defaultBackend() as WebglBackend).capabilities.storage,
        ok: compareTensors(y, convTranspose3dReference(x, w, { stride: 2 }), tolerance).ok };
    } finally {
      resetConfig();
    }
  },
};
