/** Resource counters of one backend, in one small object. */
export interface BackendStats {
  /** Textures alive now. */
  textures: number;
  /** Bytes held by those textures. */
  textureBytes: number;
  /** Programs compiled (each distinct specialization once). */
  programs: number;
  /** Draw calls issued. */
  draws: number;
  /** Convolutions run. */
  calls: number;
}

export function createStats(): BackendStats {
  return { textures: 0, textureBytes: 0, programs: 0, draws: 0, calls: 0 };
}
