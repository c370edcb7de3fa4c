// The library in Node, where there is no WebGL2: the one-shot API runs on the CPU engine (test/unit/cpuEngine.test.ts
// checks its results), or, asked for WebGL, computes with the CPU reference and says why; configure() merges options
// into what was set before.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  configuration, configure, convTranspose3d, convTranspose3dReference, createBackend, tensor,
} from '../../src/index';
import { randomTensor } from '../../src/support/seeded';

afterEach(() => {
  configure();
  vi.restoreAllMocks();
});

describe('in Node', () => {
  it('convTranspose3d configured for WebGL computes with the CPU reference, saying there is no WebGL2', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    configure({ engine: 'webgl' });
    const x = randomTensor([1, 2, 3, 3, 3], 1);
    const w = randomTensor([2, 3, 2, 2, 2], 2);
    const y = await convTranspose3d(x, w, { stride: 2 });
    expect(y).toEqual(convTranspose3dReference(x, w, { stride: 2 }));
    await convTranspose3d(x, w);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe('conv_transpose3d: computing with the CPU reference: there is no WebGL2 in ' +
      'this environment (no document and no OffscreenCanvas, as in Node)');
  });

  it('createBackend says there is no WebGL2 in this environment', () => {
    expect(() => createBackend()).toThrowError(/^conv_transpose3d: there is no WebGL2 in this environment/);
  });
});

describe('configure()', () => {
  it('merges into what was set before; undefined and no argument go back to the defaults', async () => {
    configure({ storage: 'float16', engine: 'webgl' });
    configure({ cpuFallback: false });
    expect(configuration()).toEqual({ storage: 'float16', engine: 'webgl', cpuFallback: false });
    const one = tensor([1, 1, 1, 1, 1], [1]);
    await expect(convTranspose3d(one, one)).rejects.toThrowError(/no WebGL2 in this environment/);
    configure({ storage: undefined, engine: undefined });
    expect(configuration()).toEqual({ cpuFallback: false });
    // The default engine, 'auto', runs on the CPU engine here.
    await expect(convTranspose3d(one, one)).resolves.toEqual(convTranspose3dReference(one, one));
    configure();
    expect(configuration()).toEqual({});
    await expect(convTranspose3d(one, one)).resolves.toEqual(convTranspose3dReference(one, one));
  });

  it('checks the options before merging any of them', () => {
    configure({ storage: 'float16' });
    expect(() => configure({ cpuFallback: 'yes' as unknown as boolean })).toThrowError(/cpuFallback/);
    expect(configuration()).toEqual({ storage: 'float16' });
  });
});
