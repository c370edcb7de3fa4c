// The CPU engine: resident tensors in a WebAssembly memory, conv_transpose3d by the SIMD kernel on a pool of
// workers. Every call's arguments are checked and its memory reserved at once, before any work; the work itself
// (uploads into a private memory, runs, reads, frees) goes through one queue, in order, so the main thread never
// waits and a tensor's memory is freed only after every call that reads it has run.
import { checkCall, describeCall, show, snapshotUpload, type CheckedCall } from '../args.js';
import { ConvTranspose3dError, outOfMemory } from '../errors.js';
import { createStats, type BackendStats } from '../gl/stats.js';
import { numel } from '../tensor.js';
import type { Tensor } from '../types.js';
import type { AnyTensor, Backend, BackendConvOptions } from '../backendApi.js';
import type { BackendOptions } from '../backend.js';
import { checkNotDisposed, OwnedTensor, tensorArgument } from '../resident.js';
import { Heap } from './heap.js';
import { kernelModule, type InstructionSet } from './modules.js';
import { checkKernelRange, PARAM_COUNT, planCpuCall, setAddresses } from './plan.js';
import { canShareMemory, PAGE, WorkerPool } from './pool.js';

/** Options of the CPU engine (from {@link BackendOptions}). */
export interface CpuEngineOptions {
  threads?: number;
  maxBytes?: number;
  /** Forces plain SIMD where the runtime has relaxed SIMD too (for comparing the two builds). */
  instructionSet?: InstructionSet;
}

/**
 * A backend on the CPU engine: tensors in a WebAssembly memory, calls computed by a SIMD kernel on worker threads
 * (one worker where memory cannot be shared). Calls return at once; the work runs in order, off the main thread.
 */
export interface CpuBackend extends Backend {
  readonly engine: 'cpu';
  /** The kernel's instruction set (once {@link CpuBackend.ready}), the threads and whether memory is shared. */
  readonly capabilities: CpuCapabilities;
  /**
   * Resolves once the workers have started; rejects with a {@link ConvTranspose3dError} (`'unsupported'`) where the
   * runtime has no WebAssembly SIMD or cannot start workers (every call's `read()` then rejects with it too).
   */
  ready(): Promise<void>;
  /** Resolves when every call made so far has been computed (for benchmarks: the time of the work itself). */
  settled(): Promise<void>;
}

/** What the CPU engine runs with, known once its workers have started (see {@link CpuBackend.ready}). */
export interface CpuCapabilities {
  /** The engine these capabilities are of. */
  engine: 'cpu';
  /** The kernel build: `'relaxed-simd'` (fused multiply-add where the CPU has it) or `'simd'`. */
  instructionSet: InstructionSet | null;
  /** Worker threads computing each call (1 without a shared memory). */
  threads: number;
  /** Whether the workers share one memory (SharedArrayBuffer: Node, or a cross-origin isolated page). */
  sharedMemory: boolean;
}

/** The memory below this address is the kernel's (it keeps none today); address 0 means "no bias" to it. */
const HEAP_BASE = PAGE;
const DEFAULT_MAX_BYTES = 2 ** 31;

/** Default worker threads: the machine's cores, at most this many. */
const MAX_DEFAULT_THREADS = 8;

function defaultThreads(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.max(1, Math.min(MAX_DEFAULT_THREADS, cores ?? 1));
}

export class CpuTensor extends OwnedTensor<CpuTensor> {
  declare readonly owner: CpuEngine;
  /**
   * The step that writes this tensor's values (an upload's copy, or a call's run): the steps that read it wait for
   * it, and fail with it.
   */
  produced: Promise<unknown> = Promise.resolve();
  /** This weight packed by the kernel, per group count (the packing depends on it): where, and the run that packs it. */
  readonly packed = new Map<number, { at: number; produced: Promise<unknown> }>();

  constructor(owner: CpuEngine, shape: number[], readonly at: number) {
    super(owner, shape);
  }
}

interface Runtime {
  pool: WorkerPool;
  instructionSet: InstructionSet;
}

export class CpuEngine implements CpuBackend {
  readonly engine = 'cpu' as const;
  readonly capabilities: CpuCapabilities;
  private readonly counters = createStats();
  private readonly heap: Heap;
  private readonly live = new Set<CpuTensor>();
  private disposed = false;
  /** The work so far, in order: each step starts when the one before has settled. */
  private tail: Promise<unknown>;
  private readonly runtime: Promise<Runtime>;

