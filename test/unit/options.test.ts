// The option checks of createBackend, configure and tensor(), all in args.ts: each bad value is named in the error.
import { describe, expect, it } from 'vitest';
import { checkBackendOptions, checkConfig, checkTensor, checkTensorData, show } from '../../src/args';
import { rendererPolicy } from '../../src/gl/context';
import { tensor } from '../../src/tensor';

describe('backend options', () => {
  it('accept every documented value', () => {
    expect(() => checkBackendOptions({})).not.toThrow();
    expect(() => checkBackendOptions({ maxBytes: 0, poolBytes: 2 ** 20, maxTextureSize: 16, maxTextureLayers: 1,
      storage: 'float16', phaseDraws: false, directOutput: true,
      fragment: { voxels: 8, depth: 2, blocks: 4, taps: 1, windowTexels: 16 },
      policy: { quadWidth: 4, windowTexels: 10, unrollLoops: false } })).not.toThrow();
  });

  it.each([
    [null, /^createBackend: options must be an object, got null$/],
    [{ maxTextureSize: 0 }, /^createBackend: maxTextureSize must be a positive integer, got 0$/],
    [{ maxTextureLayers: 2.5 }, /^createBackend: maxTextureLayers must be a positive integer, got 2.5$/],
    [{ storage: 'half' }, /^createBackend: storage must be 'auto', 'float32', 'uint32', 'float16'; got "half"$/],
    [{ fragment: 4 }, /^createBackend: fragment must be an object, got 4$/],
    [{ fragment: { voxels: 0 } }, /^createBackend: fragment.voxels must be an integer from 1 to 8, got 0$/],
    [{ fragment: { voxels: 9 } }, /^createBackend: fragment.voxels must be an integer from 1 to 8, got 9$/],
    [{ fragment: { depth: 3 } }, /^createBackend: fragment.depth must be 1 or 2, got 3$/],
    [{ fragment: { blocks: 3 } }, /^createBackend: fragment.blocks must be 1, 2 or 4, got 3$/],
    [{ fragment: { taps: '2' } }, /^createBackend: fragment.taps must be an integer from 1 to 4, got "2"$/],
    [{ fragment: { windowTexels: 17 } }, /^createBackend: fragment.windowTexels must be an integer from 1 to 16/],
    [{ fragment: { voxel: 2 } }, /^createBackend: fragment has an unknown key "voxel"; known keys are voxels, /],
    [{ policy: { quadWidth: 3 } }, /^createBackend: policy.quadWidth must be a power of two from 1 to 64, got 3$/],
    [{ policy: { unrollLoops: 1 } }, /^createBackend: policy.unrollLoops must be true or false, got 1$/],
  ])('rejects %j', (options, message) => {
    expect(() => checkBackendOptions(options)).toThrowError(message);
  });
  it('are read once: the backend keeps the values checked, whatever a getter answers later', () => {
    const reads = { storage: 0, voxels: 0 };
    const fragment = { get voxels() { return ++reads.voxels === 1 ? 4 : 99; } };
    const options = { get storage() { return ++reads.storage === 1 ? 'float16' : 'nonsense'; }, fragment };
    const checked = checkBackendOptions(options);
    expect([checked.storage, checked.fragment.voxels]).toEqual(['float16', 4]);
    expect(reads).toEqual({ storage: 1, voxels: 1 });
  });
});

describe('configure', () => {
  it('checks the shared backend options as createBackend does, naming configure', () => {
    expect(() => checkConfig({ storage: 'auto', cpuFallback: false })).not.toThrow();
    expect(() => checkConfig({ fragment: { blocks: 8 } }))
      .toThrowError(/^configure: fragment.blocks must be 1, 2 or 4, got 8$/);
    expect(() => checkConfig({ cpuFallback: 'no' })).toThrowError(/^configure: cpuFallback must be true or false/);
    expect(() => checkConfig({ gl: {} })).toThrowError(/^configure: gl is not an option here/);
    // createBackend takes a WebGL2 context only: TensorFlow.js's may be WebGL1 on older browsers.
    expect(() => checkBackendOptions({ gl: {} })).toThrow(expect.objectContaining({ argument: 'gl',
      message: 'createBackend: gl must be a WebGL2 context, got [object Object]' }));
    expect(checkBackendOptions({ gl: { texStorage3D: () => undefined } }).gl).toBeDefined();
    expect(() => checkConfig([])).toThrowError(/^configure: options must be an object, got \[\]$/);
  });
});

