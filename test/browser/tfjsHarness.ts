// TensorFlow.js with this library registered, in the browser under test: graph models, layers models, tfjs ops
// interleaved with ours on one context, gradients. Loaded by the harness page on first use (tfjs is large).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
// tfjs-core registers no gradients by itself (@tensorflow/tfjs does this import).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as converter from '@tensorflow/tfjs-converter';
import * as layers from '@tensorflow/tfjs-layers';
import { registerWithTfjs, type TfNamespace } from '../../src/tfjs/index';
import { compareTensors, createBackend, convTranspose3dReference } from '../../src/index';
import { saveGlState } from '../../src/gl/glState';
import { gpuTensorFromDense, gpuTensorToDense } from '../../src/backend';
import { randomTensor, rng } from '../../src/support/seeded';
import { decodeTensor as decode, type Encoded } from '../../src/support/base64';
import { permuteAxes } from '../support/permute';
import model from '../fixtures/tfjs-graph/model.json';
import expected from '../fixtures/tfjs-graph/expected.json';
import weightsUrl from '../fixtures/tfjs-graph/weights.bin?url';

/** The namespace users pass: tfjs-core's, with tfjs-converter's op registry (as `@tensorflow/tfjs` has it). */
const ns = { ...tf, registerOp: converter.registerOp, deregisterOp: converter.deregisterOp } as unknown as TfNamespace;

/** Whether these tests have given tfjs a WebGL backend of their own yet. */
let freshWebgl = false;

/**
 * tfjs refuses software renderers unless told; every renderer here is one. The harness page makes many contexts
 * over a run, and browsers lose the oldest past their limit (16 in Chromium), even one that earlier tests (the
 * README's example) made for tfjs, possibly while these tests run: so these tests give tfjs a webgl backend made
 * anew, on a canvas of its own (otherwise tfjs would reuse its cached context and the programs it compiled on it),
 * and make it again if its context was lost all the same.
 */
async function useBackend(name: 'webgl' | 'cpu'): Promise<void> {
  tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  const webgl = tf.findBackend('webgl') as unknown as { gpgpu: { gl: WebGL2RenderingContext } } | null;
  if (name === 'webgl' && (!freshWebgl || webgl?.gpgpu.gl.isContextLost())) {
    if (tf.getBackend() === 'webgl') await tf.setBackend('cpu');
    tf.removeBackend('webgl');
    tf.registerBackend('webgl', () => new MathBackendWebGL(document.createElement('canvas')), 2);
    freshWebgl = true;
  }
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) throw new Error(`tfjs could not set up ${name}`);
}

interface Diff { maxAbs: number; maxRel: number; count: number; shapeMatches: boolean; ok: boolean }

/** `got` against `want` by the library's own comparison: shapes, NaN places, and every error within 1e-5. */
function diff(got: ArrayLike<number>, want: ArrayLike<number>, gotShape: number[], wantShape: number[]): Diff {
  const r = compareTensors({ shape: gotShape, data: Float32Array.from(got) },
    { shape: wantShape, data: Float32Array.from(want) }, { atol: 1e-5, rtol: 0 });
  return { maxAbs: r.maxAbsError, maxRel: r.maxRelError, count: r.count, shapeMatches: r.shapeMatches, ok: r.ok };
}

async function loadGraph(): Promise<converter.GraphModel> {
  const weightData = await (await fetch(weightsUrl)).arrayBuffer();
  const m = model as unknown as { modelTopology: object; weightsManifest: Array<{ weights: object[] }> };
  return converter.loadGraphModel(tf.io.fromMemory({ modelTopology: m.modelTopology,
    weightSpecs: m.weightsManifest[0].weights as tf.io.WeightsManifestEntry[], weightData }));
}

type Node = (typeof expected.nodes)[number];

function runGraph(graph: converter.GraphModel, nodes: Node[]): Array<{ name: string } & Diff> {
  const feeds: Record<string, tf.Tensor> = {};
  for (const n of nodes) feeds[n.input] = tf.tensor(n.dy, n.dyShape);
  const outs = graph.execute(feeds, nodes.map((n) => n.output)) as tf.Tensor[];
  const result = nodes.map((n, i) => ({ name: n.output,
    ...diff(outs[i].dataSync(), n.expected, outs[i].shape, n.outputShape) }));
  tf.dispose([...Object.values(feeds), ...outs]);
  return result;
}

