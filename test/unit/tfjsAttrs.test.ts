// TensorFlow's Conv3DBackpropInputV2 in the library's terms: attributes read and checked as TensorFlow checks them,
// the front padding and output size it describes, the spec built from them, and the CPU path against the expected
// outputs of the graph-model fixture (TensorFlow's definition, computed independently by its generator).
import { describe, expect, it } from 'vitest';
import { resolveExplicitShapes, resolveShapes } from '../../src/args';
import { ConvTranspose3dError } from '../../src/errors';
import { checkDtypes, tfArrays, tfTransposeCall, type TfTransposeArgs } from '../../src/tfjs/attrs';
import { runOnCpu } from '../../src/tfjs/cpu';
import { nodes, weights, type ExpectedNode } from '../support/tfjsGraph';

const argsOf = (n: ExpectedNode): TfTransposeArgs => ({ outputShape: n.outputShape, dyShape: n.dyShape,
  filterShape: n.filterShape, strides: n.strides, dilations: n.dilations, padding: n.padding,
  dataFormat: n.dataFormat });

/** The error a call throws, as [argument, message]. */
function refusal(args: TfTransposeArgs): [string | null, string] {
  try {
    tfTransposeCall(args);
  } catch (e) {
    if (e instanceof ConvTranspose3dError) return [e.argument, e.message];
    throw e;
  }
  throw new Error('not refused');
}

describe("TensorFlow's Conv3DBackpropInputV2", () => {
  it("computes TensorFlow's front padding for every node of the fixture", () => {
    for (const n of nodes) expect(tfTransposeCall(argsOf(n)).padFront, n.output).toEqual(n.padBefore);
  });

  it('puts the odd position of an odd SAME total at the back, and counts a negative total as zero', () => {
    const same = (out: number, dy: number, k: number, s: number) => tfTransposeCall({ outputShape: [1, out, 1, 1, 1],
      dyShape: [1, dy, 1, 1, 1], filterShape: [k, 1, 1, 1, 1], strides: [1, s, 1, 1, 1], padding: 'same' }).padFront[0];
    expect(same(8, 4, 3, 2)).toBe(0); // total 1: all at the back
    expect(same(8, 4, 4, 2)).toBe(1); // total 2: one each side
    expect(same(7, 4, 1, 2)).toBe(0); // total (4 − 1)·2 + 1 − 7 = 0
    expect(same(8, 3, 1, 3)).toBe(0); // total (3 − 1)·3 + 1 − 8 = −1: zero, as TensorFlow has it
  });

  it('reads 5-entry, 3-entry and single strides and dilations, in either data format', () => {
    const base = { outputShape: [1, 2, 8, 8, 8], dyShape: [1, 3, 4, 4, 4], filterShape: [3, 3, 3, 2, 3],
      padding: 'SAME', dataFormat: 'NCDHW' };
    expect(tfTransposeCall({ ...base, strides: [1, 1, 2, 2, 2] }).stride).toEqual([2, 2, 2]);
    expect(tfTransposeCall({ ...base, strides: [2, 2, 2] }).stride).toEqual([2, 2, 2]);
    expect(tfTransposeCall({ ...base, strides: 2 }).stride).toEqual([2, 2, 2]);
    expect(tfTransposeCall({ ...base, strides: 2, dilations: [1, 1, 1, 1, 1] }).dilation).toEqual([1, 1, 1]);
  });

  it('refuses what TensorFlow refuses, naming the attribute and the values', () => {
    const ok: TfTransposeArgs = { outputShape: [1, 8, 8, 8, 2], dyShape: [1, 4, 4, 4, 3], filterShape: [3, 3, 3, 2, 3],
      strides: [1, 2, 2, 2, 1], padding: 'SAME' };
    expect(tfTransposeCall(ok).padFront).toEqual([0, 0, 0]);
    expect(refusal({ ...ok, padding: 'EXPLICIT' })).toEqual(['padding', "Conv3DBackpropInputV2: padding 'EXPLICIT' " +
      "is not an option of this op in TensorFlow (its 3-D convolutions take 'SAME' or 'VALID')"]);
    expect(refusal({ ...ok, padding: 'FULL' })[0]).toBe('padding');
    expect(refusal({ ...ok, dataFormat: 'NHWC' })[0]).toBe('data_format');
    expect(refusal({ ...ok, strides: [2, 2, 2, 2, 1] })).toEqual(['strides', 'Conv3DBackpropInputV2: strides must ' +
      'be 1 on the batch and channel axes, got [2,2,2,2,1] (NDHWC)']);
    expect(refusal({ ...ok, strides: [1, 0, 2, 2, 1] })[0]).toBe('strides');
    expect(refusal({ ...ok, dilations: [1, 1.5, 1] })[0]).toBe('dilations');
    expect(refusal({ ...ok, dyShape: [1, 4, 4, 4, 5] })).toEqual(['filter', 'Conv3DBackpropInputV2: out_backprop ' +
      'has 5 channels (shape [1, 4, 4, 4, 5], NDHWC) but filter of shape [3, 3, 3, 2, 3] expects 3 (its last axis)']);
    expect(refusal({ ...ok, outputShape: [1, 8, 8, 8, 4] })[0]).toBe('input_sizes');
    expect(refusal({ ...ok, outputShape: [2, 8, 8, 8, 2] })[0]).toBe('input_sizes');
    expect(refusal({ ...ok, dyShape: [1, 5, 4, 4, 3] })).toEqual(['out_backprop', 'Conv3DBackpropInputV2: ' +
      'out_backprop has size 5 on spatial axis 0 (shape [1, 5, 4, 4, 3]), but an output of size 8 with kernel 3, ' +
      'stride 2, dilation 1 and SAME padding gives 4']);
    expect(refusal({ ...ok, padding: 'VALID' })[0]).toBe('out_backprop');
    expect(refusal({ ...ok, padding: 'VALID', outputShape: [1, 2, 8, 8, 2] })).toEqual(['input_sizes',
      'Conv3DBackpropInputV2: input_sizes [1, 2, 8, 8, 2] is shorter on spatial axis 0 (2) than the filter reaches ' +
      'with VALID padding (kernel 3, dilation 1: 3)']);
  });

  it('takes float32 tensors only, naming the one that is not', () => {
    expect(() => checkDtypes('float32', 'float32')).not.toThrow();
    for (const [dy, filter, name] of [['int32', 'float32', 'out_backprop'], ['float32', 'complex64', 'filter']]) {
      let argument: string | null = null;
      try {
        checkDtypes(dy, filter);
      } catch (e) {
        argument = (e as ConvTranspose3dError).argument;
      }
      expect(argument).toBe(name);
    }
  });

  it('gives zeros for an empty dy on the CPU, as on the GPU', () => {
    const call = tfTransposeCall({ outputShape: [0, 4, 4, 4, 2], dyShape: [0, 2, 2, 2, 3],
      filterShape: [3, 3, 3, 2, 3], strides: 2, padding: 'same' });
    expect(runOnCpu([], new Float32Array(54 * 3), call)).toEqual(new Float32Array(0));
  });

  it('maps the arrays onto NCDHW and [in, out, kD, kH, kW] by strides', () => {
    const call = tfTransposeCall({ outputShape: [2, 8, 8, 8, 5], dyShape: [2, 4, 4, 4, 3],
      filterShape: [3, 3, 3, 5, 3], strides: 2, padding: 'same' });
    expect(tfArrays(call)).toEqual({ dyShape: [2, 4, 4, 4, 3], outputShape: [2, 8, 8, 8, 5],
      dy: [192, 1, 48, 12, 3], filter: [1, 3, 135, 45, 15], outputAxes: [0, 2, 3, 4, 1] });
    const ncdhw = tfTransposeCall({ outputShape: [2, 5, 8, 8, 8], dyShape: [2, 3, 4, 4, 4],
      filterShape: [3, 3, 3, 5, 3], strides: 2, padding: 'same', dataFormat: 'NCDHW' });
    expect(tfArrays(ncdhw).dy).toEqual([192, 64, 16, 4, 1]);
    expect(tfArrays(ncdhw).outputAxes).toEqual([0, 1, 2, 3, 4]);
  });

  it("runs every node of the fixture on the CPU as TensorFlow's definition has it", () => {
    for (const n of nodes) {
      const filter = weights.get(`${n.output}/filter`) as Float32Array;
      const got = runOnCpu(n.dy, filter, tfTransposeCall(argsOf(n)));
      expect(got.length, n.output).toBe(n.expected.length);
      const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - n.expected[i])), 0);
      expect(worst, n.output).toBeLessThan(1e-6);
    }
  });
});

