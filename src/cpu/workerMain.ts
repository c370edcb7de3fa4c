// The body of each of the CPU engine's workers. It is sent to the worker as source text (workerSource), so it must
// be self-contained: no imports, no names from outside the function, plain JavaScript once types are stripped.

/** How a worker talks to the page (or to Node's main thread): set up by the source's prelude. */
export interface WorkerPort {
  post(message: unknown, transfer?: Transferable[]): void;
  listen(handler: (message: never) => void): void;
}

/** The messages a worker takes. Addresses are byte offsets into the engine's WebAssembly memory. */
export type WorkerRequest =
  | { type: 'init'; module: WebAssembly.Module; memory: WebAssembly.Memory | null; pages: number; maxPages: number }
  | { type: 'grow'; pages: number }
  | { type: 'write'; at: number; bytes: Uint8Array }
  | { type: 'read'; id: number; at: number; length: number }
  | { type: 'run'; id: number; params: number; counters: number; workers: number; chunks: [number, number] };

/** The messages a worker sends back. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'read'; id: number; bytes: Uint8Array }
  | { type: 'done'; id: number }
  | { type: 'error'; id: number; message: string };

interface KernelExports {
  prepareItems(params: number): number;
  computeItems(params: number): number;
  prepare(params: number, first: number, count: number): void;
  compute(params: number, first: number, count: number): void;
}

/**
 * Runs one worker: instantiates the kernel on the memory it is given (or on a private one it makes), then serves
 * requests in order. A call's work is shared by all workers through atomic counters at `counters` (i32s: prepare
 * items taken, workers past the barrier, compute items taken): the repacking first, then, once every worker is done
 * with it, the output rows.
 */
export function workerMain(port: WorkerPort): void {
  let memory: WebAssembly.Memory;
  let kernel: KernelExports;

  function take(counters: Int32Array, slot: number, total: number, chunk: number,
    work: (first: number, count: number) => void): void {
    for (;;) {
      const first = Atomics.add(counters, slot, chunk);
      if (first >= total) return;
      work(first, Math.min(chunk, total - first));
    }
  }

  function run(m: Extract<WorkerRequest, { type: 'run' }>): void {
    const prepareItems = kernel.prepareItems(m.params);
    const computeItems = kernel.computeItems(m.params);
    if (m.workers === 1) {
      kernel.prepare(m.params, 0, prepareItems);
      kernel.compute(m.params, 0, computeItems);
      return;
    }
    const counters = new Int32Array(memory.buffer, m.counters, 3);
    take(counters, 0, prepareItems, m.chunks[0], (first, count) => kernel.prepare(m.params, first, count));
    // Every worker waits here until all have finished the repacking the output rows read.
    const arrived = Atomics.add(counters, 1, 1) + 1;
    if (arrived === m.workers) {
      Atomics.notify(counters, 1);
    } else {
      for (let seen = arrived; seen < m.workers; seen = Atomics.load(counters, 1)) Atomics.wait(counters, 1, seen);
    }
    take(counters, 2, computeItems, m.chunks[1], (first, count) => kernel.compute(m.params, first, count));
  }

  port.listen((m: WorkerRequest) => {
    switch (m.type) {
      case 'init': {
        memory = m.memory ?? new WebAssembly.Memory({ initial: m.pages, maximum: m.maxPages });
        kernel = new WebAssembly.Instance(m.module, { env: { memory } }).exports as unknown as KernelExports;
        port.post({ type: 'ready' });
        break;
      }
      case 'grow':
        memory.grow(m.pages - memory.buffer.byteLength / 65536);
        break;
      case 'write':
        new Uint8Array(memory.buffer, m.at, m.bytes.length).set(m.bytes);
        break;
      case 'read': {
        const bytes = new Uint8Array(memory.buffer, m.at, m.length).slice();
        port.post({ type: 'read', id: m.id, bytes }, [bytes.buffer]);
        break;
      }
      case 'run':
        try {
          run(m);
          port.post({ type: 'done', id: m.id });
        } catch (e) {
          port.post({ type: 'error', id: m.id, message: String((e as Error)?.message ?? e) });
        }
        break;
    }
  });
}

/** The source of a worker, for a Blob URL in browsers or `eval` in Node: the prelude makes the port. */
export function workerSource(node: boolean): string {
  const port = node
    ? `(() => { const { parentPort } = require('node:worker_threads');
        return { post: (m, t) => parentPort.postMessage(m, t), listen: (f) => parentPort.on('message', f) }; })()`
    : `{ post: (m, t) => self.postMessage(m, t), listen: (f) => { self.onmessage = (e) => f(e.data); } }`;
  return `(${workerMain.toString()})(${port});`;
}
