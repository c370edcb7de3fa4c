// Runs the CPU reference off the main thread, so a big check keeps the page responsive and can be cancelled
// (the page terminates this worker).
import { storageTolerance } from '../src/checker';
import { convTranspose3dReference } from '../src/reference';
import type { CpuRequest, CpuReply } from './runner';

self.onmessage = (e: MessageEvent<CpuRequest>) => {
  const { x, w, options, storage } = e.data;
  let reply: CpuReply;
  try {
    const t0 = performance.now();
    const output = convTranspose3dReference(x, w, options);
    const ms = performance.now() - t0;
    reply = { output, ms, tolerance: storageTolerance(storage, x, w, options) };
  } catch (err) {
    reply = { error: (err as Error).message };
  }
  (self as unknown as Worker).postMessage(reply, 'output' in reply ? [reply.output.data.buffer] : []);
};
