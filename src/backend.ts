// A WebGL2 backend: GPU-resident tensors and conv_transpose3d on them. It keeps the resources (textures, programs,
// plans), survives context loss and enforces the memory budget; what a call draws is data built elsewhere (a plan in
// convPlan.ts, its passes in passes.ts), which it runs.
import { LRUCache } from 'lru-cache';
import { checkCall, describeCall, show, snapshotTensor, snapshotUpload, type CheckedCall, type ConvSpec } from
  './args.js';
import { activationLayout, callTexels, planConv, type ConvPlan, type PlanLimits } from './convPlan.js';
import type { FragmentShape } from './fragment.js';
import { createContext, readCapabilities, type DeviceCapabilities, type RendererPolicy } from './gl/context.js';
import { drawLayout } from './gl/draw.js';
import { ProgramCache, specialize } from './gl/programs.js';
import { DEFAULT_POOL_BYTES, TexturePool } from './gl/pool.js';
import { withGlState } from './gl/glState.js';
import { createStats, type BackendStats } from './gl/stats.js';
import { storageFormat, storesFinite, uploadView, type StorageRequest } from './gl/storage.js';
import { attachLayer, createLayoutTexture, deleteLayoutTexture, readLayoutTexture, type LayoutTexture } from
  './gl/textures.js';
import { planLayout, texelCount, type TextureLayout } from './layout.js';
import { as5d, packActivation, packWeights, unpackActivation } from './packing.js';
import { callPasses, type CallTexture, type Pass, type ShaderName } from './passes.js';
import { fromDenseDefines, toDenseDefines, type DenseShape } from './shaderDefines.js';
import { numel } from './tensor.js';
import type { Tensor } from './types.js';
import type { AnyTensor, Backend, BackendConvOptions, EngineName, ResidentTensor } from './backendApi.js';
import { OwnedTensor } from './resident.js';
import convSource from '../glsl/conv_transpose3d.frag.glsl?raw';
import packSource from '../glsl/pack_weights.frag.glsl?raw';
import repackSource from '../glsl/repack.frag.glsl?raw';
import fromDenseSource from '../glsl/from_dense.frag.glsl?raw';
import toDenseSource from '../glsl/to_dense.frag.glsl?raw';
import { ConvTranspose3dError, outOfMemory } from './errors.js';
import { MAX_DENSE_ELEMENTS } from './limits.js';

const SHADERS: Record<ShaderName, string> = { gather: convSource, repack: repackSource, packWeights: packSource };

/** Texture units the backend's draws bind (the gather's three samplers, and a spare): saved on a shared context. */
const TEXTURE_UNITS = 4;

