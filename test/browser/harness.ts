// Runs in the browser under test. Everything crosses the driver boundary as JSON: tensors as base64 float32.
import {
  compareTensors, convTranspose3d, storageTolerance, convTranspose3dReference, convTranspose3dToSize, createBackend, defaultBackend,
  outputPaddingForSize, type Backend, type BackendOptions,
  type CheckReport, type ConvTranspose3dOptions, type Tensor,
} from '../../src/index';
import { decodeTensor as decode, encodeTensor as encode, type Encoded } from '../../src/support/base64';
import { randomTensor } from '../../src/support/seeded';
import { randomCall, randomConfig, type RandomConfig, type RandomResult } from '../support/randomCases';
import { glsl } from './glsl';
import { backendFor, resetConfig, runOn } from './calls';
import type { WebglBackend } from '../../src/index';
import { extremes } from './extremes';
import { robustness } from './robustness';
import { auto, cpu } from './cpuHarness';

interface CallArgs { input: Encoded; weight: Encoded; bias: Encoded | null; options: ConvTranspose3dOptions }


async function runConfig(config: RandomConfig, seed: number, backend: Backend | null): Promise<RandomResult> {
  const { x, w, options } = randomCall(config, seed);
  const got = await runOn(backend, x, w, options);
  const caps = backend?.capabilities;
  const tolerance = storageTolerance(caps?.engine === 'webgl' ? caps.storage : 'float32', x, w, options);
  return { seed, config, report: compareTensors(got, convTranspose3dReference(x, w, options), tolerance) };
}

