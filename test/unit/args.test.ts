// Every call PyTorch rejects, and every malformed argument, throws a clear Error naming the argument.
import { describe, expect, it } from 'vitest';
import {
  convTranspose3dOutputShape, convTranspose3dReference, numel, outputPaddingForSize, tensor, type ConvTranspose3dOptions,
  type Tensor,
} from '../../src/index';
import { GOLDEN_SOURCES, optionsOf, type GoldenError } from '../support/golden';

const ARGUMENT_NAMES = ['input', 'weight', 'bias', 'stride', 'padding', 'outputPadding', 'groups', 'dilation',
  'output size'];

function zeros(shape: number[]): Tensor {
  return { shape, data: new Float32Array(numel(shape)) };
}

function errorCall(e: GoldenError): () => unknown {
  const opts: ConvTranspose3dOptions = { ...optionsOf(e), bias: e.bias_shape ? zeros(e.bias_shape) : null };
  return () => convTranspose3dReference(zeros(e.input_shape), zeros(e.weight_shape), opts);
}

for (const { label, set, absent } of GOLDEN_SOURCES.filter((s) => s.rules)) {
  describe.skipIf(!set)(`PyTorch's rejected calls (${label}${set ? '' : `: ${absent}`})`, () => {
    for (const e of set?.errors ?? []) {
      it(`${e.name}: PyTorch says "${e.torch_error.slice(0, 60)}"`, () => {
        expect(errorCall(e)).toThrowError(/^conv_transpose3d: /);
        let message = '';
        try {
          errorCall(e)();
        } catch (err) {
          message = (err as Error).message;
        }
        if (e.argument) expect(message).toContain(e.argument);
        else expect(ARGUMENT_NAMES.some((name) => message.includes(name)), message).toBe(true);
      });
    }
  });
}

describe('malformed arguments', () => {
  const x = zeros([1, 2, 3, 3, 3]);
  const w = zeros([2, 3, 2, 2, 2]);
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['fractional stride', () => convTranspose3dReference(x, w, { stride: 1.5 }), /stride must hold integers.*1\.5/],
    ['NaN padding', () => convTranspose3dReference(x, w, { padding: NaN }), /padding must hold integers.*NaN/],
    ['Infinity dilation', () => convTranspose3dReference(x, w, { dilation: Infinity }), /dilation.*Infinity/],
    ['string groups', () => convTranspose3dReference(x, w, { groups: '2' as unknown as number }),
      /groups must be an integer, got "2"/],
    ['fractional groups', () => convTranspose3dReference(x, w, { groups: 0.5 }), /groups must be an integer/],
    ['tuple of 2', () => convTranspose3dReference(x, w, { stride: [1, 2] as unknown as [number, number, number] }),
      /stride must be an integer or a list of 3 integers.*\[1, 2\]/],
    ['tuple of 4', () => convTranspose3dReference(x, w, {
      dilation: [1, 1, 1, 1] as unknown as [number, number, number],
    }), /dilation must be an integer or a list of 3.*4 values/],
    ['tuple with fraction', () => convTranspose3dReference(x, w, { padding: [0, 0.5, 0] }),
      /padding must hold integers, got \[0, 0\.5, 0\]/],
    ['data length', () => convTranspose3dReference({ shape: [1, 2, 3, 3, 3], data: new Float32Array(53) }, w),
      /input\.data has 53 elements but input\.shape \[1, 2, 3, 3, 3\] needs 54/],
    ['Float64Array data', () => convTranspose3dReference(x, {
      shape: w.shape, data: new Float64Array(48) as unknown as Float32Array,
    }), /weight\.data must be a Float32Array, got Float64Array\(48\)/],
    ['plain array data', () => convTranspose3dReference({
      shape: x.shape, data: Array.from(x.data) as unknown as Float32Array,
    }, w), /input\.data must be a Float32Array/],
    ['1-D input', () => convTranspose3dReference(zeros([4]), w), /input must be 4-D.*\[4\] \(1-D\)/],
    ['6-D input', () => convTranspose3dReference(zeros([1, 1, 2, 3, 3, 3]), w), /input must be 4-D.*6-D/],
    ['negative size', () => convTranspose3dReference({ shape: [1, 2, -3, 3, 3], data: new Float32Array(0) }, w),
      /input\.shape must hold non-negative integers/],
    ['fractional size', () => convTranspose3dReference({ shape: [1, 2, 1.5, 3, 3], data: new Float32Array(0) }, w),
      /input\.shape must hold non-negative integers, got \[1, 2, 1\.5, 3, 3\]/],
    ['null input', () => convTranspose3dReference(null as unknown as Tensor, w), /input must be a tensor/],
    ['shape not an array', () => convTranspose3dReference({ shape: 5, data: x.data } as unknown as Tensor, w),
      /input\.shape must be an array/],
    ['bias not a tensor', () => convTranspose3dReference(x, w, { bias: [1, 2, 3] as unknown as Tensor }),
      /bias\.shape must be an array/],
    ['unknown option', () => convTranspose3dReference(x, w, { output_padding: 1 } as ConvTranspose3dOptions),
      /unknown option "output_padding" \(did you mean outputPadding\?\)/],
    ['options not an object', () => convTranspose3dReference(x, w, 3 as unknown as ConvTranspose3dOptions),
      /options must be an object, got 3/],
  ];
  for (const [name, call, pattern] of cases) {
    it(name, () => expect(call).toThrowError(pattern));
  }

  it('never modifies the inputs, even when it throws', () => {
    const xs = tensor([1, 2, 3, 3, 3], Float32Array.from({ length: 54 }, (_, i) => i));
    const before = xs.data.slice();
    const opts = { stride: [2, 2, 2] as [number, number, number] };
    convTranspose3dReference(xs, w, opts);
    expect(() => convTranspose3dReference(xs, w, { ...opts, groups: 3 })).toThrow();
    expect(xs.data).toEqual(before);
    expect(xs.shape).toEqual([1, 2, 3, 3, 3]);
    expect(opts.stride).toEqual([2, 2, 2]);
  });
});