/** Options of {@link createBackend}. */
export interface BackendOptions {
  /**
   * Which engine runs the calls (default `'webgl'`). `'cpu'`: WebAssembly SIMD on worker threads, where the CPU is
   * the faster choice or there is no WebGL2 (Node among them). `'auto'`: WebGL2 on a GPU; the CPU engine without
   * WebGL2; on a software renderer, whichever engine is faster for each call shape, timed on its first call.
   */
  engine?: EngineName | 'auto';
  /**
   * CPU engine: worker threads per call (default: the machine's cores, at most 8). Without a shared memory (a page
   * that is not cross-origin isolated) the engine runs one worker whatever this says.
   */
  threads?: number;
  /**
   * Engine `'auto'`: the engine to use for call shapes already timed, as another backend's
   * `capabilities.choices` lists them ({@link AutoCapabilities.choices}); other shapes are timed on their first call.
   */
  choices?: Record<string, EngineName>;
  /**
   * Use this context instead of creating one (TensorFlow.js's, a three.js renderer's). The backend then leaves every
   * piece of GL state it touches as it found it (bindings, viewport, scissor, enables such as the scissor test and
   * face culling, pixel-store parameters, pack and unpack buffers), so the owner's state cache stays true.
   */
  gl?: WebGL2RenderingContext;
  /** Cap on texture width and height, below the device's MAX_TEXTURE_SIZE (tensors are then tiled further). */
  maxTextureSize?: number;
  /** Cap on array-texture layers, below the device's MAX_ARRAY_TEXTURE_LAYERS. */
  maxTextureLayers?: number;
  /** Bytes of idle textures kept for reuse (default 256 MiB). */
  poolBytes?: number;
  /**
   * How tensors are stored in textures (default `'auto'`: the first the device really supports of `'float32'`,
   * `'uint32'`, `'float16'`). `'float32'`: RGBA32F render targets (needs EXT_color_buffer_float). `'uint32'`: the
   * float32 bits in RGBA32UI textures, for devices without float render targets; bit-identical results.
   * `'float16'`: RGBA16F, half the memory; tensors are rounded to half precision in storage, sums stay float32.
   */
  storage?: StorageRequest;
  /**
   * Most bytes of textures (CPU engine: of WebAssembly memory) that may be alive at once (tensors and a call's
   * intermediates; idle pooled textures do not count). A call or upload that would exceed it throws a
   * {@link ConvTranspose3dError} (`'out-of-memory'`) before any work. Default 2 GiB.
   */
  maxBytes?: number;
  /**
   * Advanced: pins output voxels along W (1–8) and along D (1, 2), channel blocks (1, 2, 4), W taps (1–4) and texels
   * (1–16) per window of each fragment; values outside those ranges throw. The default picks the shape of least
   * estimated cost the device's draw buffers allow. A pinned number that a call cannot use (two voxels along D with a
   * D stride, say, or more voxels than a W phase has) falls back to the nearest the call allows. For tuning a device
   * the cost model misjudges: results are identical whatever the shape.
   */
  fragment?: Partial<FragmentShape>;
  /**
   * Advanced: replaces parts of the renderer's policy read from the device (pixel-block width, window size, loop
   * unrolling; see {@link RendererPolicy}). The tests run the loop form GPUs get on software renderers with it.
   */
  policy?: Partial<RendererPolicy>;
  /**
   * Advanced: draw the gather once per W stride phase (true) or once for all (false) wherever the layout allows
   * either. The default splits all but small calls (estimated under about 1 ms of work, `MIN_PHASE_DRAWS_COST` in
   * src/convPlan.ts). Results are identical either way.
   */
  phaseDraws?: boolean;
  /**
   * Advanced: the gather writes the output directly, one voxel per fragment, with no repack pass (true), or never
   * (false). The default does so where that costs no more per call than the repack it saves (`repackCost` in
   * src/convPlan.ts): calls with next to no work. Direct calls also compile faster, so an app that runs a tiny shape
   * only once may pass true (docs/performance.md has the measurements).
   */
  directOutput?: boolean;
}

/**
 * A WebGL2 context with its programs, textures and counters.
 *
 * When the context is lost, calls in flight reject and new calls throw until the browser restores it; the backend
 * then rebuilds its programs and textures by itself. GpuTensors made before the loss are not restored: using them
 * throws an error saying so (upload them again).
 */
