/// <reference types="vite/client" />
// Runs in the browser: this project's GPU path, TensorFlow.js's WebGL conv3dTranspose, the CPU peers (ONNX Runtime
// Web) and the CPU reference, interleaved, on the same data. Every timed output is checked against the CPU reference.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import * as layers from '@tensorflow/tfjs-layers';
import * as twgl from 'twgl.js';
import {
  compareTensors, convTranspose3dOutputShape, convTranspose3dReference, createBackend, numel, storageTolerance,
  type BackendOptions, type Tensor, type WebglBackend,
} from '../src/index';
import { waitForGpu } from '../src/gl/textures';
import { registerWithTfjs, type TfKernelConfig, type TfNamespace } from '../src/tfjs/index';
import { randomTensor } from '../src/support/seeded';
import vertexSource from '../glsl/fullscreen.vert.glsl?raw';
import { flops, type BenchCase } from './cases';
import { ortPeer } from './ort';
import { autoPeer, cpuEnginePeer } from './cpuPeers';
import peakSource from './peak.frag.glsl?raw';

/** NCDHW ↔ NDHWC for a tensor of NCDHW `shape` (`toLast`: NCDHW data in, NDHWC out; else the reverse). */
function channelsLast(data: Float32Array, shape: number[], toLast: boolean): Float32Array {
  const [n, c, d, h, w] = shape;
  const out = new Float32Array(data.length);
  const vol = d * h * w;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let v = 0; v < vol; v++) {
        const first = (b * c + ch) * vol + v;
        const last = (b * vol + v) * c + ch;
        if (toLast) out[last] = data[first];
        else out[first] = data[last];
      }
    }
  }
  return out;
}

/** PyTorch weight (Cin, Cout, kD, kH, kW) → TensorFlow.js filter [kD, kH, kW, Cout, Cin]. */
function tfFilter(w: Tensor): Float32Array {
  const [cin, cout, kd, kh, kw] = w.shape;
  const k = kd * kh * kw;
  const out = new Float32Array(w.data.length);
  for (let i = 0; i < cin; i++) {
    for (let o = 0; o < cout; o++) {
      for (let t = 0; t < k; t++) out[(t * cout + o) * cin + i] = w.data[(i * cout + o) * k + t];
    }
  }
  return out;
}

const triple = (v: number | number[] | undefined, dflt: number) =>
  (v === undefined ? [dflt, dflt, dflt] : typeof v === 'number' ? [v, v, v] : v);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

let backend: WebglBackend | null = null;
let peers: Peer[] = [];

