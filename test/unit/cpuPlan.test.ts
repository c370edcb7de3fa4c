// The CPU engine's pure parts in Node: the allocator, the call plan, the engine options, and how 'auto' recognizes a
// renderer that may be software and names a call's shape.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkBackendOptions, checkOptions, resolveShapes } from '../../src/args';

const shapes = (x: number[], w: number[], options: object = {}, bias: number[] | null = null) =>
  resolveShapes(x, w, bias, checkOptions(options));
import { callShapeKey } from '../../src/auto';
import { ALIGN, Heap } from '../../src/cpu/heap';
import { checkKernelRange, PARAM, planCpuCall, setAddresses } from '../../src/cpu/plan';
import { ConvTranspose3dError } from '../../src/errors';
import { mayBeSoftware } from '../../src/gl/context';

describe('Heap', () => {
  it('hands out aligned, disjoint blocks and reuses freed ones, merging neighbours', () => {
    const heap = new Heap(65536, 65536 + 10 * ALIGN);
    const a = heap.alloc(1)!;
    const b = heap.alloc(ALIGN + 1)!;
    const c = heap.alloc(ALIGN)!;
    expect([a, b, c]).toEqual([65536, 65536 + ALIGN, 65536 + 3 * ALIGN]);
    expect(heap.used).toBe(4 * ALIGN);
    heap.release(a);
    heap.release(b);
    // a and b merged: a block of 3 fits where they were.
    expect(heap.alloc(3 * ALIGN)).toBe(65536);
    expect(heap.alloc(7 * ALIGN)).toBeNull();
    expect(heap.alloc(6 * ALIGN)).toBe(65536 + 4 * ALIGN);
    expect(() => heap.release(12345)).toThrowError(/not a live block/);
  });

  it('never overlaps live blocks and comes back to empty (random sequences)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 5000 })), { maxLength: 200 }),
      (ops) => {
        const heap = new Heap(65536, 65536 + 2 ** 20);
        const live = new Map<number, number>();
        for (const [free, size] of ops) {
          if (free && live.size) {
            const at = [...live.keys()][size % live.size];
            heap.release(at);
            live.delete(at);
          } else {
            const at = heap.alloc(size);
            if (at === null) continue;
            expect(at % ALIGN).toBe(0);
            for (const [other, n] of live) expect(at + size <= other || other + n <= at).toBe(true);
            live.set(at, size);
          }
        }
        for (const at of live.keys()) heap.release(at);
        expect(heap.used).toBe(0);
        expect(heap.blocks).toBe(0);
        expect(heap.alloc(2 ** 20)).toBe(65536);
      }));
  });
});

describe('planCpuCall', () => {
  it('fills the parameter block and counts the items and buffers of a call', () => {
    const spec = shapes([2, 12, 3, 4, 5], [12, 5, 2, 3, 4],
      { stride: [1, 2, 3], padding: [0, 1, 1], groups: 3, dilation: [2, 1, 1] });
    const plan = planCpuCall(spec, true);
    const p = (k: keyof typeof PARAM) => plan.params[PARAM[k]];
    expect([p('n'), p('groups'), p('inPerGroup'), p('outPerGroup')]).toEqual([2, 3, 4, 5]);
    expect([p('d'), p('h'), p('w'), p('od'), p('oh'), p('ow')]).toEqual([3, 4, 5, ...spec.outSize]);
    expect([p('kd'), p('kh'), p('kw'), p('sd'), p('sh'), p('sw')]).toEqual([2, 3, 4, 1, 2, 3]);
    expect([p('pd'), p('ph'), p('pw'), p('dd'), p('dh'), p('dw')]).toEqual([0, 1, 1, 2, 1, 1]);
    // 5 output channels a group: one block of 8, zero-padded.
    expect([p('blocks'), p('packWeight')]).toEqual([1, 1]);
    expect(plan.packedWeightElements).toBe(3 * 1 * 24 * 4 * 8);
    expect(plan.packedInputElements).toBe(2 * 12 * 60);
    expect(plan.prepareItems).toBe(2 * 3 * 3 * 4 + 3);
    expect(plan.computeItems).toBe(2 * 3 * 1 * spec.outSize[0] * spec.outSize[1]);
    expect(plan.outputElements).toBe(2 * 15 * spec.outSize[0] * spec.outSize[1] * spec.outSize[2]);
    expect(planCpuCall(spec, false).prepareItems).toBe(2 * 3 * 3 * 4);
    setAddresses(plan.params, { x: 65536, xPacked: 70000, weight: 80000, wPacked: 90000, bias: 0, y: 2 ** 31 + 64 });
    expect([p('x'), p('xPacked'), p('weight'), p('wPacked'), p('bias')]).toEqual([65536, 70000, 80000, 90000, 0]);
    // Addresses past 2 GiB keep their bits (the kernel reads them as unsigned).
    expect(p('y') >>> 0).toBe(2 ** 31 + 64);
  });
});