export interface WebglBackend extends Backend {
  readonly engine: 'webgl';
  /** The context the backend draws with (its own, or the one given to {@link createBackend}). */
  readonly gl: WebGL2RenderingContext;
  /** What the device offers and what was chosen (storage mode, renderer policy), read once. */
  readonly capabilities: DeviceCapabilities;
  /** The limits every texture plan of this backend respects (from the capabilities and any caps given). */
  readonly limits: PlanLimits;
  /**
   * Uploads a CPU tensor (rank 1–5). The caller's tensor is copied, never kept.
   * Throws a {@link ConvTranspose3dError}: `'invalid-argument'`, `'out-of-memory'` (past `maxBytes`), `'too-large'`,
   * `'disposed'` or `'context-lost'`. Whether every value is finite is
   * noted on the way: a weight known to be finite lets the gather multiply zeros for taps outside the input instead
   * of discarding each of their products (faster on padded calls); a computed tensor is not known to be.
   */
  upload(t: Tensor): ResidentTensor;
  /**
   * conv_transpose3d on the GPU; the result stays on the GPU. Throws a {@link ConvTranspose3dError} before any GPU
   * work: `'invalid-argument'` (a bad argument, or a GpuTensor of another backend), `'out-of-memory'` (past
   * `maxBytes`), `'too-large'` (past the device's textures or the shaders' integer ranges), `'disposed'` or
   * `'context-lost'`.
   */
  convTranspose3d(input: AnyTensor, weight: AnyTensor, options?: BackendConvOptions): ResidentTensor;
  /** A copy of the resource counters. */
  stats(): BackendStats;
  /**
   * Blocks until the GPU has finished `t` (and everything submitted before it), with a synchronous one-texel read.
   * For benchmarks: fence polling (what {@link ResidentTensor.read} uses, so as not to block) can add a frame of
   * latency.
   */
  finish(t: ResidentTensor): void;

  /** Frees every texture and program; the backend and its tensors cannot be used afterwards. */
  dispose(): void;
}

class GpuTensorImpl extends OwnedTensor<GpuTensorImpl> {
  declare readonly owner: BackendImpl;
  /** The backend's context epoch when this tensor was made: a lost context makes its textures invalid. */
  readonly epoch: number;
  /** Packed-weight textures made from this tensor, by the source of their packing program, reused across calls. */
  readonly packed = new Map<string, LayoutTexture>();

  /**
   * @param finite every value is known to be stored finite: checked when uploaded by `upload()`; a computed tensor
   *   may hold Inf or NaN, so false
   */
  constructor(owner: BackendImpl, shape: number[], readonly storage: LayoutTexture | null, readonly finite = false) {
    super(owner, shape);
    this.epoch = owner.epoch;
  }
}

/** A pass with its program's full source (specialized for the backend's storage and renderer). */
type ReadyPass = Pass & { source: string };

/**
 * What every call of one shape needs, worked out once: the plan and its passes with their programs' sources.
 * Planning and specializing cost a small call a quarter of its time when done on every call.
 */
interface CallPlan {
  plan: ConvPlan;
  packWeights: ReadyPass;
  compute: ReadyPass[];
  intermediates: Array<{ texture: CallTexture; layout: TextureLayout }>;
}

/** Call plans kept per backend, the most recently used (they are small; programs have their own cache). */
const MAX_CALL_PLANS = 64;

/** Default of {@link BackendOptions.maxBytes}. */
const DEFAULT_MAX_BYTES = 2 ** 31;

class BackendImpl implements WebglBackend {
  readonly engine = 'webgl' as const;
  capabilities: DeviceCapabilities;
  /** Bumped when the context is lost: everything made before belongs to the dead context. */
  epoch = 0;
  private readonly counters = createStats();
  private programs!: ProgramCache;
  private callPlans!: LRUCache<string, CallPlan>;
  private pool!: TexturePool;
  private framebuffer!: WebGLFramebuffer;
  private readonly live = new Set<GpuTensorImpl>();
  private readonly maxBytes: number;
  private readonly poolBytes: number;
  private disposed = false;
  /** The context was lost and the GL objects have not been rebuilt yet. */
  private lost = false;
  private readonly unlisten: () => void;
  /** The context is the caller's: its GL state is saved and restored around every stretch of work. */
  private readonly shared: boolean;
  /** An empty vertex array of the backend's own: its draws read no attributes, whatever the owner enabled. */
  private vao!: WebGLVertexArrayObject;

  constructor(readonly gl: WebGL2RenderingContext, private readonly options: BackendOptions) {
    this.shared = options.gl !== undefined;
    this.capabilities = this.guard(() => readCapabilities(gl, options));
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.poolBytes = options.poolBytes ?? DEFAULT_POOL_BYTES;
    this.build();
    this.unlisten = this.watchContext();
  }

