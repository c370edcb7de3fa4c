// engine 'auto' where WebGL may be drawn on the CPU: both engines behind one backend, and for each call shape the
// faster of the two, found by timing both on the first call of that shape. Tensors live on whichever engine made
// them and are copied to the other when a call there needs them.
import { checkCall, snapshotUpload, type CheckedCall, type ConvSpec } from './args.js';
import { checkNotDisposed, tensorArgument } from './resident.js';
import type { WebglBackend } from './backend.js';
import type { AnyTensor, Backend, BackendConvOptions, EngineName, ResidentTensor } from './backendApi.js';
import type { CpuBackend, CpuCapabilities } from './cpu/engine.js';
import { ConvTranspose3dError } from './errors.js';
import type { DeviceCapabilities } from './gl/context.js';
import { createStats, type BackendStats } from './gl/stats.js';
import type { Tensor } from './types.js';

/** What a backend of engine `'auto'` runs with, and which engine it chose for each call shape so far. */
export interface AutoCapabilities {
  /** The engine these capabilities are of: both, chosen per call shape. */
  engine: 'auto';
  /** The WebGL engine's capabilities (its renderer may be software: why both engines are timed). */
  webgl: DeviceCapabilities;
  /** The CPU engine's capabilities. */
  cpu: CpuCapabilities;
  /**
   * The engine chosen for each call shape so far. A key names the input and weight shapes, the options and the
   * bias: `'x1,64,16,16,16 w64,32,2,2,2 s2,2,2 p0,0,0 o0,0,0 g1 d1,1,1 b0'`. Pass it as `choices` to
   * {@link createBackend} to start another backend with them (no timing for those shapes).
   */
  choices: Record<string, EngineName>;
  /** Call shapes this backend has timed on both engines (those not among the choices it was started with). */
  timed: number;
}

/**
 * The key of a call's shape in {@link AutoCapabilities.choices}: the input and weight shapes, the options and
 * whether there is a bias.
 *
 * @example
 * callShapeKey(spec); // 'x1,64,16,16,16 w64,32,2,2,2 s2,2,2 p0,0,0 o0,0,0 g1 d1,1,1 b0'
 */
export function callShapeKey(spec: ConvSpec): string {
  const x = spec.batched ? [spec.batch, spec.inChannels, ...spec.inSize] : [spec.inChannels, ...spec.inSize];
  return `x${x} w${[spec.inChannels, spec.outPerGroup, ...spec.kernel]} s${spec.stride} p${spec.padding} ` +
    `o${spec.outputPadding} g${spec.groups} d${spec.dilation} b${spec.hasBias ? 1 : 0}`;
}

/** Where a tensor of the auto backend is: made by an engine, or uploaded (then kept on the CPU until needed). */
type Home = { engine: EngineName; tensor: ResidentTensor } | { engine: null; data: Tensor };

class AutoTensor implements ResidentTensor {
  disposed = false;
  /** Copies on each engine (the home one included), made when a call there needs them. */
  readonly copies = new Map<EngineName, Promise<ResidentTensor>>();

  constructor(readonly owner: AutoBackend, readonly shape: number[], readonly home: Promise<Home>) {}

  async read(): Promise<Tensor> {
    this.owner.checkUsable(this, 'read()');
    const home = await this.home;
    if (home.engine === null) return { shape: home.data.shape.slice(), data: home.data.data.slice() };
    return home.tensor.read();
  }

  /** This tensor on `engine`. */
  on(engine: EngineName, backend: Backend): Promise<ResidentTensor> {
    let copy = this.copies.get(engine);
    if (!copy) {
      copy = this.home.then(async (home) => {
        if (home.engine === engine) return home.tensor;
        return backend.upload(home.engine === null ? home.data : await home.tensor.read());
      });
      this.copies.set(engine, copy);
    }
    return copy;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const copies = [...this.copies.values()];
    void this.home.then((home) => {
      if (home.engine !== null) home.tensor.dispose();
    }, () => undefined);
    for (const c of copies) void c.then((t) => t.dispose(), () => undefined);
  }
}

/** Timed runs of each engine after a first one (which compiles shaders, packs the weight, starts the workers). */
const TIMED_RUNS = 2;

const now = () => performance.now();