describe('engine options', () => {
  it('take an engine, a thread count and choices, and name what is wrong', () => {
    expect(checkBackendOptions({ engine: 'cpu', threads: 4 })).toEqual({ engine: 'cpu', threads: 4 });
    expect(() => checkBackendOptions({ engine: 'wasm' })).toThrowError(
      'createBackend: engine must be \'auto\', \'webgl\', \'cpu\'; got "wasm"');
    expect(() => checkBackendOptions({ threads: 0 })).toThrowError(/threads must be an integer from 1 to 64, got 0/);
    expect(() => checkBackendOptions({ threads: 2.5 })).toThrowError(/threads/);
    expect(() => checkBackendOptions({ choices: { a: 'gpu' } })).toThrowError(/choices must map call shapes/);
    expect(() => checkBackendOptions({ engine: 'cpu', gl: {} })).toThrowError(/engine 'cpu' takes none/);
  });
});

describe("engine 'auto'", () => {
  it('treats software and masked renderers as maybe software, and named GPUs as GPUs', () => {
    expect(mayBeSoftware('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader ' +
      'driver)', true)).toBe(true);
    expect(mayBeSoftware('llvmpipe, or similar', true)).toBe(true);
    expect(mayBeSoftware('Apple GPU', true, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15')).toBe(true);
    expect(mayBeSoftware('Apple GPU', true, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)')).toBe(false);
    expect(mayBeSoftware('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)', true)).toBe(false);
    // The browser's own word: a context with failIfMajorPerformanceCaveat refused.
    expect(mayBeSoftware('ANGLE (Intel, Intel(R) UHD Graphics 620, D3D11)', false)).toBe(true);
  });

  it('names a call shape by its shapes, options and bias', () => {
    const spec = shapes([1, 64, 16, 16, 16], [64, 32, 2, 2, 2], { stride: 2 });
    expect(callShapeKey(spec)).toBe('x1,64,16,16,16 w64,32,2,2,2 s2,2,2 p0,0,0 o0,0,0 g1 d1,1,1 b0');
    const unbatched = shapes([4, 3, 3, 3], [4, 2, 1, 1, 1], {}, [2]);
    expect(callShapeKey(unbatched)).toBe('x4,3,3,3 w4,2,1,1,1 s1,1,1 p0,0,0 o0,0,0 g1 d1,1,1 b1');
  });
});

describe('checkKernelRange', () => {
  it('refuses what the kernel cannot index in 32 bits, naming the largest argument of the axis', () => {
    const spec = (w: object) => shapes([1, 1, 1, 1, 2], [1, 1, 1, 1, 3], w);
    expect(() => checkKernelRange(spec({ stride: [1, 1, 2 ** 31 - 8] }))).toThrowError(
      /^conv_transpose3d: the CPU engine indexes in 32-bit integers, and along W stride 2147483640, padding 0/);
    expect(() => checkKernelRange(spec({ dilation: [1, 1, 2 ** 30] }))).toThrowError(/along W .* dilation 1073741824/);
    let error: unknown = null;
    try {
      checkKernelRange(spec({ dilation: [1, 1, 2 ** 30], padding: [0, 0, 5] }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConvTranspose3dError);
    expect(error).toMatchObject({ code: 'too-large', argument: 'dilation' });
    expect(() => checkKernelRange(spec({ dilation: [1, 1, 2 ** 29], stride: 3 }))).not.toThrow();
  });
});