  /**
   * Runs a stretch of GL work: on a context of its own as it is; on the caller's, between a save and a restore of
   * the state it may touch, with the state its draws assume set meanwhile (glState.ts).
   */
  readonly guard = <T>(work: () => T): T => {
    if (!this.shared) return work();
    return withGlState(this.gl, TEXTURE_UNITS, () => {
      if (this.vao) this.gl.bindVertexArray(this.vao);
      return work();
    });
  };

  /** The GL objects of one context lifetime. */
  private build(): void {
    this.vao = this.gl.createVertexArray()!;
    this.programs = new ProgramCache(this.gl, this.counters);
    // The limits come from the capabilities, read anew after a restore.
    this.callPlans = new LRUCache({ max: MAX_CALL_PLANS });
    this.pool = new TexturePool(this.gl, this.counters, storageFormat(this.gl, this.capabilities.storage),
      this.poolBytes);
    this.framebuffer = this.gl.createFramebuffer()!;
  }

  /** Every texture and program died with the context: forget them (and count them as gone). */
  private markLost(): void {
    if (this.lost) return;
    this.lost = true;
    this.epoch++;
    for (const t of this.live) t.packed.clear();
    Object.assign(this.counters, { textures: 0, textureBytes: 0, pooledTextures: 0, pooledBytes: 0, programs: 0 });
  }

  /** After a restore: extensions must be enabled again, so the capabilities are read anew, with the same storage. */
  private rebuild(): void {
    if (!this.lost || this.disposed || this.gl.isContextLost()) return;
    this.capabilities = this.guard(() => readCapabilities(this.gl, { ...this.options,
      storage: this.capabilities.storage }));
    this.build();
    this.lost = false;
  }

  /**
   * preventDefault on loss asks the browser to restore the context. The events only speed things up: every call
   * also checks the context itself (see checkAlive), in case an event is missed.
   */
  private watchContext(): () => void {
    const canvas = this.gl.canvas as EventTarget;
    const lost = (e: Event) => {
      e.preventDefault();
      this.markLost();
    };
    const restored = () => this.rebuild();
    canvas.addEventListener('webglcontextlost', lost);
    canvas.addEventListener('webglcontextrestored', restored);
    return () => {
      canvas.removeEventListener('webglcontextlost', lost);
      canvas.removeEventListener('webglcontextrestored', restored);
    };
  }

  /** A pass with its program's source, specialized for this backend's storage and renderer. */
  private ready(pass: Pass): ReadyPass {
    return { ...pass, source: this.specialized(SHADERS[pass.shader], pass.defines) };
  }

  /** A shader's source with its #defines, for this backend's storage and renderer. */
  private specialized(body: string, defines: Record<string, number | string | boolean>): string {
    return specialize(body, { ...defines, STORAGE_UINT: this.capabilities.storage === 'uint32' },
      { unroll: this.capabilities.policy.unrollLoops });
  }

  /**
   * The plan of a call and its passes, cached by the call's spec and whether its weight is known to be finite (see
   * gatherDefines).
   */
  private callPlan(spec: ConvSpec, finiteWeight: boolean): CallPlan {
    const key = `${finiteWeight} ${JSON.stringify(spec)}`;
    let call = this.callPlans.get(key);
    if (!call) {
      const { fragment, phaseDraws, directOutput } = this.options;
      const plan = planConv(spec, this.limits, { fragment, phaseDraws, directOutput });
      const passes = callPasses(plan, { finiteWeight });
      call = { plan, packWeights: this.ready(passes.packWeights), compute: passes.compute.map((p) => this.ready(p)),
        intermediates: passes.intermediates };
      this.callPlans.set(key, call);
    }
    return call;
  }

  get limits(): PlanLimits {
    const { maxTextureSize, maxTextureLayers, maxDrawBuffers, policy } = this.capabilities;
    return {
      maxTextureSize, maxLayers: maxTextureLayers,
      // Slices of one fragment are layers of one texture, so they are bounded by the layers too.
      maxOutputs: Math.min(8, maxDrawBuffers, maxTextureLayers),
      quadWidth: policy.quadWidth, windowTexels: policy.windowTexels,
    };
  }

