// The ./tfjs entry: TensorFlow.js's 3-D transposed convolutions on this library's kernel. Nothing else in the
// library imports it, so the main entry never pulls TensorFlow.js in; and it imports no tfjs either: it works on the
// namespace the caller hands in.
import type { BackendStats } from '../gl/stats.js';
import { checkDtypes, tfTransposeCall, type TfTransposeCall } from './attrs.js';
import { runOnCpu } from './cpu.js';
import { conv3dTransposeGradient, type TfLike } from './gradient.js';
import type { TfGradConfig, TfGraphNode, TfKernelConfig, TfKernelParams, TfNamespace } from './types.js';
import { isWebgl2 } from '../gl/context.js';
import { backendIfAny, disposeBackendOn, runOnTfjsWebgl, type TfWebglBackend } from './webgl.js';

export type {
  TfAttribute, TfDataType, TfGradConfig, TfGraphNode, TfKernelConfig, TfKernelParams, TfNamespace, TfRegisteredOp,
  TfTensor, TfTensorInfo,
} from './types.js';

/** The kernel tfjs's `conv3dTranspose` runs, and the op TensorFlow graphs name. */
const KERNEL = 'Conv3DBackpropInputV2';
/** This library's own kernel, for graph-model ops (TensorFlow's attributes in full) on tfjs's WebGL backend. */
const GRAPH_KERNEL = 'ConvTranspose3dTensorFlow';

/** What {@link registerWithTfjs} installed; `unregister()` takes it all back out. */
export interface TfjsRegistration {
  /**
   * Puts TensorFlow.js back as it was: the WebGL backend's own kernel and the previous gradient (none in tfjs);
   * the graph op is deregistered, so tfjs-converter again knows none (it does not expose an op registered before,
   * so one the caller had registered under the same name is not brought back); frees this library's textures on
   * tfjs's context. What another registration installed since is left in place.
   */
  unregister(): void;
  /** Counters of this library's backend on tfjs's context (draws, calls, textures), or null before its first call. */
  stats(): BackendStats | null;
}

/** A graph attribute as a list of numbers, as tfjs-converter may hand it (numbers, or a single number). */
function numbers(value: unknown): number[] | number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  return Array.from(value as ArrayLike<number>, Number);
}

/** The call a graph node describes: inputs `input_sizes`, `filter`, `out_backprop`, and TensorFlow's attributes. */
function graphCall(node: TfGraphNode): TfTransposeCall {
  const [sizes, filter, dy] = node.inputs;
  const a = node.attrs;
  checkDtypes(dy.dtype, filter.dtype);
  return tfTransposeCall({
    outputShape: Array.from(sizes.dataSync(), Number), dyShape: dy.shape, filterShape: filter.shape,
    strides: numbers(a.strides) ?? 1, dilations: numbers(a.dilations), padding: String(a.padding),
    dataFormat: a.data_format === undefined ? undefined : String(a.data_format),
  });
}

/**
 * Runs TensorFlow.js's 3-D transposed convolutions on this library's WebGL kernel, and the TensorFlow graphs it
 * cannot run at all. Installs, on the caller's tfjs (never a copy of its own):
 * - the WebGL backend's `Conv3DBackpropInputV2` kernel, so `tf.conv3dTranspose` and `tf.layers.conv3dTranspose` run
 *   here, their tensors staying on the GPU (other backends keep their own kernels);
 * - when `tf.registerOp` is there (tfjs-converter, in `@tensorflow/tfjs`), the graph op `Conv3DBackpropInputV2` with
 *   TensorFlow's attributes in full: `strides`, `padding` `'SAME'` or `'VALID'`, `data_format` `'NDHWC'` or
 *   `'NCDHW'`, `dilations` (on backends other than WebGL the op runs on the CPU);
 * - a gradient for `Conv3DBackpropInputV2`, which tfjs lacks, so `tf.grad` and `model.fit` work through
 *   `conv3dTranspose` on every backend.
 *
 * Register before loading a graph model: tfjs-converter checks a model's ops when it loads it.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { registerWithTfjs } from 'webgl-conv-transpose3d/tfjs';
 * const registration = registerWithTfjs(tf);
 * const model = await tf.loadGraphModel(url);   // with Conv3DBackpropInputV2 nodes
 * const y = model.predict(x);
 * registration.unregister();                      // tfjs as it was
 */
