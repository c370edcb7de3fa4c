// Loading golden data in Node: the project's own PyTorch-made fixtures and, when ../shared exists beside the
// checkout, an independent PyTorch-made golden set and test vectors written by other projects.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConvTranspose3dOptions } from '../../src/index';
import type { Encoded } from '../../src/support/base64';

export { decodeTensor as decode, encodeTensor as encode } from '../../src/support/base64';

const here = dirname(fileURLToPath(import.meta.url));

export interface GoldenCase {
  name: string;
  input: Encoded;
  weight: Encoded;
  bias: Encoded | null;
  output: Encoded;
  stride: number[];
  padding: number[];
  output_padding: number[];
  dilation: number[];
  groups: number;
  special?: string;
}
export interface GoldenError {
  name: string;
  argument?: string;
  input_shape: number[];
  weight_shape: number[];
  bias_shape: number[] | null;
  stride: number | number[];
  padding: number | number[];
  output_padding: number | number[];
  groups: number;
  dilation: number | number[];
  torch_error: string;
}
export interface GoldenOutputSize {
  name: string;
  input_shape: number[];
  kernel_size: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  output_size: number[];
  output_padding?: number[];
  torch_error?: string;
}
export interface GoldenSet {
  cases: GoldenCase[];
  errors: GoldenError[];
  output_size: GoldenOutputSize[];
}

/** The project's own fixtures (scripts/make_fixtures.py). */
export const OWN_GOLDEN_PATH = resolve(here, '../fixtures/conv_transpose3d.json');
/** An independent PyTorch-made golden set (same format), read from ../shared/golden when that folder exists. */
export const SHARED_GOLDEN_PATH = resolve(here, '../../../shared/golden/conv_transpose3d.json');

/** Test vectors of other projects (ONNX, ONNX Runtime, OpenVINO, …) in the same format, cases only. */
export const PEER_GOLDEN_PATH = resolve(here, '../../../shared/peer/peer-golden.json');

/** The project's own fixtures: always in the checkout, so their absence is an error, never a skip. */
export function ownGolden(): GoldenSet {
  const set = loadGolden(OWN_GOLDEN_PATH);
  if (!set) throw new Error(`${OWN_GOLDEN_PATH} is missing: the project's own golden fixtures must be there`);
  return set;
}

/** A golden set, or null when its file is absent; a set of cases alone has no errors or output_size rules. */
export function loadGolden(path: string): GoldenSet | null {
  if (!existsSync(path)) return null;
  return { errors: [], output_size: [], ...(JSON.parse(readFileSync(path, 'utf8')) as Partial<GoldenSet>) } as
    GoldenSet;
}

/**
 * Each golden set the suites run: its label in titles and summaries, its path, its data (null when absent) and the
 * reason to give when a suite skips it.
 */
export interface GoldenSource {
  label: string; path: string; set: GoldenSet | null; absent: string;
  /** Whether the set also holds PyTorch's rejected calls and output_size rules (the peer vectors hold cases only). */
  rules: boolean;
}

/**
 * The own fixtures (always there: loading throws without them), then the independent set and the peer vectors
 * (`set` null when ../shared is absent).
 */
export const GOLDEN_SOURCES: readonly GoldenSource[] = [
  { label: 'own fixtures', path: OWN_GOLDEN_PATH, set: ownGolden(), absent: '', rules: true },
  { label: 'independent set', path: SHARED_GOLDEN_PATH, set: loadGolden(SHARED_GOLDEN_PATH),
    absent: `${SHARED_GOLDEN_PATH} is absent: the independent PyTorch-made golden set is read from ../shared/golden ` +
      'only when that folder exists', rules: true },
  { label: 'peer vectors', path: PEER_GOLDEN_PATH, set: loadGolden(PEER_GOLDEN_PATH),
    absent: `${PEER_GOLDEN_PATH} is absent: the test vectors of other projects are read from ../shared/peer only ` +
      'when that folder exists', rules: false },
];

const asTriple = (v: number | number[]) => v as ConvTranspose3dOptions['stride'];

/** The options of a golden case or error case, in this library's names. */
export function optionsOf(c: Pick<GoldenCase, 'stride' | 'padding' | 'output_padding' | 'dilation' | 'groups'> |
  GoldenError): ConvTranspose3dOptions {
  return {
    stride: asTriple(c.stride), padding: asTriple(c.padding), outputPadding: asTriple(c.output_padding),
    dilation: asTriple(c.dilation), groups: c.groups,
  };
}
