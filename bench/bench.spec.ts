// Drives the benchmark in one engine, prints the table and writes bench-results/<engine>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { test } from '@playwright/test';
import { numel } from '../src/tensor';
import { launchEngine, type EngineName } from '../test/browser/engines';
import { CASES } from './cases';
import type { CaseResult, DecoderResult, VariantResult } from './main';
import { formatDecoder, formatEngines, formatTable, formatVariants } from './report';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const only = process.env.BENCH_CASES?.split(',');
// BENCH_PEERS=ours times this library alone (and runs the CPU reference once), for quick comparisons of variants.
const oursOnly = process.env.BENCH_PEERS === 'ours';
// The CPU peers (bench/main.ts), and BENCH_THREADS, the threads they run with (default: 2 where the page is
// cross-origin isolated, else 1).
const cpuPeers = oursOnly ? [] : ['ours-cpu', 'ours-auto', 'ort'];
const threads = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;

// BENCH_VARIANTS='[{...}, {...}]' (createBackend options) compares variants of this library, interleaved, instead.
const variants = process.env.BENCH_VARIANTS ? JSON.parse(process.env.BENCH_VARIANTS) as object[] : null;

test('benchmark', async ({ baseURL }, testInfo) => {
  const engineName = testInfo.project.name as EngineName;
  const engine = await launchEngine(engineName, `${baseURL}/index.html`, 'bench');
  try {
    if (variants) {
      for (const c of CASES.filter((k) => !only || only.includes(k.name))) {
        const r = await engine.call<VariantResult>('compare', c, variants, RUNS);
        console.log(formatVariants(r, variants));
      }
      return;
    }
    const backendOptions = process.env.BENCH_BACKEND ? JSON.parse(process.env.BENCH_BACKEND) as object : {};
    const info = await engine.call<Record<string, unknown>>('setup', backendOptions, cpuPeers, threads);
    const peak = await engine.call<number>('peak');
    const results: CaseResult[] = [];
    for (const c of CASES.filter((k) => !only || only.includes(k.name))) {
      const cpuRuns = oursOnly || numel(c.input) * numel(c.weight) / c.weight[0] > 5e9 ? 1 : 3;
      const r = await engine.call<CaseResult>('runCase', c, RUNS, cpuRuns, !oursOnly);
      if (!r.ours.ok) throw new Error(`${c.name}: our output does not match the CPU reference (max abs error ` +
        `${r.ours.maxAbsError}); no time reported`);
      results.push(r);
      console.log(`${engineName} ${c.name}: ours ${r.ours.resident.median.toFixed(1)} ms resident` +
        r.peers.map((p) => `, ${p.name} ${p.endToEnd.median.toFixed(1)} ms (${p.threads} threads)`).join(''));
    }
    // The decoder: a TensorFlow.js layers model's predict, with tfjs's kernel and with ours.
    const decoder = !oursOnly && (!only || only.includes('decoder')) ?
      await engine.call<DecoderResult>('decoder', RUNS) : undefined;
    if (decoder) console.log(formatDecoder(decoder));
    const report = { engine: engineName, date: new Date().toISOString(), info, peakGflops: peak, runs: RUNS,
      machine: { cores: (await import('node:os')).cpus().length, platform: process.platform }, results, decoder };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync(`bench-results/${engineName}.json`, `${JSON.stringify(report, null, 1)}\n`);
    console.log(formatTable(report));
    if (results[0]?.peers.length) console.log(`\n${formatEngines(report)}`);
  } finally {
    await engine.close();
  }
});
