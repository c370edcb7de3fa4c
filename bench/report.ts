// The benchmark table, as Markdown.
import type { CaseResult, DecoderResult, PeerResult, VariantResult } from './main';

export interface BenchReport {
  engine: string;
  info: Record<string, unknown>;
  peakGflops: number;
  runs: number;
  results: CaseResult[];
  decoder?: DecoderResult;
}

const f = (x: number, d = 1) => x.toFixed(d);

export function formatTable(r: BenchReport): string {
  // The CPU peers, as the first case ran them: each has an end-to-end column and its time over ours, end to end.
  const peers = r.results[0]?.peers ?? [];
  const peerInfo = r.info.peers as Record<string, Record<string, unknown>> | undefined;
  const lines = [
    `${r.engine}: ${String(r.info.renderer)}; synthetic multiply-add peak ${f(r.peakGflops, 2)} GFLOP/s; ` +
      `medians of ${r.runs} runs; TensorFlow.js ${String(r.info.tfjs)}` +
      peers.map((p) => `; ${p.name} ${JSON.stringify(peerInfo?.[p.name] ?? {})}`).join(''),
    '',
    '| case | GFLOP | ours resident ms | GFLOP/s | % peak | tfjs resident ms | tfjs GFLOP/s | × tfjs | ' +
      'ours e2e ms | tfjs e2e ms | × tfjs | ' +
      peers.map((p) => `${p.name} (${p.threads} thr) e2e ms | × ${p.name} | `).join('') +
      'ours first ms | tfjs first ms | CPU ms | × CPU | max err ours / tfjs' +
      `${peers.map((p) => ` / ${p.name}`).join('')} |`,
    `|---|---|---|---|---|---|---|---|---|---|---|${'---|---|'.repeat(peers.length)}---|---|---|---|---|`,
  ];
  for (const c of r.results) {
    const g = c.gflop / (c.ours.resident.median / 1e3);
    const t = c.tfjs;
    const tg = t ? c.gflop / (t.resident.median / 1e3) : 0;
    lines.push(`| ${c.name} | ${f(c.gflop, 3)} | ${f(c.ours.resident.median)} | ${f(g, 2)} | ` +
      `${f((100 * g) / r.peakGflops, 0)}% | ${t ? f(t.resident.median) : '—'} | ${t ? f(tg, 2) : '—'} | ` +
      `${t ? f(t.resident.median / c.ours.resident.median) : '—'} | ${f(c.ours.endToEnd.median)} | ` +
      `${t ? f(t.endToEnd.median) : '—'} | ${t ? f(t.endToEnd.median / c.ours.endToEnd.median) : '—'} | ` +
      c.peers.map((p) => `${f(p.endToEnd.median)} | ${f(p.endToEnd.median / c.ours.endToEnd.median)} | `).join('') +
      `${f(c.ours.firstCall)} | ${t ? f(t.firstCall) : '—'} | ${f(c.cpu.median)} | ` +
      `${f(c.cpu.median / c.ours.endToEnd.median)} | ${c.ours.maxAbsError.toExponential(1)} / ` +
      `${t ? `${t.maxAbsError.toExponential(1)}${t.ok ? '' : ' (out of tolerance)'}` : '—'}` +
      `${c.peers.map((p) => ` / ${p.maxAbsError.toExponential(1)}`).join('')} |`);
  }
  return lines.join('\n');
}

/**
 * The engines side by side, end to end (input from the CPU, output back to it), as the README shows them: ours on
 * WebGL, ours on the CPU engine, engine 'auto' and the engine it chose, ONNX Runtime Web's wasm kernel and
 * TensorFlow.js's WebGL kernel; "× ORT" is ORT's time over the CPU engine's.
 */
export function formatEngines(r: BenchReport): string {
  const peer = (c: CaseResult, name: string) => c.peers.find((p) => p.name === name);
  const first = r.results[0];
  const threads = (name: string) => (first ? peer(first, name)?.threads ?? '?' : '?');
  const lines = [
    `| case | GFLOP | WebGL | CPU engine (${threads('ours-cpu')} thr) | GFLOP/s | auto (engine) | ` +
      `ORT wasm (${threads('ort')} thr) | × ORT | tfjs WebGL |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of r.results) {
    const cpu = peer(c, 'ours-cpu');
    const auto = peer(c, 'ours-auto');
    const ort = peer(c, 'ort');
    const ms = (p: PeerResult | undefined) => (p ? f(p.endToEnd.median) : '—');
    lines.push(`| ${c.name} | ${f(c.gflop, 3)} | ${f(c.ours.endToEnd.median)} | ${ms(cpu)} | ` +
      `${cpu ? f(c.gflop / (cpu.endToEnd.median / 1e3), 2) : '—'} | ${ms(auto)}${auto?.note ? ` (${auto.note})` : ''} | ` +
      `${ms(ort)} | ${cpu && ort ? f(ort.endToEnd.median / cpu.endToEnd.median) : '—'} | ` +
      `${c.tfjs ? f(c.tfjs.endToEnd.median) : '—'} |`);
  }
  return lines.join('\n');
}

/** The table of {@link VariantResult}: one line per variant. */
export function formatVariants(r: VariantResult, variants: object[]): string {
  return [`${r.name}: medians of ${r.ms.length / variants.length} interleaved runs`,
    '| variant | resident ms | GFLOP/s | × variant 0 time | max abs error |', '|---|---|---|---|---|',
    ...variants.map((v, i) => `| ${JSON.stringify(v)} | ${f(r.median[i])} | ${f(r.gflop / (r.median[i] / 1e3), 2)} | ` +
      `${f(r.ratio[i], 3)} | ${r.maxAbsError[i].toExponential(1)} |`)].join('\n');
}

/** The decoder's line: tfjs's predict with its own kernel and with ours, resident and end to end. */
export function formatDecoder(d: DecoderResult): string {
  const rate = (ms: number) => f(d.gflop / (ms / 1e3), 2);
  return [`decoder (${d.layers.join(' → ')}), ${f(d.gflop, 3)} GFLOP, TensorFlow.js layers model predict; ` +
    `medians of ${d.ours.resident.ms.length} interleaved runs; predictions differ by at most ` +
    `${d.maxRelDifference.toExponential(1)} of the largest output`,
  '| kernel | resident ms | GFLOP/s | end-to-end ms | first predict ms |', '|---|---|---|---|---|',
  `| tfjs's | ${f(d.tfjs.resident.median)} | ${rate(d.tfjs.resident.median)} | ${f(d.tfjs.endToEnd.median)} | ` +
    `${f(d.tfjs.firstCall)} |`,
  `| ours (registerWithTfjs) | ${f(d.ours.resident.median)} | ${rate(d.ours.resident.median)} | ` +
    `${f(d.ours.endToEnd.median)} | ${f(d.ours.firstCall)} |`,
  `| × tfjs | ${f(d.tfjs.resident.median / d.ours.resident.median)} | | ` +
    `${f(d.tfjs.endToEnd.median / d.ours.endToEnd.median)} | |`].join('\n');
}
