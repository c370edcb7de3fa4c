// A Conv3DBackpropInputV2 on the CPU, for graph models on tfjs backends other than WebGL: the op's arrays read
// through the layout mapping into this library's CPU reference, and its output written back in the op's layout.
import { resolveExplicitShapes } from '../args.js';
import { numel } from '../tensor.js';
import { referenceFromCall } from '../reference.js';
import { tfArrays, type TfTransposeCall } from './attrs.js';

/** Reads a row-major array through the strides of the five axes of `shape` into a contiguous NCDHW-order copy. */
function gather(data: ArrayLike<number>, shape: readonly number[], strides: readonly number[]): Float32Array {
  const out = new Float32Array(numel(shape));
  const [A, B, C, D, E] = shape;
  let p = 0;
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < C; c++) {
        for (let d = 0; d < D; d++) {
          const base = a * strides[0] + b * strides[1] + c * strides[2] + d * strides[3];
          for (let e = 0; e < E; e++) out[p++] = data[base + e * strides[4]];
        }
      }
    }
  }
  return out;
}

/**
 * The op's output on the CPU, in the op's layout, from dy and the filter in theirs (float64 sums, rounded once).
 *
 * @example
 * const out = runOnCpu(dy.dataSync(), filter.dataSync(), call);
 */
export function runOnCpu(dy: ArrayLike<number>, filter: ArrayLike<number>, call: TfTransposeCall): Float32Array {
  const arrays = tfArrays(call);
  // Nothing lands in an output from an empty dy (or an empty batch): zeros, as on the GPU path.
  if (numel(arrays.outputShape) === 0 || numel(arrays.dyShape) === 0) return new Float32Array(numel(arrays.outputShape));
  const xShape = [call.batch, call.inChannels, ...call.inSize];
  const wShape = [call.inChannels, call.outChannels, ...call.kernel];
  const spec = resolveExplicitShapes(xShape, wShape, null,
    { stride: call.stride, dilation: call.dilation, padFront: call.padFront, outSize: call.outSize });
  const y = referenceFromCall({ spec, input: { shape: xShape, data: gather(dy, xShape, arrays.dy) },
    weight: { shape: wShape, data: gather(filter, wShape, arrays.filter) }, bias: null });
  if (call.dataFormat === 'NCDHW') return y.data;
  // NCDHW to NDHWC: read the output through the strides its axes have in NCDHW.
  const [N, Co, OD, OH, OW] = spec.outShape;
  const plane = OD * OH * OW;
  return gather(y.data, [N, OD, OH, OW, Co], [Co * plane, OH * OW, OW, 1, plane]);
}