describe('explicit front padding and output size', () => {
  it("equals PyTorch's spec where PyTorch can express the call", () => {
    const x = [1, 3, 4, 4, 4];
    const w = [3, 5, 3, 3, 3];
    const torch = resolveShapes(x, w, null, { stride: 2, padding: 1, outputPadding: 1 });
    expect(resolveExplicitShapes(x, w, null, { stride: [2, 2, 2], dilation: [1, 1, 1], padFront: [1, 1, 1],
      outSize: torch.outSize })).toEqual(torch);
  });

  it('takes an output shorter or longer than PyTorch allows, as TensorFlow does', () => {
    const sizes = { stride: [2, 2, 2] as [number, number, number], dilation: [1, 1, 1] as [number, number, number],
      padFront: [0, 0, 0] as [number, number, number] };
    const shorter = resolveExplicitShapes([1, 3, 4, 4, 4], [3, 5, 3, 3, 3], null, { ...sizes, outSize: [8, 8, 8] });
    expect([shorter.outSize, shorter.outputPadding, shorter.outShape]).toEqual([[8, 8, 8], [-1, -1, -1],
      [1, 5, 8, 8, 8]]);
    const longer = resolveExplicitShapes([3, 4, 4, 4], [3, 5, 2, 2, 2], null, { ...sizes, outSize: [10, 9, 8] });
    expect([longer.outputPadding, longer.outShape]).toEqual([[2, 1, 0], [5, 10, 9, 8]]);
    expect(() => resolveExplicitShapes([1, 3, 4, 4, 4], [3, 5, 3, 3, 3], null, { ...sizes, outSize: [8, 0, 8] }))
      .toThrow(expect.objectContaining({ argument: 'outSize',
        message: 'conv_transpose3d: output size must be positive integers, got [8, 0, 8]' }));
  });
});