const harness = {
  info() {
    const b = backendFor() as WebglBackend;
    return { capabilities: { ...b.capabilities, extensions: b.capabilities.extensions.length }, userAgent: navigator.userAgent };
  },

  /** One call on the GPU; the output goes back to Node to be compared with PyTorch's. */
  async run(args: CallArgs, backendOptions?: BackendOptions, uploadWeight = false): Promise<Encoded> {
    const x = decode(args.input);
    const w = decode(args.weight);
    const options = { ...args.options, bias: args.bias ? decode(args.bias) : null };
    const before = [x.data.slice(), w.data.slice()];
    const y = await runOn(backendOptions ? backendFor(backendOptions) : null, x, w, options, uploadWeight);
    if (!x.data.every((v, i) => Object.is(v, before[0][i])) || !w.data.every((v, i) => Object.is(v, before[1][i]))) {
      throw new Error('the call modified its inputs');
    }
    return encode(y);
  },

  /** Seeded random configurations, each compared with the CPU reference here. */
  async random(firstSeed: number, count: number, backendOptions?: BackendOptions): Promise<RandomResult[]> {
    const out: RandomResult[] = [];
    for (let seed = firstSeed; seed < firstSeed + count; seed++) {
      out.push(await runConfig(randomConfig(seed), seed, backendOptions ? backendFor(backendOptions) : null));
    }
    return out;
  },

  /** Given configurations with seeded random data, each compared with the CPU reference here. */
  async checked(configs: RandomConfig[], backendOptions?: BackendOptions): Promise<RandomResult[]> {
    const out: RandomResult[] = [];
    for (const [i, config] of configs.entries()) {
      out.push(await runConfig(config, 7000 + i, backendOptions ? backendFor(backendOptions) : null));
    }
    return out;
  },

  /**
   * One call whose weight was computed on the GPU (copied exactly through a 1×1×1 identity kernel), so that nothing
   * is known of its values: the shaders must drop the products of W taps outside the input rather than multiply
   * zeros. Also returns the programs that call compiled after the same call with the weight uploaded (known finite)
   * had compiled its own: shaders that differ only where the weight's values matter. Weights must be finite.
   */
  async computedWeight(args: CallArgs): Promise<{ output: Encoded; compiled: number }> {
    const backend = backendFor();
    const x = decode(args.input);
    const w = decode(args.weight);
    const options = { ...args.options, bias: args.bias ? decode(args.bias) : null };
    const perGroup = w.shape[1];
    const eye = { shape: [perGroup, perGroup, 1, 1, 1],
      data: Float32Array.from({ length: perGroup ** 2 }, (_, i) => (i % (perGroup + 1) === 0 ? 1 : 0)) };
    const computed = backend.convTranspose3d(w, eye);
    const uploaded = backend.upload(w);
    const known = backend.convTranspose3d(x, uploaded, options);
    await known.read();
    const before = backend.stats().compiles;
    const y = backend.convTranspose3d(x, computed, options);
    const compiled = backend.stats().compiles - before;
    try {
      return { output: encode(await y.read()), compiled };
    } finally {
      for (const t of [computed, uploaded, known, y]) t.dispose();
    }
  },

  /** The same call twice: are the outputs bitwise equal? */
  async determinism(seed: number): Promise<{ equal: boolean; values: number; report: CheckReport }> {
    const backend = backendFor();
    const x = randomTensor([2, 8, 6, 7, 5], seed);
    const w = randomTensor([8, 6, 3, 3, 3], seed + 1);
    const opts = { stride: 2, padding: 1, outputPadding: 1, bias: randomTensor([6], seed + 2) };
    const a = await runOn(backend, x, w, opts);
    const b = await runOn(backend, x, w, opts);
    const ua = new Uint32Array(a.data.buffer);
    const ub = new Uint32Array(b.data.buffer);
    return { equal: ua.length === ub.length && ua.every((v, i) => v === ub[i]), values: ua.length,
      report: compareTensors(a, convTranspose3dReference(x, w, opts)) };
  },

  /** Upload once, chain several calls on the GPU, read once; compare with the same chain on the CPU. */
  async chain(backendOptions?: BackendOptions): Promise<{ report: CheckReport; shape: number[] }> {
    const backend = backendFor(backendOptions ?? {});
    const x = randomTensor([1, 6, 3, 4, 3], 11);
    const w1 = randomTensor([6, 5, 2, 2, 2], 12);
    const b1 = randomTensor([5], 13);
    const w2 = randomTensor([5, 3, 3, 3, 3], 14);
    const w3 = randomTensor([6, 1, 3, 3, 3], 15);
    const s1 = { stride: 2, bias: b1 };
    const s2 = { padding: 1, dilation: 2 };
    const s3 = { groups: 6, stride: [1, 2, 1] as [number, number, number] };
    const gx = backend.upload(x);
    const gw1 = backend.upload(w1);
    const gb1 = backend.upload(b1);
    const gw2 = backend.upload(w2);
    const gw3 = backend.upload(w3);
    const y1 = backend.convTranspose3d(gx, gw1, { ...s1, bias: gb1 });
    const y2 = backend.convTranspose3d(y1, gw2, s2);
    // 3 → 6 channels with a 1×1×1 kernel, then depthwise over the 6
    const w2b = randomTensor([3, 6, 1, 1, 1], 16);
    const y3 = backend.convTranspose3d(y2, w2b);
    const y4 = backend.convTranspose3d(y3, gw3, s3);
    const got = await y4.read();
    for (const t of [gx, gw1, gb1, gw2, gw3, y1, y2, y3, y4]) t.dispose();
    const r1 = convTranspose3dReference(x, w1, s1);
    const r2 = convTranspose3dReference(r1, w2, s2);
    const r3 = convTranspose3dReference(r2, w2b);
    const r4 = convTranspose3dReference(r3, w3, s3);
    return { report: compareTensors(got, r4), shape: got.shape };
  },

  /** Repeated calls in a steady state: how many textures exist after each (the pool should keep this flat). */
  async steadyState(calls: number): Promise<{ textures: number[]; pooled: number[]; ok: boolean }> {
    const backend = createBackend();
    const x = randomTensor([1, 8, 5, 6, 7], 31);
    const w = backend.upload(randomTensor([8, 6, 3, 3, 3], 32));
    const opts = { stride: 2, padding: 1 };
    const want = convTranspose3dReference(x, await w.read(), opts);
    const textures: number[] = [];
    const pooled: number[] = [];
    let ok = true;
    for (let i = 0; i < calls; i++) {
      const y = backend.convTranspose3d(x, w, opts);
      ok &&= compareTensors(await y.read(), want).ok;
      y.dispose();
      textures.push(backend.stats().textures);
      pooled.push(backend.stats().pooledTextures);
    }
    backend.dispose();
    return { textures, pooled, ok };
  },

  /** nn.ConvTranspose3d.forward(input, output_size) on the GPU, against the reference with PyTorch's padding. */
  async toSize(inputShape: number[], kernel: number[], outputSize: number[],
    options: { stride: number[]; padding: number[]; dilation: number[] }): Promise<{ shape: number[];
      report: CheckReport }> {
    const x = randomTensor(inputShape, 21);
    const w = randomTensor([inputShape[inputShape.length - 4], 3, ...kernel], 22);
    const opts = options as unknown as ConvTranspose3dOptions;
    const y = await convTranspose3dToSize(x, w, outputSize, opts);
    const outputPadding = outputPaddingForSize(inputShape, kernel as [number, number, number], outputSize, opts);
    return { shape: y.shape, report: compareTensors(y, convTranspose3dReference(x, w, { ...opts, outputPadding })) };
  },

  /**
   * Runs the README's TypeScript block `index` (written by global-setup.ts), then puts the shared backend's
   * configuration back to its defaults; returns 'ok' or what the block threw.
   */
  async readmeBlock(index: number): Promise<string> {
    try {
      await import(/* @vite-ignore */ `/readme-blocks/block-${index}.ts`);
      return 'ok';
    } catch (e) {
      return `threw: ${(e as Error).message}`;
    } finally {
      resetConfig();
    }
  },

  /**
   * Runs the README's worker block `index` in a module Web Worker: posts it a call's tensors and checks the output
   * it posts back against the CPU reference. Returns 'ok' or what went wrong.
   */
  async readmeWorker(index: number): Promise<string> {
    const worker = new Worker(`/readme-blocks/block-${index}.ts`, { type: 'module' });
    const x = randomTensor([1, 2, 3, 3, 3], 81);
    const w = randomTensor([2, 3, 2, 2, 2], 82);
    try {
      const y = await new Promise<Tensor>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer from the worker within 60 s')), 60_000);
        worker.onmessage = (e: MessageEvent<Tensor>) => {
          clearTimeout(timer);
          resolve(e.data);
        };
        worker.onerror = (e) => {
          clearTimeout(timer);
          reject(new Error(`the worker failed: ${e.message}`));
        };
        worker.postMessage({ x, w });
      });
      const report = compareTensors(y, convTranspose3dReference(x, w, { stride: 2 }));
      return report.ok ? 'ok' : `wrong output: ${JSON.stringify(report)}`;
    } catch (e) {
      return (e as Error).message;
    } finally {
      worker.terminate();
    }
  },

  /** A call whose argument is wrong must reject with our message, before any GPU work. */
  async rejects(args: CallArgs): Promise<string> {
    const backend = defaultBackend();
    const drawsBefore = backend.stats().draws;
    const texturesBefore = backend.stats().textures;
    try {
      await convTranspose3d(decode(args.input), decode(args.weight), { ...args.options, bias: args.bias ? decode(args.bias) : null });
    } catch (e) {
      const s = backend.stats();
      if (s.draws !== drawsBefore || s.textures !== texturesBefore) throw new Error('GPU work happened before the error');
      return (e as Error).message;
    }
    throw new Error('the call did not reject');
  },
};

/** TensorFlow.js with this library registered (test/browser/tfjsHarness.ts), loaded on first use: tfjs is large. */
const tfjs = {
  async tfjs(method: string, ...args: unknown[]) {
    const m = await import('./tfjsHarness') as unknown as Record<string, (...a: unknown[]) => unknown>;
    return m[method](...args);
  },
};

const api = { ...harness, ...robustness, ...glsl, ...extremes, ...tfjs, ...cpu, ...auto };
declare global {
  interface Window { harness: typeof api }
}
window.harness = api;