/** Graph models with Conv3DBackpropInputV2 nodes: refused by tfjs alone, right with the registration. */
export async function graphModel(backend: 'webgl' | 'cpu') {
  await useBackend(backend);
  let unknownOp = '';
  try {
    runGraph(await loadGraph(), expected.nodes);
  } catch (e) {
    unknownOp = String((e as Error).message);
  }
  const before = tf.memory().numTensors;
  const registration = registerWithTfjs(ns);
  try {
    const graph = await loadGraph();
    const results = runGraph(graph, expected.nodes);
    graph.dispose();
    return { unknownOp, results, stats: registration.stats(), leakedTensors: tf.memory().numTensors - before };
  } finally {
    registration.unregister();
  }
}

/** A small 3-D decoder: three conv3dTranspose layers (same and valid, strides 1 and 2, bias, relu). */
function decoder(seed: number, channels: [number, number, number, number]): layers.Sequential {
  const [c0, c1, c2, c3] = channels;
  const m = layers.sequential({ layers: [
    layers.layers.conv3dTranspose({ inputShape: [4, 4, 4, c0], filters: c1, kernelSize: 3, strides: 2,
      padding: 'same', activation: 'relu' }),
    layers.layers.conv3dTranspose({ filters: c2, kernelSize: [2, 3, 3], strides: [1, 2, 2], padding: 'valid',
      activation: 'relu' }),
    layers.layers.conv3dTranspose({ filters: c3, kernelSize: 3, strides: 1, padding: 'same', useBias: true }),
  ] });
  const r = rng(seed);
  m.setWeights(m.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => r() * 0.5 - 0.25),
    w.shape)));
  return m;
}

/** The decoder on tfjs-cpu and on webgl with our kernel; counts downloads during the webgl predict. */
export async function layersModel() {
  const channels: [number, number, number, number] = [5, 4, 3, 2];
  const input = Float32Array.from({ length: 2 * 4 * 4 * 4 * channels[0] }, rng(7));
  await useBackend('cpu');
  const onCpu = decoder(1, channels);
  const want = onCpu.predict(tf.tensor(input, [2, 4, 4, 4, channels[0]])) as tf.Tensor;
  const wantData = want.dataSync().slice();
  const wantShape = want.shape;
  tf.dispose(want);
  onCpu.dispose();
  await useBackend('webgl');
  const registration = registerWithTfjs(ns);
  try {
    const m = decoder(1, channels);
    const x = tf.tensor(input, [2, 4, 4, 4, channels[0]]);
    const backend = tf.backend() as unknown as Record<string, (...a: unknown[]) => unknown>;
    let downloads = 0;
    const originals = { readSync: backend.readSync, read: backend.read };
    backend.readSync = (...a) => { downloads++; return originals.readSync.apply(backend, a); };
    backend.read = (...a) => { downloads++; return originals.read.apply(backend, a); };
    let y: tf.Tensor;
    try {
      y = m.predict(x) as tf.Tensor;
    } finally {
      Object.assign(backend, originals);
    }
    const got = diff(y.dataSync(), wantData, y.shape, wantShape);
    const stats = registration.stats();
    tf.dispose([x, y]);
    m.dispose();
    return { ...got, downloads, calls: stats?.calls ?? 0 };
  } finally {
    registration.unregister();
  }
}

/** tfjs ops before and after ours on one context, 50 mixed calls, each against the same on tfjs-cpu. */
export async function interleave(rounds = 50) {
  const r = rng(3);
  const rand = (shape: number[]) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);
  const steps = Array.from({ length: rounds }, (_, i) => ({ kind: i % 5, a: rand([2, 4, 4, 4, 3]),
    f: rand([3, 3, 3, 2, 3]), m: rand([6, 7]), k: rand([3, 3, 2, 4]) }));
  const run = () => steps.map(({ kind, a, f, m, k }) => {
    tf.engine().startScope();
    try {
      const x = tf.tensor5d(a, [2, 4, 4, 4, 3]);
      const y = tf.conv3dTranspose(x, tf.tensor5d(f, [3, 3, 3, 2, 3]), [2, 7, 7, 7, 2], [2, 2, 2], 'same');
      const before = kind === 0 ? tf.sum(tf.matMul(tf.tensor2d(m, [6, 7]), tf.tensor2d(m, [7, 6]))) : tf.scalar(0);
      const after = kind === 1 ? tf.conv2d(tf.reshape(y, [2 * 7, 7, 7, 2]) as tf.Tensor4D, tf.tensor4d(k, [3, 3, 2, 4]),
        1, 'same') : kind === 2 ? tf.add(y, y) : y;
      const scalar = kind === 3 ? tf.sum(after).dataSync()[0] : 0;
      return { y: Array.from(after.dataSync()), before: before.dataSync()[0], scalar };
    } finally {
      tf.engine().endScope();
    }
  });
  await useBackend('cpu');
  const want = run();
  await useBackend('webgl');
  const baseline = tf.memory().numTensors;
  const registration = registerWithTfjs(ns);
  const got = run();
  let maxAbs = 0;
  const relative = (g: number, w: number) => Math.abs(g - w) / Math.max(1, Math.abs(w));
  got.forEach((g, i) => {
    const w = want[i];
    g.y.forEach((v, j) => { maxAbs = Math.max(maxAbs, Math.abs(v - w.y[j])); });
    maxAbs = Math.max(maxAbs, relative(g.before, w.before), relative(g.scalar, w.scalar));
  });
  const stats = registration.stats();
  registration.unregister();
  return { maxAbs, rounds, calls: stats?.calls ?? 0, liveBytes: stats ? stats.textureBytes - stats.pooledBytes : -1,
    leakedTensors: tf.memory().numTensors - baseline };
}