  private checkAlive(what: string): void {
    if (this.disposed) throw new ConvTranspose3dError(`conv_transpose3d: ${what} on a disposed backend`, 'disposed');
    if (this.gl.isContextLost()) {
      this.markLost();
      throw new ConvTranspose3dError(`conv_transpose3d: ${what}: the WebGL context is lost (this backend resumes ` +
        'by itself when the browser restores it)', 'context-lost');
    }
    this.rebuild();
  }

  checkUsable(t: GpuTensorImpl, what: string): void {
    if (t.disposed) {
      throw new ConvTranspose3dError(`conv_transpose3d: ${what} on a disposed GpuTensor of shape ${show(t.shape)}`,
        'disposed');
    }
    this.checkAlive(what);
    if (t.epoch !== this.epoch) {
      throw new ConvTranspose3dError(`conv_transpose3d: ${what} on a GpuTensor of shape ${show(t.shape)} that was ` +
        'lost with the WebGL context (GPU tensors are not kept on the CPU); upload it again', 'context-lost');
    }
  }

  /**
   * Validates a tensor argument, from the CPU or a GpuTensor of this backend, and returns what the call uses: the
   * GpuTensor, or a snapshot of the CPU tensor.
   */
  private checkArgument = (t: unknown, name: string): AnyTensor => {
    if (t instanceof GpuTensorImpl) {
      if (t.owner !== this) {
        throw new ConvTranspose3dError(`conv_transpose3d: ${name} is a GpuTensor of another backend`,
          'invalid-argument', name);
      }
      this.checkUsable(t, name);
      return t;
    }
    return snapshotTensor(t, name);
  };

  private wrap(shape: number[], storage: LayoutTexture | null, finite = false): GpuTensorImpl {
    const t = new GpuTensorImpl(this, shape, storage, finite);
    this.live.add(t);
    return t;
  }

  upload(t: Tensor): ResidentTensor {
    return this.guard(() => this.uploadTensor(t, true));
  }

  /** `upload()`; `checkFinite` records whether every value is stored finite (what a weight's shader depends on). */
  private uploadTensor(tensor: Tensor, checkFinite: boolean): GpuTensorImpl {
    const t = snapshotUpload(tensor);
    const { shape } = t;
    this.checkAlive('upload()');
    if (numel(shape) === 0) return this.wrap(shape, null);
    const layout = activationLayout(shape, this.limits);
    this.reserve(texelCount(layout) * this.texelBytes, `upload() of a tensor of shape ${show(shape)}`);
    return this.wrap(shape, this.pool.acquire(layout, packActivation(t.data, as5d(shape), layout)),
      checkFinite && storesFinite(t.data, this.capabilities.storage));
  }

  async readTensor(t: GpuTensorImpl): Promise<Tensor> {
    if (!t.storage) return { shape: t.shape.slice(), data: new Float32Array(0) };
    const epoch = this.epoch;
    const texels = await readLayoutTexture(this.gl, t.storage, () => this.gl.isContextLost() || this.epoch !== epoch,
      { guard: this.guard });
    return { shape: t.shape.slice(), data: unpackActivation(texels, as5d(t.shape), t.storage.layout) };
  }

  release(t: GpuTensorImpl): void {
    if (!this.live.delete(t) || t.epoch !== this.epoch) return;
    if (t.storage) this.pool.release(t.storage);
    for (const packed of t.packed.values()) this.pool.release(packed);
    t.packed.clear();
  }

  /** Uploads CPU arguments for the duration of a call; GPU arguments are used as they are. */
  private resident(t: AnyTensor, temporaries: ResidentTensor[]): GpuTensorImpl {
    if (t instanceof GpuTensorImpl) return t;
    const g = this.uploadTensor(t as Tensor, false);
    temporaries.push(g);
    return g;
  }

