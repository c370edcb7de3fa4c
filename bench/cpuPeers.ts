// This library's CPU engine (WebAssembly SIMD on worker threads) and engine 'auto' as peers of the benchmark, timed
// end to end beside the WebGL engine: the input from its data, the output's data back; the weight uploaded once per
// case, as the WebGL engine keeps it resident.
import { createBackend, type Backend, type Tensor } from '../src/index';
import type { BenchCase } from './cases';
import type { Peer, PreparedCase } from './main';

function enginePeer(name: string, backend: Backend, threads: number, info: Record<string, unknown>,
  note?: (before: Record<string, string>) => string): Peer & { info: Record<string, unknown> } {
  const choices = () => {
    const caps = backend.capabilities;
    return caps.engine === 'auto' ? { ...caps.choices } : {};
  };
  return {
    name, threads, info,
    async prepare(c: BenchCase, x: Tensor, w: Tensor): Promise<PreparedCase> {
      const rw = backend.upload(w);
      const before = choices();
      return {
        async run() {
          const y = backend.convTranspose3d(x, rw, c.options);
          try {
            return (await y.read()).data;
          } finally {
            y.dispose();
          }
        },
        dispose: async () => rw.dispose(),
        ...(note ? { note: () => note(before) } : {}),
      };
    },
  };
}

/** The CPU engine with `threads` workers (default 2 where the page is cross-origin isolated, else 1). */
export async function cpuEnginePeer(threads?: number): Promise<Peer & { info: Record<string, unknown> }> {
  const backend = createBackend({ engine: 'cpu', threads: threads ?? 2 });
  await backend.ready();
  const caps = backend.capabilities;
  return enginePeer('ours-cpu', backend, caps.threads, { ...caps });
}

/**
 * Engine 'auto': on a software renderer, both engines, each case on the faster for its shape (timed on its first
 * call, which the benchmark counts apart); the choice is reported.
 */
export async function autoPeer(threads?: number): Promise<Peer & { info: Record<string, unknown> }> {
  const backend = createBackend({ engine: 'auto', threads: threads ?? 2 });
  const caps = backend.capabilities;
  const cpuThreads = caps.engine === 'auto' ? caps.cpu.threads : caps.engine === 'cpu' ? caps.threads : 0;
  // The engine its first call of the case chose: the choice it did not have before.
  const chosen = (before: Record<string, string>) => {
    if (caps.engine !== 'auto') return caps.engine;
    const added = Object.entries(caps.choices).filter(([key]) => !(key in before));
    return added.length ? added[0][1] : Object.values(caps.choices).join('/');
  };
  return enginePeer('ours-auto', backend, cpuThreads, { engine: backend.engine }, chosen);
}
