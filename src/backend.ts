// A WebGL2 backend: GPU-resident tensors and conv_transpose3d on them. The line between what the caller describes
// (shapes, options: checked in args.ts) and how the GPU does it (convPlan.ts, glsl/) runs through here.
import { checkTensor, resolveCall, show, type ConvSpec } from './args';
import {
  activationLayout, convDefines, packDefines, planConv, repackDefines, type ConvPlan, type FragmentShape, type PlanLimits,
} from './convPlan';
import { createContext, readCapabilities, type DeviceCapabilities } from './gl/context';
import { drawLayout } from './gl/draw';
import { ProgramCache, specialize } from './gl/programs';
import { createStats, type BackendStats } from './gl/stats';
import { DEFAULT_POOL_BYTES, TexturePool } from './gl/pool';
import { readLayoutTexture, type LayoutTexture } from './gl/textures';
import { as5d, packActivation, unpackActivation } from './packing';
import { numel } from './tensor';
import type { ConvTranspose3dOptions, Tensor } from './types';
import convSource from '../glsl/conv_transpose3d.frag.glsl?raw';
import packSource from '../glsl/pack_weights.frag.glsl?raw';
import repackSource from '../glsl/repack.frag.glsl?raw';

/** Options of {@link createBackend}. */
export interface BackendOptions {
  /** Use this context instead of creating one. The backend changes its GL state freely. */
  gl?: WebGL2RenderingContext;
  /** Cap on texture width and height, below the device's MAX_TEXTURE_SIZE (tensors are then tiled further). */
  maxTextureSize?: number;
  /** Cap on array-texture layers, below the device's MAX_ARRAY_TEXTURE_LAYERS. */
  maxTextureLayers?: number;
  /** Bytes of idle textures kept for reuse (default 256 MiB). */
  poolBytes?: number;
  /**
   * Advanced: output voxels (along W) and channel blocks each fragment computes. The default picks the most the
   * device's draw buffers allow; this exists to measure alternatives.
   */
  fragment?: Partial<FragmentShape>;
}

/** A tensor that lives in a backend's textures. Read it back with {@link GpuTensor.read}. */
export interface GpuTensor {
  /** The tensor's shape, as PyTorch would report it. */
  readonly shape: number[];
  /** Copies the values back to the CPU, without blocking the main thread. */
  read(): Promise<Tensor>;
  /** Frees the textures now. Using the tensor afterwards throws. */
  dispose(): void;
  /** Whether {@link GpuTensor.dispose} was called (or its backend disposed). */
  readonly disposed: boolean;
}

/** Arguments to {@link Backend.convTranspose3d}: CPU tensors are uploaded for the call, GPU tensors used in place. */
export type AnyTensor = Tensor | GpuTensor;

/** Options of {@link Backend.convTranspose3d}: as {@link ConvTranspose3dOptions}, but `bias` may be a GpuTensor. */
export type BackendConvOptions = Omit<ConvTranspose3dOptions, 'bias'> & { bias?: AnyTensor | null };

/** A WebGL2 context with its programs, textures and counters. */
export interface Backend {
  readonly gl: WebGL2RenderingContext;
  readonly capabilities: DeviceCapabilities;
  /** The limits every texture plan of this backend respects (from the capabilities and any caps given). */
  readonly limits: PlanLimits;
  /** Uploads a CPU tensor (rank 1–5). The caller's tensor is copied, never kept. */
  upload(t: Tensor): GpuTensor;
  /** conv_transpose3d on the GPU; the result stays on the GPU. Throws on bad arguments before any GPU work. */
  convTranspose3d(input: AnyTensor, weight: AnyTensor, options?: BackendConvOptions): GpuTensor;
  /** A copy of the resource counters. */
  stats(): BackendStats;
  /**
   * Blocks until the GPU has finished `t` (and everything submitted before it), with a synchronous one-texel read.
   * For benchmarks: fence polling (what {@link GpuTensor.read} uses, so as not to block) can add a frame of latency.
   */
  finish(t: GpuTensor): void;

  /** Frees every texture and program; the backend and its tensors cannot be used afterwards. */
  dispose(): void;
}

class GpuTensorImpl implements GpuTensor {
  readonly shape: number[];
  disposed = false;
  /** Packed-weight textures made from this tensor, by plan key, reused across calls. */
  readonly packed = new Map<string, LayoutTexture>();