  constructor(options: CpuEngineOptions & BackendOptions) {
    const shared = canShareMemory();
    const threads = shared ? options.threads ?? defaultThreads() : 1;
    const capabilities: CpuCapabilities = { engine: 'cpu', instructionSet: null, threads, sharedMemory: shared };
    this.capabilities = capabilities;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const maxPages = Math.min(65536, Math.ceil((HEAP_BASE + maxBytes) / PAGE));
    this.heap = new Heap(HEAP_BASE, maxPages * PAGE);
    this.runtime = (async () => {
      try {
        const { module, instructionSet } = await kernelModule(shared, options.instructionSet);
        const pool = await WorkerPool.start(module, { threads, shared, pages: HEAP_BASE / PAGE + 1, maxPages });
        capabilities.instructionSet = instructionSet;
        return { pool, instructionSet };
      } catch (e) {
        throw new ConvTranspose3dError(`conv_transpose3d: the CPU engine cannot run here: ${(e as Error).message}`,
          'unsupported');
      }
    })();
    // Whoever uses the engine sees the failure; an engine never used should not report it as unhandled.
    this.runtime.catch(() => undefined);
    this.tail = this.runtime;
  }

  async ready(): Promise<void> {
    await this.runtime;
  }

  /**
   * Queues a step after every step so far, to run once the steps that produce its inputs have succeeded (it fails
   * with them otherwise). The queue goes on whether the step succeeds or not. The result is marked handled: whoever
   * reads a tensor sees its failure.
   */
  private enqueue<T>(step: (runtime: Runtime) => Promise<T> | T, inputs: Promise<unknown>[] = []): Promise<T> {
    const result = this.tail.then(() => this.runtime).then(async (runtime) => {
      await Promise.all(inputs);
      return step(runtime);
    });
    this.tail = result.catch(() => undefined);
    result.catch(() => undefined);
    return result;
  }

  private checkAlive(what: string): void {
    if (this.disposed) throw new ConvTranspose3dError(`conv_transpose3d: ${what} on a disposed backend`, 'disposed');
  }

  checkUsable(t: CpuTensor, what: string): void {
    checkNotDisposed(t, what);
    this.checkAlive(what);
  }

  private checkArgument = (t: unknown, name: string): Tensor | CpuTensor => tensorArgument(t, name,
    (u): u is CpuTensor => u instanceof CpuTensor && u.owner === this, (u) => this.checkUsable(u, name));

  /** Throws `'out-of-memory'`, naming what needed `bytes`, when they do not fit beside what is in use. */
  private reserve(bytes: number, what: string): void {
    if (this.heap.used + bytes > this.heap.limit - HEAP_BASE) {
      throw outOfMemory(what, bytes, this.heap.used, this.heap.limit - HEAP_BASE, 'memory');
    }
  }

  /** Reserves `bytes` of memory now, or throws `'out-of-memory'` naming what needed it. */
  private allocate(bytes: number, what: string): number {
    const at = this.heap.alloc(bytes);
    if (at === null) throw outOfMemory(what, bytes, this.heap.used, this.heap.limit - HEAP_BASE, 'memory');
    return at;
  }

  /** Frees addresses once every step queued so far has run. */
  private freeLater(addresses: number[]): void {
    void this.enqueue(() => { for (const at of addresses) this.heap.release(at); });
  }

  upload(tensor: Tensor): CpuTensor {
    const t = snapshotUpload(tensor);
    this.checkAlive('upload()');
    return this.uploadChecked(t, `upload() of a tensor of shape ${show(t.shape)}`);
  }

  private uploadChecked(t: Tensor, what: string): CpuTensor {
    const at = this.allocate(t.data.byteLength, what);
    // A copy now: the caller may change its array before the queue reaches this step.
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
    const end = this.heap.end;
    const result = new CpuTensor(this, t.shape.slice(), at);
    result.produced = this.enqueue(({ pool }) => {
      pool.ensure(end);
      pool.write(at, bytes);
    });
    this.live.add(result);
    return result;
  }

