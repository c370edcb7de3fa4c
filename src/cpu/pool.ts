// The CPU engine's workers: one per thread over a shared WebAssembly memory, or a single one with a private memory
// where SharedArrayBuffer is not available (a page that is not cross-origin isolated). In browsers they are Web
// Workers made from a Blob URL, in Node worker_threads: either way made from source text (workerMain.ts), so no
// bundler has to find a worker file. The main thread never waits on them: every request is a message.
import { workerSource, type WorkerReply, type WorkerRequest } from './workerMain.js';

export const PAGE = 65536;

/** The main thread's end of one worker, the same in browsers and Node. */
interface Endpoint {
  post(message: WorkerRequest, transfer?: Transferable[]): void;
  onReply: (reply: WorkerReply) => void;
  onFailure: (error: Error) => void;
  /** Node: whether the worker keeps the process alive (only while it has work). */
  keepAlive(on: boolean): void;
  terminate(): void;
}

const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node ===
  'string' && typeof (globalThis as { window?: unknown }).window === 'undefined';

/** The part of Node's `worker_threads` used here (typed here: the library's types do not depend on Node's). */
interface NodeWorker {
  postMessage(message: unknown, transfer?: unknown[]): void;
  on(event: 'message' | 'error', listener: (value: never) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}
type NodeWorkerThreads = { Worker: new (source: string, options: { eval: boolean }) => NodeWorker };

async function spawn(): Promise<Endpoint> {
  if (isNode) {
    const specifier = 'node:worker_threads';
    const { Worker } = await import(/* @vite-ignore */ specifier) as NodeWorkerThreads;
    const worker = new Worker(workerSource(true), { eval: true });
    worker.unref();
    const endpoint: Endpoint = {
      post: (m, t) => worker.postMessage(m, t),
      onReply: () => {},
      onFailure: () => {},
      keepAlive: (on) => (on ? worker.ref() : worker.unref()),
      terminate: () => void worker.terminate(),
    };
    worker.on('message', (m: WorkerReply) => endpoint.onReply(m));
    worker.on('error', (e: Error) => endpoint.onFailure(e));
    return endpoint;
  }
  const url = URL.createObjectURL(new Blob([workerSource(false)], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  const endpoint: Endpoint = {
    post: (m, t) => worker.postMessage(m, t ?? []),
    onReply: () => {},
    onFailure: () => {},
    keepAlive: () => {},
    terminate: () => worker.terminate(),
  };
  worker.onmessage = (e: MessageEvent<WorkerReply>) => endpoint.onReply(e.data);
  worker.onerror = (e: ErrorEvent) => endpoint.onFailure(new Error(e.message || 'worker failed to start'));
  return endpoint;
}

/** Whether this environment can share a WebAssembly memory between workers. */
export function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/** Workers running one kernel module on one memory. */
export class WorkerPool {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void;
    left: number }>();
  private failure: Error | null = null;
  private pages: number;

  private constructor(private readonly workers: Endpoint[], readonly memory: WebAssembly.Memory | null,
    pages: number) {
    this.pages = pages;
    for (const w of workers) {
      w.onReply = (r) => this.reply(r);
      w.onFailure = (e) => this.fail(e);
    }
  }

  /**
   * Starts `threads` workers on `module` (shared memory), or one with a private memory (`shared` false). Resolves
   * once every worker has instantiated the kernel.
   */
  static async start(module: WebAssembly.Module, options: { threads: number; shared: boolean; pages: number;
    maxPages: number }): Promise<WorkerPool> {
    const count = options.shared ? options.threads : 1;
    const memory = options.shared
      ? new WebAssembly.Memory({ initial: options.pages, maximum: options.maxPages, shared: true })
      : null;
    const workers = await Promise.all(Array.from({ length: count }, spawn));
    const pool = new WorkerPool(workers, memory, options.pages);
    try {
      await pool.request(() => ({ type: 'init', module, memory, pages: options.pages, maxPages: options.maxPages }));
    } catch (e) {
      pool.terminate();
      throw e;
    }
    return pool;
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Grows the memory to at least `bytes` (whole pages). */
  ensure(bytes: number): void {
    const pages = Math.ceil(bytes / PAGE);
    if (pages <= this.pages) return;
    if (this.memory) this.memory.grow(pages - this.pages);
    else this.workers[0].post({ type: 'grow', pages });
    this.pages = pages;
  }

  /** Copies bytes into the memory (at once when shared; in order with the requests otherwise). */
  write(at: number, bytes: Uint8Array): void {
    if (this.memory) {
      new Uint8Array(this.memory.buffer, at, bytes.length).set(bytes);
    } else {
      const copy = bytes.slice();
      this.workers[0].post({ type: 'write', at, bytes: copy }, [copy.buffer]);
    }
  }

  /** Copies bytes out of the memory, after every request sent before. */
  async read(at: number, length: number): Promise<Uint8Array> {
    if (this.memory) return new Uint8Array(this.memory.buffer, at, length).slice();
    const reply = await this.request((id) => ({ type: 'read', id, at, length }), 1);
    return (reply as Extract<WorkerReply, { type: 'read' }>).bytes;
  }

  /** Runs a call whose parameter block is at `params`, every worker taking items; resolves when all are done. */
  async run(params: number, counters: number, chunks: [number, number]): Promise<void> {
    if (this.memory) new Int32Array(this.memory.buffer, counters, 3).fill(0);
    const workers = this.workers.length;
    await this.request((id) => ({ type: 'run', id, params, counters, workers, chunks }));
  }

  /** Sends a request to the first `count` workers; resolves with the last reply (a ready, done or read). */
  private request(make: (id: number) => WorkerRequest, count = this.workers.length): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, left: count });
      for (const w of this.workers.slice(0, count)) w.keepAlive(true);
      const message = make(id);
      for (const w of this.workers.slice(0, count)) w.post(message);
    }).finally(() => {
      if (this.pending.size === 0) for (const w of this.workers) w.keepAlive(false);
    });
  }

  private reply(r: WorkerReply): void {
    const id = r.type === 'ready' ? this.firstPending() : r.id;
    const entry = id === undefined ? undefined : this.pending.get(id);
    if (!entry || id === undefined) return;
    if (r.type === 'error') {
      this.pending.delete(id);
      entry.reject(new Error(r.message));
      return;
    }
    if (--entry.left > 0) return;
    this.pending.delete(id);
    entry.resolve(r);
  }

  private firstPending(): number | undefined {
    return this.pending.keys().next().value;
  }

  private fail(e: Error): void {
    this.failure = e;
    for (const entry of this.pending.values()) entry.reject(e);
    this.pending.clear();
  }

  terminate(): void {
    this.fail(new Error('the CPU engine was disposed'));
    for (const w of this.workers) w.terminate();
  }
}