  constructor(readonly owner: BackendImpl, shape: number[], readonly storage: LayoutTexture | null) {
    this.shape = shape;
  }

  read(): Promise<Tensor> {
    this.owner.checkUsable(this, 'read()');
    return this.owner.readTensor(this);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.owner.release(this);
  }
}

class BackendImpl implements Backend {
  readonly capabilities: DeviceCapabilities;
  private readonly counters = createStats();
  private readonly programs: ProgramCache;
  private readonly pool: TexturePool;
  private readonly framebuffer: WebGLFramebuffer;
  private readonly live = new Set<GpuTensorImpl>();
  private readonly fragment: Partial<FragmentShape>;
  private disposed = false;

  constructor(readonly gl: WebGL2RenderingContext, options: BackendOptions) {
    this.capabilities = readCapabilities(gl, options);
    if (!this.capabilities.floatRenderTargets) {
      throw new Error(`conv_transpose3d: this device cannot render to float32 textures (EXT_color_buffer_float ` +
        `missing or an RGBA32F framebuffer is incomplete; renderer: ${this.capabilities.renderer})`);
    }
    this.programs = new ProgramCache(gl, this.counters);
    this.pool = new TexturePool(gl, this.counters, options.poolBytes ?? DEFAULT_POOL_BYTES);
    this.framebuffer = gl.createFramebuffer()!;
    this.fragment = options.fragment ?? {};
  }

  get limits(): PlanLimits {
    return {
      maxTextureSize: this.capabilities.maxTextureSize, maxLayers: this.capabilities.maxTextureLayers,
      // Slices of one fragment are layers of one texture, so they are bounded by the layers too.
      maxOutputs: Math.min(8, this.capabilities.maxDrawBuffers, this.capabilities.maxTextureLayers),
    };
  }

  private checkAlive(what: string): void {
    if (this.disposed) throw new Error(`conv_transpose3d: ${what} on a disposed backend`);
    if (this.gl.isContextLost()) throw new Error(`conv_transpose3d: ${what}: the WebGL context is lost`);
  }

  checkUsable(t: GpuTensorImpl, what: string): void {
    if (t.disposed) throw new Error(`conv_transpose3d: ${what} on a disposed GpuTensor of shape ${show(t.shape)}`);
    this.checkAlive(what);
  }

  /** Validates a tensor argument (CPU or GPU) and returns its shape; never touches the GPU. */
  private describe = (t: unknown, name: string): number[] => {
    if (t instanceof GpuTensorImpl) {
      if (t.owner !== this) throw new Error(`conv_transpose3d: ${name} is a GpuTensor of another backend`);
      this.checkUsable(t, name);
      return t.shape.slice();
    }
    return checkTensor(t, name);
  };

  private wrap(shape: number[], storage: LayoutTexture | null): GpuTensorImpl {
    const t = new GpuTensorImpl(this, shape, storage);
    this.live.add(t);
    return t;
  }

  upload(t: Tensor): GpuTensor {
    const shape = checkTensor(t, 'tensor');
    if (shape.length < 1 || shape.length > 5) {
      throw new Error(`conv_transpose3d: upload takes tensors of rank 1 to 5, got shape ${show(shape)}`);
    }
    this.checkAlive('upload()');
    if (numel(shape) === 0) return this.wrap(shape, null);
    const layout = activationLayout(shape, this.limits);
    return this.wrap(shape, this.pool.acquire(layout, packActivation(t.data, as5d(shape), layout)));
  }

  async readTensor(t: GpuTensorImpl): Promise<Tensor> {
    if (!t.storage) return { shape: t.shape.slice(), data: new Float32Array(0) };
    const texels = await readLayoutTexture(this.gl, t.storage, () => this.gl.isContextLost());
    return { shape: t.shape.slice(), data: unpackActivation(texels, as5d(t.shape), t.storage.layout) };
  }

  release(t: GpuTensorImpl): void {
    if (!this.live.delete(t)) return;
    if (t.storage) this.pool.release(t.storage);
    for (const packed of t.packed.values()) this.pool.release(packed);
    t.packed.clear();
  }

