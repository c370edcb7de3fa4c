// The header of a `.npy` file: a Python dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape':
// (2, 3), }`, read in one pass by a small tokenizer (never evaluated, no pattern over the whole text), so a hostile
// header costs time linear in its length. Pure: unit-tested in Node.

export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

const KEYS = ['descr', 'fortran_order', 'shape'] as const;
type Key = typeof KEYS[number];

type Value =
  | { kind: 'string'; text: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; text: string }
  | { kind: 'tuple'; items: string[] };

/** At most this many characters of a string from the file are quoted in a message. */
const QUOTE_CHARS = 40;

/** Text from the file, quoted and cut short for a message. */
export function quote(text: string): string {
  return `'${text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text}'`;
}

/**
 * Parses a header's text: exactly the keys `descr` (a string), `fortran_order` (True or False) and `shape` (a
 * tuple of non-negative integers), each once, in any order, with Python's optional trailing commas and whitespace.
 * Throws an Error saying what is wrong and where.
 *
 * @example
 * parseNpyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }   \n").shape; // [2, 3]
 */
export function parseNpyHeader(text: string): NpyHeader {
  const entries = new Reader(text).dict();
  for (const key of entries.keys()) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new Error(`unexpected key ${quote(key)}: a .npy header holds exactly 'descr', 'fortran_order' and ` +
        "'shape'");
    }
  }
  const get = (key: Key): Value => {
    const value = entries.get(key);
    if (!value) throw new Error(`the key '${key}' is missing`);
    return value;
  };
  const descr = get('descr');
  if (descr.kind !== 'string') throw new Error(`'descr' must be a string, got ${describe(descr)}`);
  const fortran = get('fortran_order');
  if (fortran.kind !== 'bool') throw new Error(`'fortran_order' must be True or False, got ${describe(fortran)}`);
  const shape = get('shape');
  if (shape.kind !== 'tuple') throw new Error(`'shape' must be a tuple, got ${describe(shape)}`);
  return { descr: descr.text, fortranOrder: fortran.value, shape: shape.items.map(dimension) };
}

function describe(v: Value): string {
  switch (v.kind) {
    case 'string': return `the string ${quote(v.text)}`;
    case 'bool': return v.value ? 'True' : 'False';
    case 'int': return `the integer ${quote(v.text)}`;
    case 'tuple': return 'a tuple';
  }
}

/** A shape entry's digits as a number: non-negative and exact. */
function dimension(digits: string): number {
  const n = Number(digits);
  if (digits.startsWith('-') || !Number.isSafeInteger(n)) {
    throw new Error(`'shape' entries must be non-negative integers up to 2^53, got ${quote(digits)}`);
  }
  return n;
}

const SPACE = new Set([' ', '\t', '\n', '\r', '\f', '\v']);
const isDigit = (c: string) => c >= '0' && c <= '9';
const isLetter = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';

/** A cursor over the header's text; every method moves forward, so the whole read is one pass. */
class Reader {
  private i = 0;

  constructor(private readonly text: string) {}

  dict(): Map<string, Value> {
    const entries = new Map<string, Value>();
    this.expect('{', 'the header must be a dict');
    while (this.skip() !== '}') {
      const keyAt = this.i;
      const key = this.value();
      if (key.kind !== 'string') this.fail(`a key must be a string, got ${describe(key)}`, keyAt);
      if (entries.has(key.text)) this.fail(`the key ${quote(key.text)} appears twice`, keyAt);
      this.expect(':', `expected ':' after the key ${quote(key.text)}`);
      entries.set(key.text, this.value());
      if (this.skip() === ',') this.i++;
      else if (this.skip() !== '}') this.fail("expected ',' or '}'");
    }
    this.i++;
    if (this.skip() !== '') this.fail('unexpected text after the dict');
    return entries;
  }

  /** The character at the cursor after whitespace ('' at the end). */
  private skip(): string {
    while (this.i < this.text.length && SPACE.has(this.text[this.i])) this.i++;
    return this.text[this.i] ?? '';
  }

  private expect(c: string, message: string): void {
    if (this.skip() !== c) this.fail(message);
    this.i++;
  }

  private value(): Value {
    const c = this.skip();
    if (c === "'" || c === '"') return { kind: 'string', text: this.string(c) };
    if (c === '(') return { kind: 'tuple', items: this.tuple() };
    if (isDigit(c) || c === '-') return { kind: 'int', text: this.integer() };
    if (isLetter(c)) {
      const at = this.i;
      const word = this.word();
      if (word === 'True' || word === 'False') return { kind: 'bool', value: word === 'True' };
      this.fail(`unexpected name ${quote(word)}`, at);
    }
    return this.fail(c === '' ? 'the header ends too early' : `unexpected ${JSON.stringify(c)}`);
  }

  private string(q: string): string {
    const start = ++this.i;
    while (this.i < this.text.length && this.text[this.i] !== q) {
      if (this.text[this.i] === '\\') this.fail('backslashes in header strings are not supported');
      this.i++;
    }
    if (this.i >= this.text.length) this.fail('a string is not closed', start - 1);
    return this.text.slice(start, this.i++);
  }

  /** Digits with an optional minus sign, and the `L` suffix Python 2 wrote after long integers. */
  private integer(): string {
    const start = this.i;
    if (this.text[this.i] === '-') this.i++;
    if (!isDigit(this.text[this.i] ?? '')) this.fail('expected digits');
    while (isDigit(this.text[this.i] ?? '')) this.i++;
    const digits = this.text.slice(start, this.i);
    if (this.text[this.i] === 'L') this.i++;
    if (isLetter(this.text[this.i] ?? '')) this.fail('unexpected letter after a number');
    return digits;
  }

  private word(): string {
    const start = this.i;
    while (this.i < this.text.length && (isLetter(this.text[this.i]) || isDigit(this.text[this.i]))) this.i++;
    return this.text.slice(start, this.i);
  }

  /** `()`, `(5,)`, `(2, 3)`, `(2, 3,)`: integers only (a shape); `(5)` is not a tuple in Python. */
  private tuple(): string[] {
    const at = this.i++;
    const items: string[] = [];
    let comma = false;
    while (this.skip() !== ')') {
      if (!isDigit(this.skip()) && this.skip() !== '-') this.fail("a tuple here holds only integers (the 'shape')");
      items.push(this.integer());
      comma = this.skip() === ',';
      if (comma) this.i++;
      else if (this.skip() !== ')') this.fail("expected ',' or ')'");
    }
    this.i++;
    if (items.length === 1 && !comma) this.fail('(n) is a number in Python, not a tuple: write (n,)', at);
    return items;
  }

  private fail(message: string, at = this.i): never {
    throw new Error(`${message} (at character ${at})`);
  }
}
