// Runs a Conv3DBackpropInputV2 on TensorFlow.js's WebGL backend with this library's kernel, on tfjs's own context:
// dy and the filter are read from tfjs's textures, converted into this library's layout by a GPU pass, and the
// output is handed back as a tfjs texture, all without a trip through the CPU.
import { resolveExplicitShapes } from '../args.js';
import { gpuTensorFromDense, gpuTensorToDense, planGpuCall, runWebglCall, type WebglBackend } from
  '../backend.js';
import type { GpuTensor } from '../backendApi.js';
import { createBackend } from '../engines.js';
import { isWebgl2 } from '../gl/context.js';
import { numel } from '../tensor.js';
import { checkDtypes, tfArrays, type TfTransposeCall } from './attrs.js';
import { runOnCpu } from './cpu.js';
import type { TfTensorInfo } from './types.js';

/** The parts of tfjs-backend-webgl's `MathBackendWebGL` used here. */
export interface TfWebglBackend {
  gpgpu: { gl: WebGL2RenderingContext };
  /** Puts a tensor made from CPU values on the GPU (a no-op for one already there). Internal to tfjs, as are
   * `texData`, `runWebGLProgram` and `disposeIntermediateTensorInfo` (the peer dependency pins the version). */
  uploadToGPU(dataId: object): void;
  /** A dense RGBA copy of a tensor (four consecutive values a texel); `tensorRef` must be disposed after use. */
  readToGPU(dataId: object): { texture: WebGLTexture; texShape: [number, number]; tensorRef: { dispose(): void } };
  /** Copies a dense RGBA texture into a new tfjs tensor's texture (a GPU pass); the caller keeps its texture. */
  writeTexture(texture: WebGLTexture, shape: number[], dtype: 'float32', texHeight: number, texWidth: number,
    channels: string): object;
  makeTensorInfo(shape: number[], dtype: 'float32', values?: Float32Array): TfTensorInfo;
  /** Downloads a tensor's values (only where the context is not WebGL2). */
  readSync(dataId: object): ArrayLike<number>;
  /** Its record of each tensor: a slice is a view into another tensor's texture. */
  texData: { get(dataId: object): { slice?: unknown } | undefined };
  runWebGLProgram(program: object, inputs: TfTensorInfo[], dtype: string): TfTensorInfo;
  disposeIntermediateTensorInfo(info: TfTensorInfo): void;
}

/** tfjs's copy program (its UnaryOpProgram with CLONE), as a plain program description. */
const cloneProgram = (shape: number[]) => ({ variableNames: ['A'], outputShape: shape,
  userCode: 'void main() { setOutput(getAAtOutCoords()); }' });

/**
 * A dense RGBA copy of `t` on tfjs's context, and what to free after. tfjs's readToGPU copies a slice (a view into
 * another tensor's texture) before decoding it, but then passes the copy on wrongly (4.22); a slice is copied here
 * first, which readToGPU then decodes as any tensor.
 */
function denseCopy(tfBackend: TfWebglBackend, t: TfTensorInfo) {
  tfBackend.uploadToGPU(t.dataId);
  const copy = tfBackend.texData.get(t.dataId)?.slice != null
    ? tfBackend.runWebGLProgram(cloneProgram(t.shape), [t], t.dtype) : null;
  let dense: ReturnType<TfWebglBackend['readToGPU']>;
  try {
    dense = tfBackend.readToGPU((copy ?? t).dataId);
  } catch (e) {
    if (copy) tfBackend.disposeIntermediateTensorInfo(copy);
    throw e;
  }
  return {
    texture: dense.texture, rows: dense.texShape[0], cols: dense.texShape[1],
    dispose: () => {
      dense.tensorRef.dispose();
      if (copy) tfBackend.disposeIntermediateTensorInfo(copy);
    },
  };
}

/** One backend of this library per tfjs context, made on first use. */
const backends = new WeakMap<WebGL2RenderingContext, WebglBackend>();