/** tfjs's WebGL context. */
const tfjsGl = () => (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;

// With BENCH_BASE (scripts/bench.sh), a copy of the library at another commit, for variants {"base": true}.
const baseLibrary = import.meta.glob<typeof import('../src/index')>('../.bench-base/src/index.ts');

/**
 * A WebGL backend of this library, or (`base: true`) of the copy at BENCH_BASE. WebGL whatever `options` say: the
 * resident timings force completion with a one-texel read of the output (`finish`).
 */
async function variantBackend({ base, ...options }: BackendOptions & { base?: boolean }): Promise<WebglBackend> {
  if (!base) return createBackend({ ...options, engine: 'webgl' });
  const load = baseLibrary['../.bench-base/src/index.ts'];
  if (!load) throw new Error('a variant asks for the base library, but BENCH_BASE was not given');
  return (await load()).createBackend(options) as unknown as WebglBackend;
}

export interface ModeResult { ms: number[]; median: number }

/**
 * A library timed beside ours that computes on the CPU side of the page. Its time is end to end: the input from its
 * data, the output's data back (the weight prepared once per case, as ours keeps it on the GPU).
 */
export interface Peer {
  name: string;
  /** The threads it computes with. */
  threads: number;
  /** Readies a case (`x` and `w` as the reference gets them); `run` computes from `x.data`, returning NCDHW data. */
  prepare(c: BenchCase, x: Tensor, w: Tensor): Promise<PreparedCase>;
}

/** A case readied by a {@link Peer}. */
export interface PreparedCase {
  run(): Promise<Float32Array>;
  dispose(): Promise<void>;
  /** What the peer chose for the case, if anything (engine 'auto': the engine). */
  note?(): string;
}

/** The peers by name, each made with an optional thread count. */
const PEERS: Record<string, (threads?: number) => Promise<Peer & { info: Record<string, unknown> }>> = {
  'ours-cpu': cpuEnginePeer,
  'ours-auto': autoPeer,
  ort: ortPeer,
};

export interface PeerResult { name: string; threads: number; endToEnd: ModeResult; firstCall: number;
  maxAbsError: number; note: string | null }

/** The decoder's predict with TensorFlow.js's own kernel and with ours (see {@link bench.decoder}). */
export interface DecoderResult {
  layers: string[];
  gflop: number;
  ours: { resident: ModeResult; endToEnd: ModeResult; firstCall: number };
  tfjs: { resident: ModeResult; endToEnd: ModeResult; firstCall: number };
  /** Largest difference between the two predictions, relative to the largest output. */
  maxRelDifference: number;
}

/** A small 3-D decoder: 8³ × 64 → 16³ × 32 → 32³ × 16 → 32³ × 8, kernel 3, as a tfjs layers model. */
const DECODER = { input: [1, 8, 8, 8, 64], layers: [
  { filters: 32, strides: 2, activation: 'relu' }, { filters: 16, strides: 2, activation: 'relu' },
  { filters: 8, strides: 1, activation: 'linear' },
] } as const;
export interface CaseResult {
  name: string;
  gflop: number;
  ours: { resident: ModeResult; endToEnd: ModeResult; firstCall: number; maxAbsError: number; ok: boolean };
  tfjs: { resident: ModeResult; endToEnd: ModeResult; firstCall: number; maxAbsError: number; ok: boolean } | null;
  peers: PeerResult[];
  cpu: ModeResult;
}

async function time(f: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

const bench = {
  /** Our backend with `options`, tfjs's, and the CPU peers named (`threads`: theirs, else each its default). */
  async setup(options: BackendOptions = {}, peerNames: string[] = [], threads?: number) {
    backend = createBackend({ ...options, engine: 'webgl' });
    await tf.setBackend('webgl');
    await tf.ready();
    const made = [];
    for (const name of peerNames) {
      if (!PEERS[name]) throw new Error(`no peer named ${name}`);
      made.push(await PEERS[name](threads));
    }
    peers = made;
    const debug = backend.gl.getExtension('WEBGL_debug_renderer_info');
    return {
      renderer: backend.capabilities.renderer, userAgent: navigator.userAgent, tfjs: tf.version_core,
      crossOriginIsolated, peers: Object.fromEntries(made.map((p) => [p.name, p.info])),
      tfjsRenderer: (() => {
        const gl = tfjsGl();
        return String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
      })(),
      maxDrawBuffers: backend.capabilities.maxDrawBuffers,
    };
  },

  /** GFLOP/s of the synthetic multiply-add shader, median of `runs`. */
  async peak(runs = 5): Promise<number> {
    const gl = backend!.gl;
    const iters = 256;
    const program = twgl.createProgramInfo(gl, [vertexSource, peakSource.replace('#version 300 es',
      `#version 300 es\n#define ITERS ${iters}`)]);
    const size = 512;
    const tex = twgl.createTexture(gl, { target: gl.TEXTURE_2D, internalFormat: gl.RGBA32F, width: size,
      height: size, minMag: gl.NEAREST, auto: false });
    const fb = twgl.createFramebufferInfo(gl, [{ attachment: tex }], size, size);
    const ms: number[] = [];
    for (let r = 0; r < runs + 1; r++) {
      const t = await time(async () => {
        twgl.bindFramebufferInfo(gl, fb);
        gl.useProgram(program.program);
        gl.drawArrays(gl.TRIANGLES, 0, 3);
        await waitForGpu(gl);
      });
      if (r > 0) ms.push(t);
    }
    twgl.bindFramebufferInfo(gl, null);
    gl.deleteFramebuffer(fb.framebuffer);
    gl.deleteTexture(tex);
    gl.deleteProgram(program.program);
    return (size * size * iters * 8 * 4 * 2) / (median(ms) * 1e6);
  },

  async runCase(bc: BenchCase, runs: number, cpuRuns: number, withTfjs = true): Promise<CaseResult> {
    const b = backend!;
    const c = { ...bc, tfjs: bc.tfjs && withTfjs };
    const x = randomTensor(c.input, 1);
    const w = randomTensor(c.weight, 2);
    const opts = c.options;
    const outShape = convTranspose3dOutputShape(c.input, c.weight, opts);
    const gflop = flops(c) / 1e9;

    // Our first call: upload, compile, pack weights, compute, read.
    let oursFirst = 0;
    let oursOut: Tensor | null = null;
    oursFirst = await time(async () => {
      const y = b.convTranspose3d(x, w, opts);
      oursOut = await y.read();
      y.dispose();
    });

    // The reference (its first run is also a timing sample).
    const cpuMs: number[] = [];
    let want: Tensor | null = null;
    for (let r = 0; r < cpuRuns; r++) {
      const t0 = performance.now();
      want = convTranspose3dReference(x, w, opts);
      cpuMs.push(performance.now() - t0);
    }
    // float16 storage is held to its proven rounding bound; exact storage to the float32 tolerance.
    const tolerance = storageTolerance(b.capabilities.storage, x, w, opts);
    const first = compareTensors(oursOut!, want!, tolerance);

    // TensorFlow.js, prepared outside the timing: channels-last data, its filter layout, a numeric pad.
    let tfx: tf.Tensor5D | null = null;
    let tfw: tf.Tensor5D | null = null;
    const stride = triple(opts.stride as number | number[] | undefined, 1) as [number, number, number];
    const pad = triple(opts.padding as number | number[] | undefined, 0);
    const tfOutShape = [outShape[0], outShape[2], outShape[3], outShape[4], outShape[1]] as
      [number, number, number, number, number];
    const tfRun = () => tf.conv3dTranspose(tfx!, tfw!, tfOutShape, stride, pad[0] as unknown as 'valid');
    let tfFirst = 0;
    let tfReport = null as ReturnType<typeof compareTensors> | null;
    const xLast = channelsLast(x.data, x.shape, true);
    const wTf = tfFilter(w);
    if (c.tfjs) {
      if (pad.some((p) => p !== pad[0])) throw new Error('tfjs takes one numeric pad');
      tfFirst = await time(async () => {
        tfx = tf.tensor5d(xLast, [c.input[0], c.input[2], c.input[3], c.input[4], c.input[1]]);
        tfw = tf.tensor5d(wTf, [c.weight[2], c.weight[3], c.weight[4], c.weight[1], c.weight[0]]);
        const y = tfRun();
        const data = await y.data() as Float32Array;
        y.dispose();
        tfReport = compareTensors({ shape: outShape, data: channelsLast(data, outShape, false) }, want!);
      });
    }

    // Each CPU peer's first call (prepared, then run), checked before any of its times counts.
    const prepared: PreparedCase[] = [];
    const peerFirst: number[] = [];
    const peerError: number[] = [];
    const checkPeer = (p: Peer, data: Float32Array) => {
      const report = compareTensors({ shape: outShape, data }, want!);
      if (!report.ok) throw new Error(`${c.name}: ${p.name}'s output does not match the CPU reference (max abs ` +
        `error ${report.maxAbsError}); no time reported`);
      return report.maxAbsError;
    };
    for (const p of peers) {
      let out: Float32Array | null = null;
      peerFirst.push(await time(async () => {
        prepared.push(await p.prepare(c, x, w));
        out = await prepared[prepared.length - 1].run();
      }));
      peerError.push(checkPeer(p, out!));
    }

    // GPU-resident and end-to-end, interleaved, after one warm-up each; the peers' end-to-end among them.
    const gx = b.upload(x);
    const gw = b.upload(w);
    const tfGl = c.tfjs ? tfjsGl() : null;
    // GPU-resident completion is forced by a synchronous one-texel read of the output, for both libraries: fence
    // polling adds a variable delay in Chromium.
    const oursResident = async () => {
      const y = b.convTranspose3d(gx, gw, opts);
      b.finish(y);
      y.dispose();
    };
    // End-to-end: the input is uploaded and the output read back; the weight stays on the GPU, for both libraries
    // (tfjs's tfw too), as in a model.
    const oursEndToEnd = async () => {
      const y = b.convTranspose3d(x, gw, opts);
      await y.read();
      y.dispose();
    };
    const tfFramebuffer = tfGl?.createFramebuffer() ?? null;
    const tfResident = async () => {
      const y = tfRun();
      finishTfjs(y, tfFramebuffer!);
      y.dispose();
    };
    const tfEndToEnd = async () => {
      const xt = tf.tensor5d(xLast, tfx!.shape);
      const y = tf.conv3dTranspose(xt, tfw!, tfOutShape, stride, pad[0] as unknown as 'valid');
      await y.data();
      y.dispose();
      xt.dispose();
    };
    const ms = { oursResident: [] as number[], oursEndToEnd: [] as number[], tfResident: [] as number[],
      tfEndToEnd: [] as number[], peers: peers.map(() => [] as number[]) };
    const peerOut: Float32Array[] = [];
    for (let r = 0; r < runs + 1; r++) {
      const tOR = await time(oursResident);
      const tTR = c.tfjs ? await time(tfResident) : 0;
      const tOE = await time(oursEndToEnd);
      const tTE = c.tfjs ? await time(tfEndToEnd) : 0;
      const tP = [];
      for (const [i, q] of prepared.entries()) tP.push(await time(async () => { peerOut[i] = await q.run(); }));
      if (r === 0) continue;
      ms.oursResident.push(tOR);
      ms.oursEndToEnd.push(tOE);
      ms.tfResident.push(tTR);
      ms.tfEndToEnd.push(tTE);
      tP.forEach((t, i) => ms.peers[i].push(t));
    }
    // The peers' last timed outputs, checked too.
    const notes: (string | null)[] = [];
    for (const [i, p] of peers.entries()) {
      peerError[i] = Math.max(peerError[i], checkPeer(p, peerOut[i]));
      notes.push(prepared[i].note?.() ?? null);
      await prepared[i].dispose();
    }
    // The timed resident path's output, checked.
    const y = b.convTranspose3d(gx, gw, opts);
    const resident = compareTensors(await y.read(), want!, tolerance);
    y.dispose();
    gx.dispose();
    gw.dispose();
    tfGl?.deleteFramebuffer(tfFramebuffer);
    (tfx as tf.Tensor | null)?.dispose();
    (tfw as tf.Tensor | null)?.dispose();
    const mode = (xs: number[]): ModeResult => ({ ms: xs, median: median(xs) });
    return {
      name: c.name, gflop,
      ours: { resident: mode(ms.oursResident), endToEnd: mode(ms.oursEndToEnd), firstCall: oursFirst,
        maxAbsError: Math.max(first.maxAbsError, resident.maxAbsError), ok: first.ok && resident.ok },
      tfjs: c.tfjs ? { resident: mode(ms.tfResident), endToEnd: mode(ms.tfEndToEnd), firstCall: tfFirst,
        maxAbsError: tfReport!.maxAbsError, ok: tfReport!.ok } : null,
      peers: peers.map((p, i) => ({ name: p.name, threads: p.threads, endToEnd: mode(ms.peers[i]),
        firstCall: peerFirst[i], maxAbsError: peerError[i], note: notes[i] })),
      cpu: mode(cpuMs),
    };
  },

  /**
   * Times the GPU-resident call of one case under several createBackend options (variants), interleaved run by run
   * in one page, so that the renderer's drift (±25% between runs on SwiftShader) cancels in the ratios. Each
   * variant's output is checked against the CPU reference first. A variant `{ base: true, ...options }` runs the
   * library as it was at the commit BENCH_BASE (scripts/bench.sh), to measure a change to the code itself.
   */
  async compare(c: BenchCase, variants: (BackendOptions & { base?: boolean })[], runs: number):
    Promise<VariantResult> {
    const x = randomTensor(c.input, 1);
    const w = randomTensor(c.weight, 2);
    const want = convTranspose3dReference(x, w, c.options);
    const backends = await Promise.all(variants.map(variantBackend));
    try {
      const errors: number[] = [];
      const args = backends.map((b) => [b.upload(x), b.upload(w)] as const);
      for (const [i, b] of backends.entries()) {
        const y = b.convTranspose3d(args[i][0], args[i][1], c.options);
        const report = compareTensors(await y.read(), want, storageTolerance(b.capabilities.storage, x, w, c.options));
        y.dispose();
        if (!report.ok) throw new Error(`${c.name}: variant ${i} does not match the CPU reference`);
        errors.push(report.maxAbsError);
      }
      const ms: number[][] = backends.map(() => []);
      for (let r = 0; r < runs + 1; r++) {
        for (const [i, b] of backends.entries()) {
          const t = await time(async () => {
            const y = b.convTranspose3d(args[i][0], args[i][1], c.options);
            b.finish(y);
            y.dispose();
          });
          if (r > 0) ms[i].push(t);
        }
      }
      return { name: c.name, gflop: flops(c) / 1e9, ms: ms.flat(), median: ms.map(median),
        ratio: ms.map((m) => median(m.map((t, r) => t / ms[0][r]))), maxAbsError: errors };
    } finally {
      for (const b of backends) b.dispose();
    }
  },
};

/**
 * Forces the GPU to finish tfjs tensor `y` with a one-texel read through `fb` (a framebuffer on tfjs's context, made
 * once), as the resident timings of ours do.
 */
function finishTfjs(y: tf.Tensor, fb: WebGLFramebuffer): void {
  const gl = tfjsGl();
  const texture = (tf.backend() as unknown as { getTexture(id: unknown): WebGLTexture }).getTexture(y.dataId);
  gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.FLOAT, new Float32Array(4));
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
}

Object.assign(bench, {
  /**
   * The decoder's `predict` as a tfjs layers model, with tfjs's WebGL kernel and with ours (registerWithTfjs),
   * interleaved run by run in one page: resident (the input already a tfjs tensor on the GPU, completion forced by
   * a one-texel read) and end to end (the input from a Float32Array, the output read back).
   */
  async decoder(runs: number): Promise<DecoderResult> {
    await tf.setBackend('webgl');
    const KERNEL = 'Conv3DBackpropInputV2';
    const theirs = tf.getKernel(KERNEL, 'webgl')!;
    const registration = registerWithTfjs(tf as unknown as TfNamespace);
    const ours = tf.getKernel(KERNEL, 'webgl')!;
    const use = (k: tf.KernelConfig | TfKernelConfig) => {
      tf.unregisterKernel(KERNEL, 'webgl');
      tf.registerKernel(k as tf.KernelConfig);
    };
    const model = layers.sequential({ layers: DECODER.layers.map((l, i) => layers.layers.conv3dTranspose({
      ...(i === 0 ? { inputShape: DECODER.input.slice(1) } : {}), filters: l.filters, kernelSize: 3,
      strides: l.strides, padding: 'same', activation: l.activation })) });
    const data = randomTensor([numel(DECODER.input)], 3).data;
    const x = tf.tensor5d(data, DECODER.input as unknown as [number, number, number, number, number]);
    let voxels = numel(DECODER.input.slice(1, 4));
    let channels: number = DECODER.input[4];
    let gflop = 0;
    for (const l of DECODER.layers) {
      gflop += (2 * channels * l.filters * 27 * voxels) / 1e9;
      voxels *= l.strides ** 3;
      channels = l.filters;
    }
    const fb = tfjsGl().createFramebuffer()!;
    try {
      const predict = (k: typeof theirs) => {
        use(k);
        return model.predict(x) as tf.Tensor;
      };
      const firstTfjs = await time(async () => { await predict(theirs).data(); });
      const firstOurs = await time(async () => { await predict(ours).data(); });
      const a = predict(theirs);
      const b = predict(ours);
      const [pa, pb] = [Array.from(await a.data()), Array.from(await b.data())];
      const largest = pa.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const maxRelDifference = pa.reduce((m, v, i) => Math.max(m, Math.abs(v - pb[i])), 0) / largest;
      tf.dispose([a, b]);
      const resident = (k: typeof theirs) => async () => {
        const y = predict(k);
        finishTfjs(y, fb);
        y.dispose();
      };
      const endToEnd = (k: typeof theirs) => async () => {
        use(k);
        const input = tf.tensor5d(data, x.shape);
        const y = model.predict(input) as tf.Tensor;
        await y.data();
        tf.dispose([input, y]);
      };
      const ms = { ours: [] as number[], tfjs: [] as number[], oursE2e: [] as number[], tfjsE2e: [] as number[] };
      for (let r = 0; r < runs + 1; r++) {
        const t = [await time(resident(theirs)), await time(resident(ours)), await time(endToEnd(theirs)),
          await time(endToEnd(ours))];
        if (r === 0) continue;
        ms.tfjs.push(t[0]);
        ms.ours.push(t[1]);
        ms.tfjsE2e.push(t[2]);
        ms.oursE2e.push(t[3]);
      }
      const mode = (xs: number[]): ModeResult => ({ ms: xs, median: median(xs) });
      return {
        layers: DECODER.layers.map((l) => `conv3dTranspose(${l.filters}, 3, stride ${l.strides}, same, ` +
          `${l.activation})`), gflop,
        ours: { resident: mode(ms.ours), endToEnd: mode(ms.oursE2e), firstCall: firstOurs },
        tfjs: { resident: mode(ms.tfjs), endToEnd: mode(ms.tfjsE2e), firstCall: firstTfjs },
        maxRelDifference,
      };
    } finally {
      use(ours);
      registration.unregister();
      x.dispose();
      model.dispose();
      tfjsGl().deleteFramebuffer(fb);
    }
  },
});

/** Medians of {@link bench.compare}: each variant's resident time, and its per-run ratio to variant 0. */
export interface VariantResult { name: string; gflop: number; ms: number[]; median: number[]; ratio: number[];
  maxAbsError: number[] }

declare global {
  interface Window { bench: typeof bench & { decoder(runs: number): Promise<DecoderResult> } }
}
window.bench = bench as Window['bench'];
