// Links whose numbers are extreme, for the playground's tests in Node and in the browsers: every link parameter at
// each hostile value, with what the page must make of it.
import { DEFAULT_STATE, type Field } from '../../playground/state';

export const HOSTILE_VALUES = [0, -1, 0.5, NaN, 1e308, 2 ** 31, 1e8];

export interface HostileLink {
  query: string;
  value: number;
  /** Whether the state is valid (it runs, or is an empty batch) rather than refused. */
  valid: boolean;
  /** The controls a refusal may point at: the parameter's own, or the output it makes too large. */
  fields: Field[];
}

/**
 * Each link parameter: how many numbers it holds (shapes get the value one entry at a time, the others in every
 * entry), the controls its errors may point at, and which values are valid.
 */
const PARAMETERS: Array<{ key: string; entries: number[] | number; fields: Field[]; base?: string;
  valid: (v: number, at: number) => boolean }> = [
  { key: 'x', entries: DEFAULT_STATE.input, fields: ['input', 'output'], valid: (v, at) => at === 0 && v === 0 },
  { key: 'w', entries: DEFAULT_STATE.weight, fields: ['weight', 'input', 'output'], valid: () => false },
  { key: 's', entries: 3, fields: ['stride', 'output'], valid: () => false },
  { key: 'p', entries: 3, fields: ['padding', 'output'], valid: (v) => v === 0 },
  { key: 'op', entries: 3, fields: ['outputPadding', 'output'], valid: (v) => v === 0 },
  { key: 'dl', entries: 3, fields: ['dilation', 'output'], valid: () => false },
  { key: 'g', entries: 1, fields: ['groups'], valid: () => false },
  { key: 'seed', entries: 1, fields: ['input'], valid: (v) => [0, 2 ** 31, 1e8].includes(v) },
  { key: 'at', entries: 4, fields: ['input'], base: 'xc=impulse', valid: (v) => v === 0 },
  { key: 'tex', entries: 1, fields: ['device'], valid: (v) => v === 0 },
  { key: 'view', entries: 4, fields: [], valid: () => true },
];

/** Every parameter at every hostile value: 19 positions × 7 values. */
export function hostileLinks(): HostileLink[] {
  const links: HostileLink[] = [];
  for (const p of PARAMETERS) {
    for (const value of HOSTILE_VALUES) {
      const positions = typeof p.entries === 'number' ? 1 : p.entries.length;
      for (let at = 0; at < positions; at++) {
        const numbers = typeof p.entries === 'number' ? Array<number>(p.entries).fill(value) : p.entries.slice();
        numbers[at] = value;
        const q = new URLSearchParams(p.base ?? '');
        q.set(p.key, numbers.join(','));
        links.push({ query: q.toString(), value, valid: p.valid(value, at), fields: p.fields });
      }
    }
  }
  return links;
}

/** What a refusal of `link` must look like, or null when `field` and `message` fit it. */
export function misfit(link: HostileLink, field: string, message: string): string | null {
  if (!(link.fields as string[]).includes(field)) return `the error points at ${field}: ${message}`;
  if (field !== 'output' && !message.includes(String(link.value))) {
    return `the message does not name ${link.value}: ${message}`;
  }
  return null;
}

/** Links with a huge stride or dilation on a one-voxel input: valid, with a one-element output. */
export const ONE_VOXEL_LINKS = [
  'x=1,1,1,1,1&w=1,1,1,1,1&s=30000,30000,30000',
  'x=1,1,1,1,1&w=1,1,1,1,1&s=2147483648,2147483648,2147483648',
  'x=1,1,1,1,1&w=1,1,1,1,1&dl=2147483648,2147483648,2147483648',
  'x=1,1,1,1,1&w=1,1,2,2,2&dl=2147483648,2147483648,2147483648&p=1073741824,1073741824,1073741824',
];

/** Links with an empty batch and huge other sizes: nothing to compute. */
export const EMPTY_LINKS = [
  'x=0,16,100000000,100000000,100000000', 'x=0,16,6,6,6&w=16,16,100000000,100000000,100000000',
  'x=0,16,6,6,6&s=2147483648,2147483648,2147483648', 'x=0,16,6,6,6&w=16,2147483648,1,1,1',
];
