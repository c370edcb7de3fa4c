// Valid but extreme calls and hostile arguments in each engine (test/support/extremeCases.ts): each is right
// against the CPU reference or refused with a clear message before any GPU work. Every case runs under a guard, so
// a hang fails its test with the case's name instead of stalling the run.
import { EXTREME_CASES } from '../support/extremeCases';
import type { ExtremeOutcome } from './extremes';
import { expect, test } from './fixtures';
import { recordResult } from './summary';

/** Longest a single case may take before it counts as a hang (compiling included, on a software renderer). */
const HANG_MS = 120_000;

function guarded<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${HANG_MS / 1000} s`)), HANG_MS);
  });
  return Promise.race([work, hang]).finally(() => clearTimeout(timer));
}

test('every extreme and hostile call is right or refused', async ({ engine }) => {
  test.setTimeout(EXTREME_CASES.length * HANG_MS);
  const names = await engine.call<string[]>('extremeNames');
  expect(names.length).toBe(EXTREME_CASES.length);
  const bad: string[] = [];
  for (const name of names) {
    const outcome = await guarded(name, engine.call<ExtremeOutcome>('extreme', name));
    if (!outcome.ok) bad.push(`${name}: ${outcome.detail}`);
    recordResult(engine.name, `extreme: ${name}`, outcome.detail);
  }
  expect(bad).toEqual([]);
  recordResult(engine.name, 'extreme calls run', String(names.length));
});

test('random calls with parameters up to 2^31 are right or refused, never wrong', async ({ engine }) => {
  test.setTimeout(10 * HANG_MS);
  const r = await guarded('the property', engine.call<{ computed: number; refused: number; failures: string[] }>(
    'extremeProperty', 15, 40));
  expect(r.failures).toEqual([]);
  expect(r.computed).toBeGreaterThan(20);
  recordResult(engine.name, 'extreme property', `${r.computed} computed, ${r.refused} refused`);
});
