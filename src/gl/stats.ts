/** Resource counters of one backend, in one small object. */
export interface BackendStats {
  /** Textures alive now. */
  textures: number;
  /** Bytes held by those textures (including idle pooled ones). */
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
