// ONNX Runtime Web (its WebAssembly execution provider, on the CPU) as a peer of the benchmark: each case becomes a
// one-node ConvTranspose model built in the page, its weight an initializer so that ONNX Runtime packs it once when
// the session is made, as ours keeps its weight on the GPU.
import * as ort from 'onnxruntime-web/wasm';
// Vite serves these from node_modules/onnxruntime-web/dist. Without them ORT would locate its runtime relative to
// its own module, which in the dev server is Vite's pre-bundled copy in the dependency cache, where no .wasm is.
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { convTranspose3dOutputShape, type Tensor } from '../src/index';
import type { BenchCase } from './cases';
import type { Peer } from './main';
import { encodeOneNodeModel } from './onnxModel';

const triple = (v: number | number[] | undefined, dflt: number) =>
  (v === undefined ? [dflt, dflt, dflt] : typeof v === 'number' ? [v, v, v] : v);

/** ONNX's ConvTranspose: PyTorch's weight layout (Cin, Cout/groups, kD, kH, kW) and output-size rule. */
export function convTransposeModel(c: BenchCase, weight: Float32Array): Uint8Array {
  const o = c.options;
  const pad = triple(o.padding, 0);
  return encodeOneNodeModel({
    opType: 'ConvTranspose', opset: 17,
    inputs: [{ name: 'x', shape: c.input }],
    initializers: [{ name: 'w', shape: c.weight, data: weight }],
    output: { name: 'y', shape: convTranspose3dOutputShape(c.input, c.weight, o) },
    attributes: {
      kernel_shape: c.weight.slice(2), strides: triple(o.stride, 1), pads: [...pad, ...pad],
      output_padding: triple(o.outputPadding, 0), dilations: triple(o.dilation, 1), group: o.groups ?? 1,
    },
  });
}

/**
 * The ORT peer, its runtime started with `threads` threads (default: 2 when the page is cross-origin isolated,
 * which WebAssembly threads need, else 1). ORT falls back to one thread where threads cannot run; the peer reports
 * the count it actually got.
 */
export async function ortPeer(threads?: number): Promise<Peer & { info: Record<string, unknown> }> {
  ort.env.wasm.numThreads = threads ?? (crossOriginIsolated ? 2 : 1);
  // A runtime that does not start fails the run within two minutes, instead of stalling it for the test's hours.
  ort.env.wasm.initTimeout = 120_000;
  // Absolute URLs, as ORT asks of these paths.
  ort.env.wasm.wasmPaths = { mjs: new URL(ortMjsUrl, location.href).href,
    wasm: new URL(ortWasmUrl, location.href).href };
  // The runtime starts with the first session: make one, so that the thread count below is the one in force.
  const probe = await ort.InferenceSession.create(convTransposeModel(
    { name: 'probe', input: [1, 4, 1, 1, 1], weight: [4, 4, 1, 1, 1], options: {}, tfjs: false }, new Float32Array(16)),
  { executionProviders: ['wasm'] });
  await probe.release();
  const used = ort.env.wasm.numThreads;
  return {
    name: 'ort', threads: used,
    // ORT 1.30 ships SIMD builds only, and refuses to start where fixed-width SIMD is missing (env.wasm.simd unset).
    info: { version: ort.env.versions.web, threads: used, asked: threads ?? null, simd: ort.env.wasm.simd ?? 'fixed',
      crossOriginIsolated },
    async prepare(c: BenchCase, x: Tensor, w: Tensor) {
      const session = await ort.InferenceSession.create(convTransposeModel(c, w.data), {
        executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      return {
        // An input tensor made from the data, the run, and the output's data, already on the CPU.
        async run() {
          const out = (await session.run({ x: new ort.Tensor('float32', x.data, c.input) })).y;
          return await out.getData() as Float32Array;
        },
        dispose: () => session.release(),
      };
    },
  };
}
