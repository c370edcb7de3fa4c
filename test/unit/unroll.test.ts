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
    for (const values of [{ WIN: 3, TWC: 2, CHUNKS: 2 }, { WIN: 1, TWC: 4, CHUNKS: 1 }, { WIN: 5, TWC: 1, CHUNKS: 3 }]) {
      const want = run(NESTED.replace(/#pragma unroll\n/g, ''), { ...values, n: 7 });
      for (const all of [true, false]) {
        expect(run(unrollLoops(NESTED, values, all), { ...values, n: 7 }), JSON.stringify({ values, all }))
          .toEqual(want);
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
  });

  it('leaves loops whose bound is not a known integer, and rejects unbalanced braces', () => {
    const src = '#pragma unroll\nfor (int k = 0; k < count; ++k) { a[k] = 0.0; }';
    expect(unrollLoops(src, {}, true)).toBe('for (int k = 0; k < count; ++k) { a[k] = 0.0; }');
    expect(unrollLoops(src, { count: 'ivec4(1)' }, true)).toBe('for (int k = 0; k < count; ++k) { a[k] = 0.0; }');
    expect(() => unrollLoops('#pragma unroll\nfor (int k = 0; k < 2; ++k) { a[k] = 0.0;', {}, true))
      .toThrow(/unbalanced braces/);
  });
});
