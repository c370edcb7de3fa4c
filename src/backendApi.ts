// What every engine's backend offers, whatever runs the arithmetic: resident tensors, calls on them, counters and
// disposal. The WebGL engine (backend.ts) and the CPU engine (cpu/engine.ts) implement it.
import type { BackendStats } from './gl/stats.js';
import type { DeviceCapabilities } from './gl/context.js';
import type { CpuCapabilities } from './cpu/engine.js';
import type { AutoCapabilities } from './auto.js';
import type { ConvTranspose3dOptions, Tensor } from './types.js';

/** The engines: `'webgl'` (WebGL2 fragment shaders), `'cpu'` (WebAssembly SIMD on worker threads). */
export type EngineName = 'webgl' | 'cpu';

/**
 * A tensor that lives in a backend: in textures on the WebGL engine, in WebAssembly memory on the CPU engine. Read
 * it back with {@link ResidentTensor.read}.
 */
export interface ResidentTensor {
  /** The tensor's shape, as PyTorch would report it. */
  readonly shape: number[];
  /** Copies the values back to a CPU tensor, without blocking the main thread. */
  read(): Promise<Tensor>;
  /** Frees its memory (as soon as the calls already made with it have run). Using the tensor afterwards throws. */
  dispose(): void;
  /** Whether {@link ResidentTensor.dispose} was called (or its backend disposed). */
  readonly disposed: boolean;
}

/** The name {@link ResidentTensor} had when the WebGL engine was the only one; the same type. */
export type GpuTensor = ResidentTensor;

/** Arguments to {@link Backend.convTranspose3d}: CPU tensors are uploaded for the call, resident ones used in place. */
export type AnyTensor = Tensor | ResidentTensor;

/** Options of {@link Backend.convTranspose3d}: as {@link ConvTranspose3dOptions}, but `bias` may be resident. */
export type BackendConvOptions = Omit<ConvTranspose3dOptions, 'bias'> & {
  /** Shape `(Cout)`, on the CPU or resident; `null` or absent for no bias. */
  bias?: AnyTensor | null;
};

/**
 * A backend of either engine. {@link Backend.engine} says which; the WebGL engine's backends are
 * {@link WebglBackend}s, with their context and a few more members, the CPU engine's {@link CpuBackend}s.
 */
export interface Backend {
  /** The engine that runs this backend's calls (`'auto'`: either, chosen for each call shape). */
  readonly engine: EngineName | 'auto';
  /**
   * What the engine runs with: {@link DeviceCapabilities} on WebGL, {@link CpuCapabilities} on the CPU,
   * {@link AutoCapabilities} (both, and the choice made for each call shape) on `'auto'`.
   */
  readonly capabilities: DeviceCapabilities | CpuCapabilities | AutoCapabilities;
  /**
   * Uploads a CPU tensor (rank 1–5). The caller's tensor is copied, never kept.
   * Throws a {@link ConvTranspose3dError}: `'invalid-argument'`, `'out-of-memory'` (past `maxBytes`), `'too-large'`,
   * `'disposed'` or (WebGL) `'context-lost'`.
   */
  upload(t: Tensor): ResidentTensor;
  /**
   * conv_transpose3d; the result stays resident. Throws a {@link ConvTranspose3dError} before any work:
   * `'invalid-argument'` (a bad argument, or a tensor of another backend), `'out-of-memory'` (past `maxBytes`),
   * `'too-large'`, `'disposed'` or (WebGL) `'context-lost'`.
   */
  convTranspose3d(input: AnyTensor, weight: AnyTensor, options?: BackendConvOptions): ResidentTensor;
  /** A copy of the resource counters. */
  stats(): BackendStats;
  /** Frees every resource; the backend and its tensors cannot be used afterwards. */
  dispose(): void;
}