  /** Uploads CPU arguments for the duration of a call; GPU arguments are used as they are. */
  private resident(t: AnyTensor, temporaries: GpuTensor[]): GpuTensorImpl {
    if (t instanceof GpuTensorImpl) return t;
    const g = this.upload(t as Tensor) as GpuTensorImpl;
    temporaries.push(g);
    return g;
  }

  private packedWeights(plan: ConvPlan, weight: GpuTensorImpl): LayoutTexture {
    const defines = packDefines(plan);
    const key = JSON.stringify(defines);
    let packed = weight.packed.get(key);
    if (!packed) {
      packed = this.pool.acquire(plan.packedWeight);
      const program = this.programs.get(specialize(packSource, defines));
      drawLayout(this.gl, this.counters, this.framebuffer, program, { u_raw: weight.storage!.texture }, packed,
        packed.layout, 1, 4);
      weight.packed.set(key, packed);
    }
    return packed;
  }

  convTranspose3d(input: AnyTensor, weight: AnyTensor, options?: BackendConvOptions): GpuTensor {
    this.checkAlive('convTranspose3d()');
    const spec: ConvSpec = resolveCall(input, weight, options, this.describe);
    if (spec.batch === 0) return this.wrap(spec.outShape, null);
    const plan = planConv(spec, this.limits, this.fragment);
    const temporaries: GpuTensor[] = [];
    try {
      const x = this.resident(input, temporaries);
      const w = this.resident(weight, temporaries);
      const bias = options?.bias ? this.resident(options.bias, temporaries) : null;
      const packed = this.packedWeights(plan, w);
      return this.wrap(spec.outShape, this.gather(plan, x.storage!, packed, bias?.storage ?? null));
    } finally {
      for (const t of temporaries) t.dispose();
    }
  }

  /** The gather pass into slices, then the repack into the output's activation layout. */
  private gather(plan: ConvPlan, x: LayoutTexture, packed: LayoutTexture, bias: LayoutTexture | null):
    LayoutTexture {
    const { gl, counters, framebuffer } = this;
    // All slices in one array texture (slice i in layers i·L … i·L + L − 1), so the repack reads any with one fetch.
    const outputs = plan.fragment.voxels * plan.fragment.blocks;
    const slices = this.pool.acquire({ ...plan.slice, layers: plan.slice.layers * outputs });
    drawLayout(gl, counters, framebuffer, this.programs.get(specialize(convSource, convDefines(plan))), {
      u_x: x.texture, u_w: packed.texture, u_bias: (bias ?? x).texture,
    }, slices, plan.slice, outputs, plan.fetchesPerTexel);
    const output = this.pool.acquire(plan.output);
    drawLayout(gl, counters, framebuffer, this.programs.get(specialize(repackSource, repackDefines(plan))),
      { u_slices: slices.texture }, output, plan.output, 1, 2);
    this.pool.release(slices);
    counters.calls++;
    return output;
  }

  stats(): BackendStats {
    return { ...this.counters };
  }

  finish(t: GpuTensor): void {
    if (!(t instanceof GpuTensorImpl)) throw new Error(`conv_transpose3d: finish() takes a GpuTensor, got ${show(t)}`);
    this.describe(t, 'finish()');
    if (!t.storage) return;
    const { gl } = this;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer);
    gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, t.storage.texture, 0, 0);
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.FLOAT, new Float32Array(4));
    gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, null, 0, 0);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  }

  dispose(): void {
    if (this.disposed) return;
    for (const t of [...this.live]) t.dispose();
    this.pool.clear();
    this.programs.dispose();
    this.gl.deleteFramebuffer(this.framebuffer);
    this.disposed = true;
  }
}

/**
 * Makes a WebGL2 backend: on the caller's context, or on a new one of its own.
 * Throws when WebGL2 or float32 render targets are missing.
 *
 * @example
 * const backend = createBackend();
 * const w = backend.upload(weight);               // once
 * const y = backend.convTranspose3d(x, w, { stride: 2 });
 * const z = backend.convTranspose3d(y, w2);       // chained, no readback
 * const result = await z.read();
 */
export function createBackend(options: BackendOptions = {}): Backend {
  if (typeof options !== 'object' || options === null) {
    throw new Error(`createBackend: options must be an object, got ${show(options)}`);
  }
  const gl = options.gl ?? createContext();
  return new BackendImpl(gl, options);
}