  /** Draws one pass, binding each of its inputs to the call's texture of that role. */
  private draw(pass: ReadyPass, textures: Partial<Record<CallTexture, LayoutTexture>>): void {
    const uniforms = Object.fromEntries(Object.entries(pass.inputs).map(([name, role]) => [name,
      textures[role]!.texture]));
    drawLayout(this.gl, this.framebuffer, this.counters, { program: this.programs.get(pass.source), uniforms,
      target: textures[pass.target]!, layout: pass.layout, outputs: pass.outputs,
      fetchesPerTexel: pass.fetchesPerTexel, columns: pass.columns });
  }

  /**
   * A GPU weight packed for `call` (by glsl/pack_weights.frag.glsl), once per weight tensor and packing (keyed by
   * the packing's source).
   */
  private packedWeights({ plan, packWeights: pass }: CallPlan, weight: GpuTensorImpl): LayoutTexture {
    let packed = weight.packed.get(pass.source);
    if (!packed) {
      packed = this.pool.acquire(plan.packedWeight);
      this.draw(pass, { rawWeight: weight.storage!, packedWeight: packed });
      weight.packed.set(pass.source, packed);
    }
    return packed;
  }

  convTranspose3d(input: AnyTensor, weight: AnyTensor, options?: BackendConvOptions): ResidentTensor {
    this.checkAlive('convTranspose3d()');
    return this.run(checkCall<AnyTensor>(input, weight, options, this.checkArgument));
  }

  /** Runs a call checked by {@link checkCall} (against this backend's tensors). */
  run(call: CheckedCall<AnyTensor>): ResidentTensor {
    this.checkAlive('convTranspose3d()');
    return this.guard(() => this.runChecked(call));
  }

  private runChecked({ spec, input, weight, bias }: CheckedCall<AnyTensor>): ResidentTensor {
    if (spec.batch === 0) return this.wrap(spec.outShape, null);
    const w = weight instanceof GpuTensorImpl ? weight : null;
    const call = this.callPlan(spec, w ? w.finite : storesFinite((weight as Tensor).data, this.capabilities.storage));
    const { plan } = call;
    const onCpu = (t: AnyTensor | null) => t !== null && !(t instanceof GpuTensorImpl);
    const texels = callTexels(plan, { input: onCpu(input), bias: onCpu(bias) });
    this.reserve(texels * this.texelBytes, describeCall(spec));
    const temporaries: ResidentTensor[] = [];
    try {
      const x = this.resident(input, temporaries);
      const b = bias ? this.resident(bias, temporaries) : null;
      // Every program the call draws with, compiled together before the first draw.
      this.programs.getAll([...(w && !w.packed.has(call.packWeights.source) ? [call.packWeights.source] : []),
        ...call.compute.map((p) => p.source)]);
      let packed: LayoutTexture;
      if (w) {
        packed = this.packedWeights(call, w);
      } else {
        // A weight from the CPU is packed there, for this call only (the caller may change it before the next).
        packed = this.pool.acquire(plan.packedWeight, packWeights((weight as Tensor).data, plan.spec,
          plan.channels, plan.packedWeight, plan.crop));
        temporaries.push(this.wrap((weight as Tensor).shape.slice(), packed));
      }
      const textures: Partial<Record<CallTexture, LayoutTexture>> = {
        input: x.storage!, packedWeight: packed, bias: b?.storage ?? undefined, output: this.pool.acquire(plan.output),
      };
      for (const { texture, layout } of call.intermediates) textures[texture] = this.pool.acquire(layout);
      for (const pass of call.compute) this.draw(pass, textures);
      for (const { texture } of call.intermediates) this.pool.release(textures[texture]!);
      this.counters.calls++;
      return this.wrap(spec.outShape, textures.output!);
    } finally {
      for (const t of temporaries) t.dispose();
    }
  }

  private get texelBytes(): number {
    return storageFormat(this.gl, this.capabilities.storage).texelBytes;
  }