/**
 * This library's backend on tfjs's context, after tfjs has drawn (leaving the scissor test and face culling on, a
 * program, framebuffer and textures bound): every piece of GL state is as tfjs left it after each of our calls, and
 * our results are right under tfjs's state.
 */
export async function sharedContext() {
  await useBackend('webgl');
  const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;
  tf.tidy(() => tf.matMul(tf.ones([8, 8]), tf.ones([8, 8])).dataSync());
  gl.enable(gl.SCISSOR_TEST);
  gl.scissor(0, 0, 1, 1);
  gl.enable(gl.CULL_FACE);
  gl.cullFace(gl.FRONT_AND_BACK);
  gl.pixelStorei(gl.UNPACK_ALIGNMENT, 8);
  const backend = createBackend({ gl });
  const x = randomTensor([1, 3, 4, 4, 4], 1);
  const w = randomTensor([3, 5, 3, 3, 3], 2);
  const changed: string[] = [];
  const step = async <T>(what: string, work: () => T | Promise<T>): Promise<T> => {
    const before = JSON.stringify(describeState(gl));
    const value = await work();
    if (JSON.stringify(describeState(gl)) !== before) changed.push(what);
    return value;
  };
  try {
    const gx = await step('upload()', () => backend.upload(x));
    const gw = await step('upload()', () => backend.upload(w));
    const gy = await step('convTranspose3d()', () => backend.convTranspose3d(gx, gw, { stride: 2, padding: 1 }));
    await step('finish()', () => backend.finish(gy));
    const y = await step('read()', () => gy.read());
    // Out to a dense NDHWC texture and back, as the tfjs entry converts tensors.
    const dense = await step('gpuTensorToDense()', () => gpuTensorToDense(backend, gy, [0, 2, 3, 4, 1]));
    const [, c, d, h, wd] = gy.shape;
    const back = await step('gpuTensorFromDense()', () => gpuTensorFromDense(backend, dense, gy.shape,
      [d * h * wd * c, 1, h * wd * c, wd * c, c]));
    const roundTrip = await step('read()', () => back.read());
    dense.dispose();
    back.dispose();
    const want = convTranspose3dReference(x, w, { stride: 2, padding: 1 });
    const report = diff(y.data, want.data, y.shape, want.shape);
    const trip = diff(roundTrip.data, y.data, roundTrip.shape, y.shape);
    if (trip.maxAbs !== 0 || !trip.ok) changed.push(`the dense round trip differs by ${trip.maxAbs}`);
    return { changed, ...report, scissorKept: gl.isEnabled(gl.SCISSOR_TEST), cullKept: gl.isEnabled(gl.CULL_FACE) };
  } finally {
    backend.dispose();
    gl.disable(gl.SCISSOR_TEST);
    gl.disable(gl.CULL_FACE);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
  }
}

/** GL state read here, independently of glState.ts: what a mistake there would otherwise hide. */
function readStateHere(gl: WebGL2RenderingContext) {
  const names = ['FRAMEBUFFER_BINDING', 'READ_FRAMEBUFFER_BINDING', 'RENDERBUFFER_BINDING', 'CURRENT_PROGRAM',
    'VERTEX_ARRAY_BINDING', 'ARRAY_BUFFER_BINDING', 'ACTIVE_TEXTURE', 'TEXTURE_BINDING_2D', 'TEXTURE_BINDING_2D_ARRAY',
    'VIEWPORT', 'SCISSOR_BOX', 'COLOR_CLEAR_VALUE', 'COLOR_WRITEMASK', 'UNPACK_ALIGNMENT', 'PACK_ALIGNMENT',
    'UNPACK_FLIP_Y_WEBGL', 'UNPACK_ROW_LENGTH', 'PIXEL_PACK_BUFFER_BINDING', 'PIXEL_UNPACK_BUFFER_BINDING'] as const;
  const enables = ['SCISSOR_TEST', 'CULL_FACE', 'BLEND', 'DEPTH_TEST', 'STENCIL_TEST', 'RASTERIZER_DISCARD'] as const;
  return { ...Object.fromEntries(names.map((n) => [n, gl.getParameter(gl[n])])),
    ...Object.fromEntries(enables.map((n) => [n, gl.isEnabled(gl[n])])) };
}