  readTensor(t: CpuTensor): Promise<Tensor> {
    const shape = t.shape.slice();
    const bytes = numel(shape) * 4;
    return this.enqueue(async ({ pool }) => {
      const data = await pool.read(t.at, bytes);
      return { shape, data: new Float32Array(data.buffer, data.byteOffset, numel(shape)) };
    }, [t.produced]);
  }

  release(t: CpuTensor): void {
    if (!this.live.delete(t)) return;
    this.freeLater([t.at, ...[...t.packed.values()].map((p) => p.at)]);
    t.packed.clear();
  }

  convTranspose3d(input: AnyTensor, weight: AnyTensor, options?: BackendConvOptions): CpuTensor {
    this.checkAlive('convTranspose3d()');
    return this.run(checkCall<Tensor | CpuTensor>(input, weight, options, this.checkArgument));
  }

  run({ spec, input, weight, bias }: CheckedCall<Tensor | CpuTensor>): CpuTensor {
    this.checkAlive('convTranspose3d()');
    const outElements = numel(spec.outShape);
    const what = describeCall(spec);
    const temporaries: CpuTensor[] = [];
    const scratch: number[] = [];
    const resident = (t: Tensor | CpuTensor): CpuTensor => {
      if (t instanceof CpuTensor) return t;
      const r = this.uploadChecked(t, what);
      temporaries.push(r);
      return r;
    };
    if (outElements > 0) checkKernelRange(spec);
    const packedBefore = weight instanceof CpuTensor ? weight.packed.get(spec.groups) : undefined;
    const plan = planCpuCall(spec, packedBefore === undefined);
    const onCpu = (t: Tensor | CpuTensor | null) => (t && !(t instanceof CpuTensor) ? t.data.byteLength : 0);
    this.reserve(4 * (outElements + plan.packedInputElements + PARAM_COUNT + 4) + onCpu(input) + onCpu(weight) +
      onCpu(bias) + (packedBefore === undefined ? 4 * plan.packedWeightElements : 0), what);
    const output = this.allocate(outElements * 4, what);
    const result = new CpuTensor(this, spec.outShape, output);
    try {
      if (outElements > 0) {
        const x = resident(input);
        const w = resident(weight);
        const b = bias ? resident(bias) : null;
        const packed = packedBefore?.at ?? this.allocate(plan.packedWeightElements * 4, what);
        if (packedBefore === undefined) scratch.push(packed);
        const xPacked = this.allocate(plan.packedInputElements * 4, what);
        scratch.push(xPacked);
        // The parameter block, then the three counters the workers share the items out by.
        const params = this.allocate(PARAM_COUNT * 4 + 16, what);
        scratch.push(params);
        setAddresses(plan.params, { x: x.at, xPacked, weight: w.at, wPacked: packed, bias: b ? b.at : 0, y: output });
        const threads = this.capabilities.threads;
        const chunks: [number, number] = [Math.max(1, Math.floor(plan.prepareItems / (threads * 8))),
          Math.max(1, Math.floor(plan.computeItems / (threads * 16)))];
        const end = this.heap.end;
        const inputs = [x.produced, w.produced, ...(b ? [b.produced] : []), ...(packedBefore ? [packedBefore.produced] : [])];
        result.produced = this.enqueue(async ({ pool }) => {
          pool.ensure(end);
          pool.write(params, new Uint8Array(plan.params.buffer));
          await pool.run(params, params + PARAM_COUNT * 4, chunks);
        }, inputs);
        // A resident weight keeps its packing for the calls after; a CPU one is packed for this call only (the
        // caller may change it before the next).
        if (packedBefore === undefined && !temporaries.includes(w)) {
          scratch.splice(scratch.indexOf(packed), 1);
          w.packed.set(spec.groups, { at: packed, produced: result.produced });
        }
        this.counters.draws++;
      }
    } catch (e) {
      this.heap.release(output);
      for (const at of scratch) this.heap.release(at);
      for (const t of temporaries) t.dispose();
      throw e;
    }
    this.freeLater(scratch);
    for (const t of temporaries) t.dispose();
    this.counters.calls++;
    this.live.add(result);
    return result;
  }

  stats(): BackendStats {
    return { ...this.counters, textures: this.heap.blocks, textureBytes: this.heap.used };
  }

  async settled(): Promise<void> {
    await this.tail;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of [...this.live]) t.dispose();
    void this.runtime.then(({ pool }) => pool.terminate(), () => undefined);
  }
}
