// The CPU reference: PyTorch's definition, evaluated directly in float64 and rounded once to float32 (as the golden
// data was made). Deliberately independent of the GPU path's index arithmetic: it places every (input, tap) pair
// where the definition puts it instead of using the stride-phase tables.
import { checkCall, numel, type CheckedCall, type ConvSpec } from './args.js';
import { forEachLanding } from './coverage.js';
import type { ConvTranspose3dOptions, Tensor } from './types.js';

/** For each output position of one axis, the (tap, input position) pairs that reach it, in tap order. */
function axisTaps(outLen: number, inLen: number, k: number, stride: number, padding: number, dilation: number) {
  const taps = Array.from({ length: outLen }, () => [] as Array<[number, number]>);
  forEachLanding(outLen, inLen, k, stride, padding, dilation, (o, t, i) => taps[o].push([t, i]));
  return taps;
}

/** Runs a checked call on the CPU. */
function referenceFromSpec(spec: ConvSpec, x: Float32Array, w: Float32Array, bias: Float32Array | null):
  Float32Array {
  const { batch: N, inPerGroup: Cig, outPerGroup: Cog, inSize, kernel, outSize } = spec;
  const [ID, IH, IW] = inSize;
  const [KD, KH, KW] = kernel;
  const [OD, OH, OW] = outSize;
  const Cin = spec.inChannels;
  const Cout = spec.outChannels;
  // An empty batch: nothing to compute, whatever the other sizes.
  if (numel(spec.outShape) === 0) return new Float32Array(0);
  const tD = axisTaps(OD, ID, KD, spec.stride[0], spec.padding[0], spec.dilation[0]);
  const tH = axisTaps(OH, IH, KH, spec.stride[1], spec.padding[1], spec.dilation[1]);
  const tW = axisTaps(OW, IW, KW, spec.stride[2], spec.padding[2], spec.dilation[2]);
  const out = new Float32Array(N * Cout * OD * OH * OW);
  const inVol = ID * IH * IW;
  const kVol = KD * KH * KW;
  let p = 0;
  for (let n = 0; n < N; n++) {
    for (let co = 0; co < Cout; co++) {
      const g = Math.floor(co / Cog);
      const col = co - g * Cog;
      const b = bias ? bias[co] : 0;
      for (let od = 0; od < OD; od++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            let acc = 0;
            for (let cl = 0; cl < Cig; cl++) {
              const ci = g * Cig + cl;
              const xBase = (n * Cin + ci) * inVol;
              const wBase = (ci * Cog + col) * kVol;
              for (const [kd, id] of tD[od]) {
                for (const [kh, ih] of tH[oh]) {
                  const xRow = xBase + (id * IH + ih) * IW;
                  const wRow = wBase + (kd * KH + kh) * KW;
                  for (const [kw, iw] of tW[ow]) acc += x[xRow + iw] * w[wRow + kw];
                }
              }
            }
            out[p++] = acc + b;
          }
        }
      }
    }
  }
  return out;
}

/**
 * `torch.nn.functional.conv_transpose3d` on the CPU, in float64 with one rounding to float32.
 * Slow but simple; it is the yardstick for the GPU path.
 *
 * @example
 * const y = convTranspose3dReference(x, w, { stride: 2, padding: 1 });
 */
export function convTranspose3dReference(input: Tensor, weight: Tensor, options?: ConvTranspose3dOptions): Tensor {
  return referenceFromCall(checkCall(input, weight, options));
}

/** Runs a call already checked by {@link checkCall} on the CPU. */
export function referenceFromCall({ spec, input, weight, bias }: CheckedCall<Tensor>): Tensor {
  return { shape: spec.outShape, data: referenceFromSpec(spec, input.data, weight.data, bias?.data ?? null) };
}