export function registerWithTfjs(tf: TfNamespace): TfjsRegistration {
  const original = tf.getKernel(KERNEL, 'webgl');
  let seen: WebGL2RenderingContext | null = null;
  const onWebgl = (params: TfKernelParams, call: TfTransposeCall) => {
    const backend = params.backend as TfWebglBackend;
    seen = backend.gpgpu.gl;
    return runOnTfjsWebgl(backend, params.inputs.dy, params.inputs.filter, call);
  };
  // tfjs calls this when it removes its WebGL backend: our textures on its context go with it.
  const disposeFunc = (backend: unknown) => disposeBackendOn((backend as TfWebglBackend).gpgpu.gl);
  const kernel: TfKernelConfig = {
    kernelName: KERNEL, backendName: 'webgl', disposeFunc,
    kernelFunc: (params) => {
      // On a WebGL1 context (no WebGL2 in the browser) tfjs's own kernel runs: this library needs WebGL2.
      if (original && !isWebgl2((params.backend as TfWebglBackend).gpgpu.gl)) return original.kernelFunc(params);
      const attrs = params.attrs as unknown as { strides: number[] | number; pad: string; inputShape: number[] };
      return onWebgl(params, tfTransposeCall({ outputShape: attrs.inputShape, dyShape: params.inputs.dy.shape,
        filterShape: params.inputs.filter.shape, strides: attrs.strides, padding: attrs.pad }));
    },
  };
  const graphKernel: TfKernelConfig = {
    kernelName: GRAPH_KERNEL, backendName: 'webgl', disposeFunc,
    kernelFunc: (params) => onWebgl(params, (params.attrs as unknown as { call: TfTransposeCall }).call),
  };
  if (original) tf.unregisterKernel(KERNEL, 'webgl');
  tf.registerKernel(kernel);
  tf.registerKernel(graphKernel);

  const previousOp = tf.getRegisteredOp?.(KERNEL);
  const withOp = typeof tf.registerOp === 'function';
  if (withOp) {
    tf.registerOp!(KERNEL, (node) => {
      const call = graphCall(node);
      const [, filter, dy] = node.inputs;
      if (tf.getBackend() === 'webgl') return tf.engine().runKernel(GRAPH_KERNEL, { dy, filter }, { call }) as never;
      return tf.tensor(runOnCpu(dy.dataSync(), filter.dataSync(), call),
        call.dataFormat === 'NDHWC' ? [call.batch, ...call.outSize, call.outChannels]
          : [call.batch, call.outChannels, ...call.outSize], 'float32') as never;
    });
  }

  const previousGradient = tf.getGradient?.(KERNEL);
  if (previousGradient) tf.unregisterGradient(KERNEL);
  // The gradient is written against tfjs-core's own types; TfNamespace is the same namespace, typed structurally.
  const gradient = conv3dTransposeGradient(tf as unknown as TfLike) as unknown as TfGradConfig;
  tf.registerGradient(gradient);

  let registered = true;
  return {
    unregister() {
      if (!registered) return;
      registered = false;
      // Only what is still ours is taken out: a later registration's kernels and gradient stay.
      if (tf.getKernel(KERNEL, 'webgl') === kernel) {
        tf.unregisterKernel(KERNEL, 'webgl');
        if (original) tf.registerKernel(original);
      }
      if (tf.getKernel(GRAPH_KERNEL, 'webgl') === graphKernel) tf.unregisterKernel(GRAPH_KERNEL, 'webgl');
      if (withOp) {
        tf.deregisterOp?.(KERNEL);
        if (previousOp?.customExecutor) tf.registerOp!(KERNEL, previousOp.customExecutor);
      }
      if (!tf.getGradient || tf.getGradient(KERNEL) === gradient) {
        tf.unregisterGradient(KERNEL);
        if (previousGradient) tf.registerGradient(previousGradient);
      }
      if (seen) disposeBackendOn(seen);
    },
    stats: () => (seen ? backendIfAny(seen)?.stats() ?? null : null),
  };
}
