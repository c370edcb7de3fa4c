// Loop unrolling for shader sources: GLSL ES has no unroll directive a driver must honour, and renderers that do not
// unroll keep an array indexed by a loop counter in memory instead of registers. Pure text, so it is unit-tested in
// Node.

/** Matches a loop head `for (int v = 0; v < BOUND; ++v) {`, BOUND an integer or a name. */
const LOOP_HEAD = /for \(int (\w+) = 0; \1 < (\w+); \+\+\1\) \{/g;

/** Matches a `#pragma unroll` line, with its indentation and line break. */
const PRAGMA = /^[ \t]*#pragma unroll[ \t]*\r?\n/;

/**
 * Unrolls the constant-bound loops of a GLSL source: every loop preceded by a `#pragma unroll` line when `all` is
 * set (on renderers that do not unroll by themselves), and, always, every loop of one iteration. A loop must have
 * the form `for (int v = 0; v < BOUND; ++v) { … }` with braces, BOUND an integer or a name of `values`; each pass
 * becomes a block `{ const int v = k; … }`, so that the counter is a constant expression in it. Its body must not
 * `break` or `continue`. The `#pragma unroll` lines are removed (drivers need not know them).
 *
 * @example
 * unrollLoops('#pragma unroll\nfor (int k = 0; k < N; ++k) { a[k] = 0.0; }', { N: 2 }, true);
 * // '{ const int k = 0; a[k] = 0.0; }\n{ const int k = 1; a[k] = 0.0; }'
 */
export function unrollLoops(source: string, values: Readonly<Record<string, number | string | boolean>>,
  all: boolean): string {
  let out = '';
  let at = 0;
  for (;;) {
    LOOP_HEAD.lastIndex = at;
    const head = LOOP_HEAD.exec(source);
    if (!head) break;
    const lineStart = source.lastIndexOf('\n', head.index - 1) + 1;
    const prefix = source.slice(at, lineStart);
    const pragma = prefix.match(/(^|\n)([ \t]*#pragma unroll[ \t]*\r?\n)$/);
    const bodyStart = head.index + head[0].length;
    const bodyEnd = closingBrace(source, bodyStart);
    const count = bound(head[2], values);
    if (count === null || !(count === 1 || (all && pragma))) {
      // Kept as a loop; loops inside it may still unroll.
      out += stripPragmas(source.slice(at, bodyStart));
      at = bodyStart;
      continue;
    }
    out += stripPragmas(prefix) + source.slice(lineStart, head.index);
    const body = unrollLoops(source.slice(bodyStart, bodyEnd), values, all);
    out += Array.from({ length: count }, (_, k) => `{ const int ${head[1]} = ${k};${body}}`).join('\n');
    at = bodyEnd + 1;
  }
  return out + stripPragmas(source.slice(at));
}

function stripPragmas(text: string): string {
  return text.split(/(?<=\n)/).filter((line) => !PRAGMA.test(line)).join('');
}

/** The value of a loop bound, or null when it is not a known non-negative integer. */
function bound(name: string, values: Readonly<Record<string, number | string | boolean>>): number | null {
  const value = /^\d+$/.test(name) ? Number(name) : values[name];
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** Index of the `}` that closes the block whose body starts at `from`; line comments are skipped. */
function closingBrace(source: string, from: number): number {
  let depth = 1;
  for (let i = from; i < source.length; i++) {
    const ch = source[i];
    if (ch === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}' && --depth === 0) {
      return i;
    }
  }
  throw new Error(`unrollLoops: unbalanced braces in the loop body at ${from}`);
}
