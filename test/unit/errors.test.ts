// Every error is a ConvTranspose3dError with a code to branch on and, for a bad argument, the argument's name.
import { describe, expect, it } from 'vitest';
import {
  ConvTranspose3dError, configure, convTranspose3d, convTranspose3dOutputShape, createBackend, tensor,
  type ConvTranspose3dErrorCode,
} from '../../src/index';
import { planConv } from '../../src/convPlan';
import { checkCall } from '../../src/args';

/** The error `work` throws (or rejects with): its class, code and argument. */
async function caught(work: () => unknown): Promise<{ error: boolean; code: ConvTranspose3dErrorCode; argument: string |
  null; name: string }> {
  try {
    await work();
  } catch (e) {
    const error = e as ConvTranspose3dError;
    return { error: e instanceof ConvTranspose3dError && e instanceof Error, code: error.code,
      argument: error.argument, name: error.name };
  }
  throw new Error('did not throw');
}

const one = tensor([1, 1, 1, 1, 1], [1]);
const LIMITS = { maxTextureSize: 8192, maxLayers: 2048, maxOutputs: 8, quadWidth: 2, windowTexels: 16 };

describe('errors', () => {
  it('name the argument at fault in every rule of a call', async () => {
    const cases: Array<[() => unknown, string]> = [
      [() => convTranspose3d(one, one, { stride: 0 }), 'stride'],
      [() => convTranspose3d(one, one, { padding: [1, 2] as unknown as number }), 'padding'],
      [() => convTranspose3d(one, one, { dilation: 0.5 }), 'dilation'],
      [() => convTranspose3d(one, one, { outputPadding: 3 }), 'outputPadding'],
      [() => convTranspose3d(one, one, { groups: 2 }), 'groups'],
      [() => convTranspose3d(one, one, { bias: tensor([2]) }), 'bias'],
      [() => convTranspose3d(tensor([1, 1]), one), 'input'],
      [() => convTranspose3d(one, tensor([1, 1])), 'weight'],
      [() => convTranspose3d(one, one, { output_padding: 1 } as never), 'options'],
      [() => convTranspose3dOutputShape([1, 1, 1, 1, 1], [1, 1, 3, 3, 3], { padding: 5 }), 'output'],
      [() => tensor([2], [1, 'x'] as never), 'data'],
      [() => tensor([-1]), 'shape'],
      [() => createBackend({ maxBytes: -1 }), 'maxBytes'],
      [() => createBackend({ fragment: { voxels: 99 } }), 'fragment'],
      [() => configure({ cpuFallback: 1 as never }), 'cpuFallback'],
    ];
    for (const [work, argument] of cases) {
      expect(await caught(work)).toEqual({ error: true, code: 'invalid-argument', argument,
        name: 'ConvTranspose3dError' });
    }
  });

  it('say when the shaders cannot address a call, and when there is no WebGL2', async () => {
    const { spec } = checkCall(tensor([1, 1, 1, 1, 2]), tensor([1, 1, 1, 1, 2]),
      { stride: [1, 1, 2 ** 30], dilation: [1, 1, 2 ** 30 - 1], padding: [0, 0, 2 ** 30 - 1] });
    expect(await caught(() => planConv(spec, LIMITS))).toMatchObject({ code: 'too-large', argument: 'stride' });
    const huge = checkCall(tensor([1, 1, 1, 1, 1]), tensor([1, 1, 1, 1, 1]), { stride: [1, 1, 1], outputPadding: 0 });
    expect(await caught(() => planConv({ ...huge.spec, batch: 2 ** 24 }, LIMITS)))
      .toMatchObject({ code: 'too-large', argument: null });
    expect(await caught(() => createBackend())).toMatchObject({ code: 'no-webgl2', argument: null });
  });
});