/**
 * This library's backend on the context of tfjs's WebGL backend `tfBackend` (it leaves tfjs's GL state alone).
 *
 * @example
 * backendOn(tf.backend() as TfWebglBackend).stats();
 */
export function backendOn(tfBackend: TfWebglBackend): WebglBackend {
  const { gl } = tfBackend.gpgpu;
  let backend = backends.get(gl);
  if (!backend) {
    backend = createBackend({ gl });
    backends.set(gl, backend);
  }
  return backend;
}

/**
 * Frees the backend made on `gl`, if any (after unregistering, or when tfjs removes its backend: tfjs may keep its
 * context).
 *
 * @example
 * disposeBackendOn(tfBackend.gpgpu.gl);
 */
export function disposeBackendOn(gl: WebGL2RenderingContext): void {
  backends.get(gl)?.dispose();
  backends.delete(gl);
}

/**
 * The backend made on `gl`, if any, for the caller's statistics.
 *
 * @example
 * backendIfAny(gl)?.stats().calls;
 */
export function backendIfAny(gl: WebGL2RenderingContext): WebglBackend | null {
  return backends.get(gl) ?? null;
}

/**
 * The op's output, computed on the GPU. `dy` and `filter` are tfjs tensors of `tfBackend` in the op's layouts.
 * On a WebGL1 context of tfjs's, computed on the CPU from their downloaded values instead.
 *
 * @example
 * const out = runOnTfjsWebgl(backend, inputs.dy, inputs.filter, tfTransposeCall({ ... }));
 */
export function runOnTfjsWebgl(tfBackend: TfWebglBackend, dy: TfTensorInfo, filter: TfTensorInfo,
  call: TfTransposeCall): TfTensorInfo {
  checkDtypes(dy.dtype, filter.dtype);
  const arrays = tfArrays(call);
  if (numel(arrays.outputShape) === 0 || numel(arrays.dyShape) === 0 || !isWebgl2(tfBackend.gpgpu.gl)) {
    return tfBackend.makeTensorInfo(arrays.outputShape, 'float32',
      runOnCpu(tfBackend.readSync(dy.dataId), tfBackend.readSync(filter.dataId), call));
  }
  const ours = backendOn(tfBackend);
  const spec = resolveExplicitShapes([call.batch, call.inChannels, ...call.inSize],
    [call.inChannels, call.outChannels, ...call.kernel], null,
    { stride: call.stride, dilation: call.dilation, padFront: call.padFront, outSize: call.outSize });
  // What the device refuses (too large for its textures or the shaders' ranges), refused before any GPU work.
  planGpuCall(ours, spec);
  const copies: Array<{ dispose(): void }> = [];
  const made: GpuTensor[] = [];
  try {
    // A tensor made from CPU values (a layer's weights, say) reaches the GPU here once, as tfjs's own kernels do.
    const dyDense = denseCopy(tfBackend, dy);
    copies.push(dyDense);
    const filterDense = denseCopy(tfBackend, filter);
    copies.push(filterDense);
    const x = gpuTensorFromDense(ours, dyDense, [call.batch, call.inChannels, ...call.inSize], arrays.dy);
    made.push(x);
    const w = gpuTensorFromDense(ours, filterDense, [call.inChannels, call.outChannels, ...call.kernel],
      arrays.filter);
    made.push(w);
    const y = runWebglCall(ours, { spec, input: x, weight: w, bias: null });
    made.push(y);
    const out = gpuTensorToDense(ours, y, arrays.outputAxes);
    try {
      const dataId = tfBackend.writeTexture(out.texture, arrays.outputShape, 'float32', out.rows, out.cols, 'RGBA');
      return { dataId, shape: arrays.outputShape, dtype: 'float32' };
    } finally {
      out.dispose();
    }
  } finally {
    for (const t of made) t.dispose();
    for (const c of copies) c.dispose();
  }
}
