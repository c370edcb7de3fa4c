// Loop unrolling for shader sources: GLSL ES has no unroll directive a driver must honour, and renderers that do not
// unroll keep an array indexed by a loop counter in memory instead of registers. Pure text, so it is unit-tested in
// Node.

/** A loop head `for (int v = FIRST; v < LAST; ++v) {` (or `<=`), FIRST and LAST free of `;`. */
const LOOP_HEAD = /for \(int (\w+) = ([^;]+); \1 (<=?) ([^;]+); \+\+\1\) \{/g;

/**
 * The pragmas this file reads, each alone on a line: `#pragma unroll`, `#pragma unroll(always)`,
 * `#pragma max_iterations(N)`.
 */
const PRAGMA_LINE = String.raw`[ \t]*#pragma (unroll(?:\(always\))?|max_iterations\((\w+)\))[ \t]*\r?\n`;
const PRAGMA = new RegExp(`^${PRAGMA_LINE}`);
/** The same, as the last line before a loop head. */
const PRAGMA_BEFORE = new RegExp(`(?:^|\n)${PRAGMA_LINE}$`);

type Values = Readonly<Record<string, number | string | boolean>>;

/**
 * Rewrites the loops of a GLSL source that need not be loops, for renderers that pay for a loop (SwiftShader's and
 * llvmpipe's JITs neither unroll loops nor keep arrays indexed by their counters in registers):
 * - a counted loop `for (int v = 0; v < BOUND; ++v) { … }` (BOUND an integer or a name of `values`) becomes one
 *   block `{ const int v = k; … }` per pass, so that the counter is a constant expression in it: when it has one
 *   pass, always; when a `#pragma unroll` line precedes it, if `all` is set (GPU compilers unroll such loops
 *   themselves, so a driver gets the loop); after `#pragma unroll(always)`, always (where the language wants
 *   constant indices, as into fragment outputs);
 * - a loop `for (int v = FIRST; v <= LAST; ++v) { … }` (or `<`) after a `#pragma max_iterations(N)` line, N an
 *   integer or a name of `values` saying it never makes more than N passes, becomes `{ int v = FIRST;
 *   if (v <= LAST) { … } }` when N is 1 (and nothing when N is 0), always.
 * Loop bodies must be in braces and must not `break` or `continue`. The pragma lines are removed.
 *
 * @example
 * unrollLoops('#pragma unroll\nfor (int k = 0; k < N; ++k) { a[k] = 0.0; }', { N: 2 }, true);
 * // '{ const int k = 0; a[k] = 0.0; }\n{ const int k = 1; a[k] = 0.0; }'
 */
export function unrollLoops(source: string, values: Values, all: boolean): string {
  let out = '';
  let at = 0;
  for (;;) {
    LOOP_HEAD.lastIndex = at;
    const head = LOOP_HEAD.exec(source);
    if (!head) break;
    const lineStart = source.lastIndexOf('\n', head.index - 1) + 1;
    const pragma = source.slice(at, lineStart).match(PRAGMA_BEFORE);
    const bodyStart = head.index + head[0].length;
    const bodyEnd = closingBrace(source, bodyStart);
    const rewrite = rewriteLoop(head, pragma, values, all);
    if (!rewrite) {
      // Kept as a loop; loops inside it may still be rewritten.
      out += stripPragmas(source.slice(at, bodyStart));
      at = bodyStart;
      continue;
    }
    out += stripPragmas(source.slice(at, lineStart)) + source.slice(lineStart, head.index) +
      rewrite(unrollLoops(source.slice(bodyStart, bodyEnd), values, all));
    at = bodyEnd + 1;
  }
  return out + stripPragmas(source.slice(at));
}

/** What a loop becomes, given its body (already rewritten), or null to keep it a loop. */
function rewriteLoop(head: RegExpExecArray, pragma: RegExpMatchArray | null, values: Values, all: boolean):
  ((body: string) => string) | null {
  const [, v, first, op, last] = head;
  if (pragma?.[2] !== undefined) {
    const most = integer(pragma[2], values);
    if (most === null || most > 1) return null;
    const decl = /^\d+$/.test(first) ? 'const int' : 'int';
    return (body) => (most === 0 ? '' : `{ ${decl} ${v} = ${first}; if (${v} ${op} ${last}) {${body}} }`);
  }
  const count = first === '0' && op === '<' ? integer(last, values) : null;
  const unroll = (all && pragma?.[1] === 'unroll') || pragma?.[1] === 'unroll(always)';
  if (count === null || !(count === 1 || unroll)) return null;
  return (body) => Array.from({ length: count }, (_, k) => `{ const int ${v} = ${k};${body}}`).join('\n');
}

function stripPragmas(text: string): string {
  return text.split(/(?<=\n)/).filter((line) => !PRAGMA.test(line)).join('');
}

/** The value of a bound, or null when it is not a known non-negative integer. */
function integer(name: string, values: Values): number | null {
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