describe('tensor()', () => {
  it('converts arrays of numbers, NaN included, and keeps a Float32Array as it is', () => {
    expect(Array.from(tensor([3], [1, Number.NaN, -2]).data)).toEqual([1, Number.NaN, -2]);
    const data = new Float32Array(4);
    expect(tensor([2, 2], data).data).toBe(data);
    expect(tensor([2, 3]).data).toEqual(new Float32Array(6));
  });

  it('reads each value once: a getter that answers a number, then a string, gives the number', () => {
    let reads = 0;
    const data = { length: 2, 0: 1.5, get 1() { reads++; return reads === 1 ? 2.5 : 'x'; } };
    expect([...tensor([2], data as unknown as ArrayLike<number>).data]).toEqual([1.5, 2.5]);
    expect(reads).toBe(1);
  });

  it('rejects data that is not numbers, naming the first bad element', () => {
    expect(() => tensor([2], ['1', 'x'] as never)).toThrowError(/^tensor: data must hold numbers, got "1" at index 0$/);
    expect(() => checkTensorData([2], [1, null])).toThrowError(/^tensor: data must hold numbers, got null at index 1$/);
    expect(() => tensor([2], 'ab' as never)).toThrowError(/^tensor: data must be a Float32Array or an array of/);
    expect(() => tensor([-1])).toThrowError(/^tensor: shape must hold non-negative integers, got \[-1\]$/);
    expect(() => tensor([3], [1, 2])).toThrowError(/^conv_transpose3d: tensor.data has 2 elements but tensor.shape/);
  });
});

describe('renderer policy', () => {
  it('unrolls the shaders on the software renderers and on Mesa behind WebKit, and leaves GPUs their loops', () => {
    const swiftshader = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
    expect(rendererPolicy(swiftshader)).toEqual({ quadWidth: 2, windowTexels: 16, unrollLoops: true });
    expect(rendererPolicy('llvmpipe, or similar')).toEqual({ quadWidth: 4, windowTexels: 10, unrollLoops: true });
    const linux = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15';
    const mac = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
    expect(rendererPolicy('Apple GPU', linux).unrollLoops).toBe(true);
    expect(rendererPolicy('Apple GPU', mac).unrollLoops).toBe(false);
    expect(rendererPolicy('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)'))
      .toEqual({ quadWidth: 2, windowTexels: 16, unrollLoops: false });
  });
});

describe('error messages', () => {
  it('show a bounded, safe picture of any value', () => {
    expect(show([1, 2, -0])).toBe('[1, 2, -0]');
    const long = new Array(3e7);
    expect(show(long)).toBe(`[${new Array(8).fill('undefined').join(', ')}, … (30000000 entries)]`);
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    expect(show(cyclic)).toBe('[1, [1, […]]]');
    expect(show(2n ** 40n)).toBe('1099511627776n');
    expect(show('x'.repeat(1000))).toBe(JSON.stringify(`${'x'.repeat(64)}…`));
    const hostile = new Proxy([1, 2], { get: () => { throw new Error('no'); } });
    expect(show(hostile)).toBe('an unreadable value');
    expect(show(Symbol('s'))).toBe('Symbol(s)');
  });

  it('name a shape of 30 million dimensions briefly', () => {
    let message = '';
    try {
      checkTensor({ shape: new Array(3e7).fill(1), data: new Float32Array(2) }, 'input');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^conv_transpose3d: input\.data has 2 elements but input\.shape \[(1, ){8}… \(30000000 entries\)\]/);
    expect(message.length).toBeLessThan(200);
  });
});