  /** Throws, before any GPU work, when `bytes` more would exceed the budget (idle pooled textures can go). */
  private reserve(bytes: number, what: string): void {
    const live = this.counters.textureBytes - this.counters.pooledBytes;
    if (live + bytes > this.maxBytes) throw outOfMemory(what, bytes, live, this.maxBytes, 'textures');
  }

  stats(): BackendStats {
    return { ...this.counters };
  }

  /** See {@link planGpuCall}. */
  plan(spec: ConvSpec): void {
    this.checkAlive('convTranspose3d()');
    this.callPlan(spec, false);
  }

  /** See {@link gpuTensorFromDense}. */
  fromDense(source: DenseTexture, shape: number[], strides: number[]): ResidentTensor {
    this.checkAlive('fromDense()');
    return this.guard(() => this.fromDenseNow(source, shape, strides));
  }

  private fromDenseNow(source: DenseTexture, shape: number[], strides: number[]): ResidentTensor {
    checkDense(shape);
    const layout = activationLayout(shape, this.limits);
    this.reserve(texelCount(layout) * this.texelBytes, `a copy of a tensor of shape ${show(shape)}`);
    const target = this.pool.acquire(layout);
    const defines = fromDenseDefines(as5d(shape), strides, layout, source);
    const program = this.programs.get(this.specialized(fromDenseSource, { ...defines }));
    drawLayout(this.gl, this.framebuffer, this.counters, { program, uniforms: { u_dense: source.texture }, target,
      layout, fetchesPerTexel: 4 });
    return this.wrap(shape.slice(), target);
  }

  /** See {@link gpuTensorToDense}. */
  toDense(t: ResidentTensor, axes: number[]): DenseTexture & { dispose(): void } {
    const x = this.checkArgument(t, 'toDense()') as GpuTensorImpl;
    return this.guard(() => this.toDenseNow(x, axes));
  }

  private toDenseNow(x: GpuTensorImpl, axes: number[]): DenseTexture & { dispose(): void } {
    checkDense(x.shape);
    const shape5 = as5d(x.shape);
    const texels = Math.ceil(numel(shape5) / 4);
    const max = this.capabilities.maxTextureSize;
    const cols = Math.min(texels, max);
    const rows = Math.ceil(texels / cols);
    if (rows > max) {
      throw new ConvTranspose3dError(`conv_transpose3d: a tensor of shape ${show(x.shape)} does not fit one ` +
        `${max} × ${max} texture, as the other library's dense textures must`, 'too-large');
    }
    // The other library reads floats: RGBA32F where this device renders to it, else RGBA16F.
    const format = storageFormat(this.gl, this.capabilities.storageSupport.float32 ? 'float32' : 'float16');
    const layout = planLayout(rows, cols, { maxTextureSize: max, maxLayers: 1 });
    this.reserve(texelCount(layout) * format.texelBytes, `a dense copy of a tensor of shape ${show(x.shape)}`);
    const target = createLayoutTexture(this.gl, this.counters, format, layout);
    const program = this.programs.get(this.specialized(toDenseSource,
      { ...toDenseDefines(shape5, axes, x.storage!.layout, { rows, cols }) }));
    drawLayout(this.gl, this.framebuffer, this.counters, { program, uniforms: { u_x: x.storage!.texture }, target,
      layout, fetchesPerTexel: 4 });
    let disposed = false;
    return {
      texture: target.texture, rows, cols,
      dispose: () => {
        if (disposed) return;
        disposed = true;
        deleteLayoutTexture(this.gl, this.counters, target);
      },
    };
  }

