// The shaders' shared helpers (glsl/texlayout.glsl) on the GPU of each engine, specialized as the library's shaders
// are: divmod, the integer division every address computation goes through, against JavaScript's integer division.
import { rng } from '../../src/support/seeded';
import { expect, test } from './fixtures';

/** Dividends stay below 2^24 in every shader (texlayout.glsl). */
const TOP = 2 ** 24 - 1;

/** The divisor 1, powers of two (the shader's shortcuts), small odd ones, texture sizes and the far end of the range. */
const DIVISORS = [1, 2, 3, 4, 7, 16, 255, 1000, 4096, 65537, 2 ** 23 - 1, 2 ** 23];

/**
 * Dividends for divisor `d`: 0 and small values, multiples of d and their neighbours spread over the whole range (a
 * float quotient rounding the wrong way shows there), powers of two and their neighbours, the top of the range, and
 * seeded random values.
 */
function dividends(d: number): number[] {
  const xs = new Set<number>();
  for (let x = 0; x <= 64; x++) xs.add(x);
  const around = (m: number) => [m - 1, m, m + 1].forEach((x) => xs.add(x));
  const kMax = Math.floor(TOP / d);
  for (let k = 1; k <= Math.min(kMax, 32); k++) around(k * d);
  for (let i = 0; i <= 256; i++) around(Math.round((kMax * i) / 256) * d);
  for (let e = 1; e <= 24; e++) around(2 ** e);
  for (const x of [TOP, TOP - 1, TOP - d, TOP - d + 1, kMax * d, kMax * d - 1]) xs.add(x);
  const r = rng(d);
  for (let i = 0; i < 256; i++) xs.add(Math.floor(r() * (TOP + 1)));
  return [...xs].filter((x) => x >= 0 && x <= TOP).sort((a, b) => a - b);
}

test.describe('divmod of glsl/texlayout.glsl, with the divisor a compile-time constant as in every shader', () => {
  for (const d of DIVISORS) {
    test(`divisor ${d}: exact quotient and remainder for dividends 0 … 2^24 − 1`, { tag: '@quick' }, async ({
      engine,
    }) => {
      const xs = dividends(d);
      expect(xs.length).toBeGreaterThan(300);
      const got = await engine.call<[number, number, number][]>('divmod', d, xs);
      expect(got).toHaveLength(xs.length);
      const want = (x: number) => [x, Math.floor(x / d), x % d];
      const wrong = got.filter((r, i) => r.some((v, j) => v !== want(xs[i])[j]));
      const shown = wrong.slice(0, 8).map(([x, q, r]) => `${x} → (${q}, ${r}), want (${want(x).slice(1).join(', ')})`);
      expect(wrong.length, `${wrong.length} of ${xs.length} wrong:\n${shown.join('\n')}`).toBe(0);
    });
  }
});