describe('output shape', () => {
  it("PyTorch's documentation example", () => {
    // nn.ConvTranspose3d(16, 33, 3, stride=2) on (20, 16, 10, 50, 100) gives (20, 33, 21, 101, 201)
    expect(convTranspose3dOutputShape([20, 16, 10, 50, 100], [16, 33, 3, 3, 3], { stride: 2 }))
      .toEqual([20, 33, 21, 101, 201]);
    // nn.ConvTranspose3d(16, 33, (3, 5, 2), stride=(2, 1, 1), padding=(0, 4, 2))
    expect(convTranspose3dOutputShape([20, 16, 10, 50, 100], [16, 33, 3, 5, 2],
      { stride: [2, 1, 1], padding: [0, 4, 2] })).toEqual([20, 33, 21, 46, 97]);
  });
  it('unbatched, groups, dilation, output padding', () => {
    expect(convTranspose3dOutputShape([6, 3, 4, 5], [6, 2, 3, 3, 3],
      { groups: 3, dilation: [1, 2, 3], outputPadding: [0, 1, 2], stride: [1, 2, 3] })).toEqual([6, 5, 12, 21]);
  });
  it('empty batch keeps its shape', () => {
    expect(convTranspose3dOutputShape([0, 3, 3, 3, 3], [3, 2, 3, 3, 3])).toEqual([0, 2, 5, 5, 5]);
  });
  it('rejects like the call', () => {
    expect(() => convTranspose3dOutputShape([1, 2, 3, 3, 3], [2, 2, 3, 3, 3], { padding: 3 }))
      .toThrowError(/output size \[-1, -1, -1\] is too small/);
  });
});

for (const { label, set, absent } of GOLDEN_SOURCES.filter((s) => s.rules)) {
  describe.skipIf(!set)(`output_size rule (${label}${set ? '' : `: ${absent}`})`, () => {
    for (const c of set?.output_size ?? []) {
      it(c.name, () => {
        const call = () => outputPaddingForSize(c.input_shape, c.kernel_size as [number, number, number],
          c.output_size, { stride: c.stride as [number, number, number], padding: c.padding as [number, number, number],
            dilation: c.dilation as [number, number, number] });
        if (c.torch_error) {
          expect(call).toThrowError(/outputSize/);
        } else {
          expect(call()).toEqual(c.output_padding);
        }
      });
    }
  });
}
