/**
 * Resource counters of one backend, in one small object. On the CPU engine, `textures` and `textureBytes` count the
 * blocks of its WebAssembly memory in use (tensors, and a call's buffers until it has run), `draws` the kernel's runs,
 * and there are no pooled textures or programs; engine `'auto'` adds up both engines' counters.
 */
export interface BackendStats {
  /** Textures alive now (CPU engine: memory blocks in use). */
  textures: number;
  /** Bytes held by those textures (including idle pooled ones; CPU engine: bytes of those blocks). */
  textureBytes: number;
  /** Idle textures kept for reuse. */
  pooledTextures: number;
  /** Bytes of those idle textures. */
  pooledBytes: number;
  /** Programs alive now (at most MAX_PROGRAMS in src/gl/programs.ts; the least recently used are deleted). */
  programs: number;
  /** Programs compiled so far (each distinct specialization once, again if it was evicted). */
  compiles: number;
  /** Draw calls issued. */
  draws: number;
  /** Convolutions run. */
  calls: number;
}

export function createStats(): BackendStats {
  return {
    textures: 0, textureBytes: 0, pooledTextures: 0, pooledBytes: 0, programs: 0, compiles: 0, draws: 0, calls: 0,
  };
}
