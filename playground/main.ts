// Placeholder playground: runs PyTorch's documentation-style example on the GPU and checks it on the CPU.
import { checkConvTranspose3d, createBackend, describeReport, tensor } from '../src/index';

const device = document.getElementById('device')!;
const result = document.getElementById('result')!;

function seeded(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

async function main(): Promise<void> {
  const backend = createBackend();
  const caps = backend.capabilities;
  device.textContent = `renderer: ${caps.renderer}\nMAX_TEXTURE_SIZE: ${caps.deviceMaxTextureSize}, ` +
    `array layers: ${caps.maxTextureLayers}, float render targets: ${caps.floatRenderTargets}`;
  const x = tensor([2, 16, 5, 10, 10], seeded(2 * 16 * 500, 1));
  const w = tensor([16, 33, 3, 3, 3], seeded(16 * 33 * 27, 2));
  const options = { stride: 2 as const, padding: 1 };
  const t0 = performance.now();
  const y = await backend.convTranspose3d(x, w, options).read();
  const t1 = performance.now();
  const report = checkConvTranspose3d(y, x, w, options);
  result.innerHTML = `F.conv_transpose3d(x[2,16,5,10,10], w[16,33,3,3,3], stride=2, padding=1)\n` +
    `output shape [${y.shape.join(', ')}] in ${(t1 - t0).toFixed(1)} ms (first call, includes compilation)\n` +
    `checker: <span class="${report.ok ? 'ok' : 'bad'}">${describeReport(report)}</span>`;
}

main().catch((e: unknown) => {
  result.innerHTML = `<span class="bad">${String((e as Error).message ?? e)}</span>`;
});
