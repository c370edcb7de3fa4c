// The shader specializer's loop unrolling: the text it writes, and that the unrolled code computes what the loop
// did (both run as JavaScript, whose for loops and blocks read the same as GLSL's).
import { describe, expect, it } from 'vitest';
import { unrollLoops } from '../../src/gl/unroll';

/** Runs a GLSL-like snippet as JavaScript (`int`/`const int` declarations become `let`/`const`). */
function run(source: string, vars: Record<string, number>): number[] {
  const js = source.replace(/\bconst int\b/g, 'const').replace(/\bint\b/g, 'let');
  const acc: number[] = [];
  new Function('acc', ...Object.keys(vars), js)(acc, ...Object.values(vars));
  return acc;
}

const NESTED = `
#pragma unroll
for (int i = 0; i < WIN; ++i) {
  // a comment with a brace {
  int x = i * 10;
#pragma unroll
  for (int t = 0; t < TWC; ++t) {
    if (i - t >= 0) { acc[i * 4 + t] = x + t; }
  }
}
for (int c = 0; c < CHUNKS; ++c) {
  acc[100 + c] = c + n;
}
#pragma max_iterations(MOST)
for (int r = lo; r <= hi; ++r) {
  acc[200 + r] = r;
}`;

describe('unrollLoops', () => {
  it('unrolls every marked loop, nested ones too, into blocks with a constant counter', () => {
    const out = unrollLoops('#pragma unroll\nfor (int k = 0; k < N; ++k) { a[k] = 0.0; }', { N: 2 }, true);
    expect(out).toBe('{ const int k = 0; a[k] = 0.0; }\n{ const int k = 1; a[k] = 0.0; }');
    const nested = unrollLoops(NESTED, { WIN: 3, TWC: 2, CHUNKS: 2 }, true);
    expect(nested).not.toMatch(/#pragma|for \(int [it] /);
    expect(nested.match(/const int i = /g)).toHaveLength(3);
    expect(nested.match(/const int t = /g)).toHaveLength(6);
    // An unmarked loop of several passes stays a loop.
    expect(nested).toMatch(/for \(int c = 0; c < CHUNKS; \+\+c\)/);
  });

  it('computes what the loops computed', () => {
    for (const values of [{ WIN: 3, TWC: 2, CHUNKS: 2, MOST: 2 }, { WIN: 1, TWC: 4, CHUNKS: 1, MOST: 1 },
      { WIN: 5, TWC: 1, CHUNKS: 3, MOST: 0 }]) {
      // The range loop makes at most MOST passes: from lo to hi.
      for (const [lo, hi] of [[0, -1], [1, 0], [2, 2], [0, 1], [3, 4]].filter(([l, h]) => h - l + 1 <= values.MOST)) {
        const vars = { ...values, n: 7, lo, hi };
        const want = run(NESTED.replace(/#pragma .*\n/g, ''), vars);
        for (const all of [true, false]) {
          expect(run(unrollLoops(NESTED, values, all), vars), JSON.stringify({ vars, all })).toEqual(want);
        }
      }
    }
  });

  it('leaves marked loops to the driver unless asked, but always makes a loop of one pass a block', () => {
    const kept = unrollLoops(NESTED, { WIN: 3, TWC: 2, CHUNKS: 1 }, false);
    expect(kept).not.toMatch(/#pragma/);
    expect(kept).toMatch(/for \(int i = 0; i < WIN; \+\+i\)/);
    expect(kept).toMatch(/for \(int t = 0; t < TWC; \+\+t\)/);
    expect(kept).toMatch(/\{ const int c = 0;/);
    expect(kept).not.toMatch(/for \(int c/);
    // Unless the loop must be unrolled everywhere.
    expect(unrollLoops('#pragma unroll(always)\nfor (int k = 0; k < 2; ++k) { o[k] = 1.0; }', {}, false))
      .toBe('{ const int k = 0; o[k] = 1.0; }\n{ const int k = 1; o[k] = 1.0; }');
  });

  it('makes a loop of at most one pass an if, and leaves longer ones loops', () => {
    const range = '#pragma max_iterations(M)\nfor (int r = lo; r <= hi; ++r) { a[r] = 0.0; }';
    expect(unrollLoops(range, { M: 1 }, false)).toBe('{ int r = lo; if (r <= hi) { a[r] = 0.0; } }');
    expect(unrollLoops(range, { M: 0 }, true)).toBe('');
    expect(unrollLoops(range, { M: 2 }, true)).toBe('for (int r = lo; r <= hi; ++r) { a[r] = 0.0; }');
    expect(unrollLoops('#pragma max_iterations(1)\nfor (int c = 0; c < n; ++c) { a[c] = 0.0; }', {}, false))
      .toBe('{ const int c = 0; if (c < n) { a[c] = 0.0; } }');
  });

  it('leaves loops whose bound is not a known integer, and rejects unbalanced braces', () => {
    const src = '#pragma unroll\nfor (int k = 0; k < count; ++k) { a[k] = 0.0; }';
    expect(unrollLoops(src, {}, true)).toBe('for (int k = 0; k < count; ++k) { a[k] = 0.0; }');
    expect(unrollLoops(src, { count: 'ivec4(1)' }, true)).toBe('for (int k = 0; k < count; ++k) { a[k] = 0.0; }');
    expect(() => unrollLoops('#pragma unroll\nfor (int k = 0; k < 2; ++k) { a[k] = 0.0;', {}, true))
      .toThrow(/unbalanced braces/);
  });
});
