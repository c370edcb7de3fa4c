// Collects, per engine, how many comparisons passed and the largest errors seen, into reports/summary.json.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import type { CheckReport } from '../../src/checker';

const FILE = 'reports/summary.json';

interface Entry { checks: number; maxAbsError: number; maxRelError: number }
type Summary = Record<string, Record<string, Entry | string>>;

export function recordResult(engine: string, group: string, value: CheckReport | string): void {
  const all: Summary = existsSync(FILE) ? JSON.parse(readFileSync(FILE, 'utf8')) as Summary : {};
  const e = (all[engine] ??= {});
  if (typeof value === 'string') {
    e[group] = value;
  } else {
    const prev = (e[group] as Entry | undefined) ?? { checks: 0, maxAbsError: 0, maxRelError: 0 };
    e[group] = { checks: prev.checks + 1, maxAbsError: Math.max(prev.maxAbsError, value.maxAbsError),
      maxRelError: Math.max(prev.maxRelError, value.maxRelError) };
  }
  mkdirSync('reports', { recursive: true });
  writeFileSync(FILE, `${JSON.stringify(all, null, 1)}\n`);
}