export class AutoBackend implements Backend {
  readonly engine = 'auto' as const;
  readonly capabilities: AutoCapabilities;
  private readonly counters = createStats();
  private disposed = false;
  /** Calls run one after another: a timing must not share the machine with another call's work. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly webgl: WebglBackend, private readonly cpu: CpuBackend,
    choices: Record<string, EngineName> = {}) {
    this.capabilities = { engine: 'auto', webgl: webgl.capabilities, cpu: cpu.capabilities, choices: { ...choices },
      timed: 0 };
  }

  private backend(engine: EngineName): Backend {
    return engine === 'webgl' ? this.webgl : this.cpu;
  }

  private checkAlive(what: string): void {
    if (this.disposed) throw new ConvTranspose3dError(`conv_transpose3d: ${what} on a disposed backend`, 'disposed');
  }

  checkUsable(t: AutoTensor, what: string): void {
    checkNotDisposed(t, what);
    this.checkAlive(what);
  }

  private checkArgument = (t: unknown, name: string): Tensor | AutoTensor => tensorArgument(t, name,
    (u): u is AutoTensor => u instanceof AutoTensor && u.owner === this, (u) => this.checkUsable(u, name));

  upload(tensor: Tensor): ResidentTensor {
    const t = snapshotUpload(tensor);
    this.checkAlive('upload()');
    // A copy: the caller may change its array before a call takes it to an engine.
    return new AutoTensor(this, t.shape.slice(), Promise.resolve({ engine: null,
      data: { shape: t.shape.slice(), data: t.data.slice() } }));
  }

  convTranspose3d(input: AnyTensor, weight: AnyTensor, options?: BackendConvOptions): ResidentTensor {
    this.checkAlive('convTranspose3d()');
    return this.run(checkCall<Tensor | AutoTensor>(input, weight, options, this.checkArgument));
  }

  /** Runs a call checked by `checkCall` against this backend's tensors (the one-shot API's, with CPU tensors). */
  run(call: CheckedCall<Tensor | AutoTensor>): ResidentTensor {
    this.checkAlive('convTranspose3d()');
    const home = this.tail.then(() => this.runCall(call));
    this.tail = home.catch(() => undefined);
    this.counters.calls++;
    return new AutoTensor(this, call.spec.outShape, home);
  }

  private async runCall(call: CheckedCall<Tensor | AutoTensor>): Promise<Home> {
    const key = callShapeKey(call.spec);
    const chosen = this.capabilities.choices[key];
    if (chosen) return { engine: chosen, tensor: await this.runOn(chosen, call) };
    return this.timeBoth(call, key);
  }

  /** Runs `call` on `engine`, its resident arguments copied there first where they are elsewhere. */
  private async runOn(engine: EngineName, call: CheckedCall<Tensor | AutoTensor>): Promise<ResidentTensor> {
    const backend = this.backend(engine);
    const place = (t: Tensor | AutoTensor) => (t instanceof AutoTensor ? t.on(engine, backend) : t);
    const [x, w, b] = await Promise.all([place(call.input), place(call.weight),
      call.bias ? place(call.bias) : null]);
    return backend.convTranspose3d(x, w, { ...optionsOf(call.spec), bias: b });
  }

  /**
   * Runs `call` on `engine` and reads the result back: the time it took, end to end (the uploads of CPU arguments
   * and the read are part of what a call costs, and differ between the engines), and its result.
   */
  private async timed(engine: EngineName, call: CheckedCall<Tensor | AutoTensor>):
    Promise<{ ms: number; tensor: ResidentTensor }> {
    const start = now();
    const tensor = await this.runOn(engine, call);
    await tensor.read();
    return { ms: now() - start, tensor };
  }

  /**
   * The first call of a shape: each engine once untimed, then timed twice; the faster one's result is kept. An
   * engine that cannot run here (the CPU engine without WebAssembly SIMD, say) leaves the shape to the other.
   */
  private async timeBoth(call: CheckedCall<Tensor | AutoTensor>, key: string): Promise<Home> {
    const best = new Map<EngineName, { ms: number; tensor: ResidentTensor | null }>([
      ['webgl', { ms: Infinity, tensor: null }], ['cpu', { ms: Infinity, tensor: null }]]);
    let unsupported: unknown = null;
    try {
      for (let round = 0; round <= TIMED_RUNS; round++) {
        for (const [engine, kept] of best) {
          let r: { ms: number; tensor: ResidentTensor };
          try {
            r = await this.timed(engine, call);
          } catch (e) {
            if (!(e instanceof ConvTranspose3dError && e.code === 'unsupported')) throw e;
            unsupported = e;
            kept.tensor?.dispose();
            best.delete(engine);
            continue;
          }
          if (round > 0 && r.ms < kept.ms) {
            kept.tensor?.dispose();
            best.set(engine, r);
          } else {
            r.tensor.dispose();
          }
        }
      }
    } catch (e) {
      for (const kept of best.values()) kept.tensor?.dispose();
      throw e;
    }
    const ranked = [...best].sort((a, b) => a[1].ms - b[1].ms);
    if (ranked.length === 0) throw unsupported;
    for (const [, loser] of ranked.slice(1)) loser.tensor?.dispose();
    const [winner, { tensor }] = ranked[0];
    this.capabilities.choices[key] = winner;
    this.capabilities.timed++;
    return { engine: winner, tensor: tensor! };
  }

  stats(): BackendStats {
    const a = this.webgl.stats();
    const b = this.cpu.stats();
    const sum = Object.fromEntries(Object.keys(a).map((k) => [k, a[k as keyof BackendStats] +
      b[k as keyof BackendStats]])) as unknown as BackendStats;
    return { ...sum, calls: this.counters.calls };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.webgl.dispose();
    this.cpu.dispose();
  }
}

/** The options of a checked call, as a backend takes them. */
function optionsOf(spec: ConvSpec): BackendConvOptions {
  return { stride: spec.stride, padding: spec.padding, outputPadding: spec.outputPadding, groups: spec.groups,
    dilation: spec.dilation };
}