/** The GL state as comparable data (objects by identity, numbered in order of first appearance). */
function describeState(gl: WebGL2RenderingContext): unknown {
  const ids = new Map<unknown, number>();
  return JSON.parse(JSON.stringify({ saved: saveGlState(gl, 8), here: readStateHere(gl) }, (_, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype &&
      !ArrayBuffer.isView(v)) {
      if (!ids.has(v)) ids.set(v, ids.size + 1);
      return `object ${ids.get(v)}`;
    }
    return ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v;
  }));
}

/**
 * Gradients through conv3dTranspose on our kernel: the input's equals tfjs's conv3d of the upstream gradient, the
 * filter's equals tfjs-cpu's (itself checked against finite differences in Node), and a tiny model learns.
 */
export async function gradients() {
  const r = rng(11);
  const rand = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
  const dyData = rand(2 * 3 * 3 * 3 * 3);
  const fData = rand(3 * 3 * 3 * 4 * 3);
  const gData = rand(2 * 6 * 6 * 6 * 4);
  const grads = () => tf.tidy(() => {
    const dy = tf.tensor5d(dyData, [2, 3, 3, 3, 3]);
    const filter = tf.tensor5d(fData, [3, 3, 3, 4, 3]);
    const upstream = tf.tensor5d(gData, [2, 6, 6, 6, 4]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv3dTranspose(a as tf.Tensor5D, b as tf.Tensor5D, [2, 6, 6, 6, 4],
      2, 'same');
    const [gDy, gFilter] = tf.grads(f)([dy, filter], upstream);
    const viaConv = tf.conv3d(upstream, filter, 2, 'same');
    return [Array.from(gDy.dataSync()), Array.from(gFilter.dataSync()), Array.from(viaConv.dataSync())];
  });
  await useBackend('cpu');
  const registration = registerWithTfjs(ns);
  let onCpu: number[][];
  try {
    onCpu = grads();
  } finally {
    registration.unregister();
  }
  await useBackend('webgl');
  const again = registerWithTfjs(ns);
  try {
    const [gDy, gFilter, viaConv] = grads();
    const calls = again.stats()?.calls ?? 0;
    const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    // A tiny model: one conv3dTranspose whose filter learns another filter's output (which it can reach exactly).
    const x = tf.tensor5d(rand(1 * 2 * 2 * 2 * 3), [1, 2, 2, 2, 3]);
    const target = tf.tidy(() => tf.conv3dTranspose(x, tf.tensor5d(rand(3 * 3 * 3 * 2 * 3), [3, 3, 3, 2, 3]),
      [1, 4, 4, 4, 2], 2, 'same'));
    const w = tf.variable(tf.zeros([3, 3, 3, 2, 3]));
    const optimizer = tf.train.adam(0.1);
    const loss = () => tf.mean(tf.square(tf.sub(tf.conv3dTranspose(x, w as tf.Tensor5D, [1, 4, 4, 4, 2], 2, 'same'),
      target))) as tf.Scalar;
    const first = loss().dataSync()[0];
    for (let i = 0; i < 60; i++) optimizer.minimize(loss);
    const last = loss().dataSync()[0];
    tf.dispose([target, x, w]);
    optimizer.dispose();
    return { inputVsConv3d: maxDiff(gDy, viaConv), inputVsCpu: maxDiff(gDy, onCpu[0]),
      filterVsCpu: maxDiff(gFilter, onCpu[1]), calls, lossBefore: first, lossAfter: last };
  } finally {
    again.unregister();
  }
}

/** A peer test vector in PyTorch's conventions (NCDHW or unbatched CDHW input, weight [in, out, kD, kH, kW]). */
interface PeerCase { name: string; input: Encoded; weight: Encoded; bias: Encoded | null; output: Encoded;
  stride: number[] }

/**
 * Peer cases with no padding (TensorFlow's 'VALID') through tf.conv3dTranspose on our kernel, in NDHWC (a bias
 * added after, as a layer adds it): the input
 * and expected output transposed from NCDHW, the weight from [in, out, kD, kH, kW] to TensorFlow's [kD, kH, kW, out,
 * in].
 */
export async function peerCases(cases: PeerCase[]) {
  await useBackend('webgl');
  const registration = registerWithTfjs(ns);
  try {
    return cases.map((c) => {
      const x = decode(c.input);
      const w = decode(c.weight);
      const want = decode(c.output);
      const x5 = x.shape.length === 4 ? [1, ...x.shape] : x.shape;
      const y5 = want.shape.length === 4 ? [1, ...want.shape] : want.shape;
      const toTf = (t: { shape: number[]; data: Float32Array }) =>
        tf.tensor5d(t.data, t.shape as [number, number, number, number, number]);
      const dy = toTf(permuteAxes(x.data, x5, [0, 2, 3, 4, 1]));
      const filter = toTf(permuteAxes(w.data, w.shape, [2, 3, 4, 1, 0]));
      const outShape: [number, number, number, number, number] = [y5[0], y5[2], y5[3], y5[4], y5[1]];
      const convolved = tf.conv3dTranspose(dy, filter, outShape, c.stride as [number, number, number], 'valid');
      // A bias (the layers cases have one) is added on the channel axis, last in NDHWC.
      const y = c.bias ? tf.add(convolved, tf.tensor1d(decode(c.bias).data)) : convolved;
      const expected = permuteAxes(want.data, y5, [0, 2, 3, 4, 1]).data;
      const result = { name: c.name, ...diff(y.dataSync(), expected, y.shape, outShape) };
      tf.dispose([dy, filter, convolved, y]);
      return result;
    });
  } finally {
    registration.unregister();
  }
}

/**
 * `unregister()` puts tfjs back as it was: the webgl kernel is tfjs's own config again, the gradient is gone, a
 * graph with the op fails to load again, and tfjs's kernel computes (our backend counts no call).
 */
export async function unregisterRestores() {
  await useBackend('webgl');
  const kernel = 'Conv3DBackpropInputV2';
  const own = tf.getKernel(kernel, 'webgl');
  const gradientBefore = tf.getGradient(kernel);
  const registration = registerWithTfjs(ns);
  const replaced = tf.getKernel(kernel, 'webgl') !== own;
  const gradientDuring = tf.getGradient(kernel) !== undefined;
  registration.unregister();
  let unknownOp = '';
  try {
    runGraph(await loadGraph(), expected.nodes);
  } catch (e) {
    unknownOp = String((e as Error).message);
  }
  const y = tf.conv3dTranspose(tf.ones([1, 2, 2, 2, 3]) as tf.Tensor5D, tf.ones([2, 2, 2, 4, 3]) as tf.Tensor5D,
    [1, 4, 4, 4, 4], 2, 'same');
  const sum = tf.sum(y).dataSync()[0];
  tf.dispose(y);
  return { replaced, gradientDuring, kernelRestored: tf.getKernel(kernel, 'webgl') === own,
    gradientRestored: tf.getGradient(kernel) === gradientBefore, unknownOp, sum, stats: registration.stats() };
}

/** A layers model with a conv3dTranspose layer learns through `model.fit` on our kernel and gradient. */
export async function layersFit() {
  await useBackend('webgl');
  const registration = registerWithTfjs(ns);
  const r = rng(5);
  try {
    const x = tf.tensor5d(Float32Array.from({ length: 4 * 2 * 2 * 2 * 3 }, () => r() * 2 - 1), [4, 2, 2, 2, 3]);
    // The target: another conv3dTranspose of the same input, so the model can reach it exactly.
    const teacher = layers.sequential({ layers: [layers.layers.conv3dTranspose({ inputShape: [2, 2, 2, 3],
      filters: 2, kernelSize: 3, strides: 2, padding: 'same' })] });
    const target = teacher.predict(x) as tf.Tensor;
    const model = layers.sequential({ layers: [layers.layers.conv3dTranspose({ inputShape: [2, 2, 2, 3],
      filters: 2, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: 'zeros' })] });
    model.compile({ optimizer: tf.train.adam(0.1), loss: 'meanSquaredError' });
    const history = await model.fit(x, target, { epochs: 60, batchSize: 4, verbose: 0 });
    const loss = history.history.loss as number[];
    const calls = registration.stats()?.calls ?? 0;
    tf.dispose([x, target]);
    teacher.dispose();
    model.dispose();
    return { first: loss[0], last: loss[loss.length - 1], calls };
  } finally {
    registration.unregister();
  }
}
