// Loading PyTorch-made golden data (the project's own fixtures, and the shared set when it exists) in Node.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConvTranspose3dOptions, Tensor } from '../../src/index';

const here = dirname(fileURLToPath(import.meta.url));

export interface EncodedTensor { shape: number[]; data: string }
export interface GoldenCase {
  name: string;
  input: EncodedTensor;
  weight: EncodedTensor;
  bias: EncodedTensor | null;
  output: EncodedTensor;
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
/** The shared, independent set; present in CI and on developer machines, absent in a bare clone. */
export const SHARED_GOLDEN_PATH = resolve(here, '../../../shared/golden/conv_transpose3d.json');

export function loadGolden(path: string): GoldenSet | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as GoldenSet) : null;
}

export function decode(t: EncodedTensor): Tensor {
  const bytes = Buffer.from(t.data, 'base64');
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  return { shape: t.shape, data: new Float32Array(aligned.buffer) };
}

export function encode(t: Tensor): EncodedTensor {
  return { shape: t.shape, data: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64') };
}

const asTriple = (v: number | number[]) => (Array.isArray(v) ? v : v) as ConvTranspose3dOptions['stride'];

/** The options of a golden case or error case, in this library's names. */
export function optionsOf(c: Pick<GoldenCase, 'stride' | 'padding' | 'output_padding' | 'dilation' | 'groups'> |
  GoldenError): ConvTranspose3dOptions {
  return {
    stride: asTriple(c.stride), padding: asTriple(c.padding), outputPadding: asTriple(c.output_padding),
    dilation: asTriple(c.dilation), groups: c.groups,
  };
}
