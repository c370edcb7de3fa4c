// The TensorFlow.js graph model of Conv3DBackpropInputV2 nodes in test/fixtures/tfjs-graph (written by
// scripts/make-tfjs-graph-model.mjs), read in Node: its model.json, its weights and each node's expected output.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tfjs-graph');

export interface AttrValue {
  s?: string;
  type?: string;
  list?: { i?: string[] };
  shape?: { dim: Array<{ size: string }> };
  tensor?: { dtype: string; tensorShape: { dim: Array<{ size: string }> } };
}
export interface GraphNode { name: string; op: string; input?: string[]; attr: Record<string, AttrValue> }
export interface WeightSpec { name: string; shape: number[]; dtype: 'float32' | 'int32' }
export interface ModelJson {
  format: string;
  generatedBy: string;
  convertedBy: string;
  modelTopology: { node: GraphNode[]; versions: { producer: number } };
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
}
export interface ExpectedNode {
  output: string;
  input: string;
  filter: string;
  inputSizes: string;
  dataFormat: 'NDHWC' | 'NCDHW';
  padding: 'SAME' | 'VALID';
  strides: number[];
  dilations: number[];
  dyShape: number[];
  filterShape: number[];
  outputShape: number[];
  padBefore: number[];
  padAfter: number[];
  tfCpuKernel: boolean;
  dy: number[];
  expected: number[];
}

export const model = JSON.parse(readFileSync(join(fixtureDir, 'model.json'), 'utf8')) as ModelJson;
export const { nodes } = JSON.parse(readFileSync(join(fixtureDir, 'expected.json'), 'utf8')) as { nodes: ExpectedNode[] };
export const bin = readFileSync(join(fixtureDir, 'weights.bin'));
export const graph = new Map(model.modelTopology.node.map((n) => [n.name, n]));
export const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

// The weights the way tfjs's decodeWeights reads them: consecutive little-endian chunks in manifest order.
export const weights = new Map<string, Float32Array | Int32Array>();
{
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  let offset = 0;
  for (const spec of model.weightsManifest.flatMap((g) => g.weights)) {
    const n = numel(spec.shape);
    const values = spec.dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
    for (let i = 0; i < n; i++, offset += 4) {
      values[i] = spec.dtype === 'float32' ? view.getFloat32(offset, true) : view.getInt32(offset, true);
    }
    weights.set(spec.name, values);
  }
}