  finish(t: ResidentTensor): void {
    if (!(t instanceof GpuTensorImpl)) {
      throw new ConvTranspose3dError(`conv_transpose3d: finish() takes a GpuTensor, got ${show(t)}`,
        'invalid-argument', 't');
    }
    this.checkArgument(t, 'finish()');
    const storage = t.storage;
    if (!storage) return;
    const { gl } = this;
    this.guard(() => {
      gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer);
      attachLayer(gl, gl.COLOR_ATTACHMENT0, storage, 0);
      const { format } = storage;
      gl.readPixels(0, 0, 1, 1, format.format, format.type, uploadView(format, new Float32Array(4)));
      gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, null, 0, 0);
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    });
  }

  dispose(): void {
    if (this.disposed) return;
    for (const t of [...this.live]) t.dispose();
    this.pool.clear();
    this.programs.dispose();
    this.gl.deleteFramebuffer(this.framebuffer);
    this.gl.deleteVertexArray(this.vao);
    this.unlisten();
    this.disposed = true;
  }
}

/** A dense RGBA float texture on a backend's context: a row-major array four values a texel, `rows` × `cols`. */
export interface DenseTexture extends DenseShape {
  texture: WebGLTexture;
}

/** The dense conversions index the other library's flat array with 32-bit ints (WebGL2's highp int). */
function checkDense(shape: number[]): void {
  if (numel(shape) > MAX_DENSE_ELEMENTS) {
    throw new ConvTranspose3dError(`conv_transpose3d: a tensor of shape ${show(shape)} has more than ` +
      `${MAX_DENSE_ELEMENTS} elements, the most a dense texture conversion indexes`, 'too-large');
  }
}

/**
 * Internal (the TensorFlow.js entry's): plans a call on `backend`, throwing what planning throws (`'too-large'`)
 * before any GPU work; the plan is cached for the call that follows.
 *
 * @example
 * planGpuCall(backend, spec);
 */
export function planGpuCall(backend: WebglBackend, spec: ConvSpec): void {
  (backend as BackendImpl).plan(spec);
}

/**
 * Internal (the TensorFlow.js entry's): a new GpuTensor of `shape` (rank 5) copied, by a GPU pass, from a dense
 * texture of another library on the backend's context; element (n, c, d, h, w) is value n·strides[0] + c·strides[1]
 * + … of the dense array, so any axis order reads in place.
 *
 * @example
 * // An NDHWC array [1, 4, 4, 4, 3] as the NCDHW tensor [1, 3, 4, 4, 4].
 * const x = gpuTensorFromDense(backend, { texture, rows: 1, cols: 48 }, [1, 3, 4, 4, 4], [192, 1, 48, 12, 3]);
 */
export function gpuTensorFromDense(backend: WebglBackend, source: DenseTexture, shape: number[], strides: number[]):
  ResidentTensor {
  return (backend as BackendImpl).fromDense(source, shape, strides);
}

/**
 * Internal (the TensorFlow.js entry's): `t` written by a GPU pass into a new dense float texture whose axis i is
 * `t`'s axis `axes[i]` (of n, c, d, h, w). The caller disposes it.
 *
 * @example
 * const out = gpuTensorToDense(backend, y, [0, 2, 3, 4, 1]); // NDHWC
 * out.dispose();
 */
export function gpuTensorToDense(backend: WebglBackend, t: ResidentTensor, axes: number[]):
  DenseTexture & { dispose(): void } {
  return (backend as BackendImpl).toDense(t, axes);
}

/**
 * Runs a call already checked by {@link checkCall} on a backend made by {@link createBackend}: the one-shot
 * convTranspose3d checks its arguments once, before it even makes the shared backend.
 */
export function runWebglCall(backend: WebglBackend, call: CheckedCall<AnyTensor>): ResidentTensor {
  return (backend as BackendImpl).run(call);
}

/**
 * Makes a WebGL2 backend: on the caller's context, or on a new one of its own ({@link createBackend} with `engine:
 * 'webgl'`). Throws, saying what is missing, when the browser has no WebGL2 or the device supports no usable
 * storage mode: `'no-webgl2'`, `'unsupported'`; options are checked by the caller.
 */
export function createWebglBackend(checked: BackendOptions): WebglBackend {
  const gl = checked.gl ?? createContext();
  return new BackendImpl(gl, checked);
}
