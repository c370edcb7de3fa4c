// The TensorFlow.js graph model of Conv3DBackpropInputV2 nodes in test/fixtures/tfjs-graph: the committed files are
// exactly what the generator writes, the model is laid out the way tfjs-converter reads it, and every node's expected
// output (TensorFlow's definition, computed by the generator) agrees with the PyTorch CPU reference, a second and
// differently written computation reached through the TensorFlow-to-PyTorch argument mapping.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { convTranspose3dReference } from '../../src/reference';
import type { Int3 } from '../../src/types';
import {
  bin, fixtureDir, graph, model, nodes, numel, weights, type AttrValue, type ExpectedNode,
} from '../support/tfjsGraph';
import { permuteAxes } from '../support/permute';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = join(root, 'scripts', 'make-tfjs-graph-model.mjs');
const FILES = ['model.json', 'weights.bin', 'expected.json'];

const spatialAxes = (f: ExpectedNode['dataFormat']) => (f === 'NDHWC' ? [1, 2, 3] : [2, 3, 4]);
const channelAxis = (f: ExpectedNode['dataFormat']) => (f === 'NDHWC' ? 4 : 1);
const decode = (a: AttrValue | undefined) => Buffer.from(a?.s ?? '', 'base64').toString('utf8');
const ints = (a: AttrValue | undefined) => a?.list?.i ?? [];
const dims = (d: Array<{ size: string }> | undefined) => (d ?? []).map((x) => x.size);

/** How a TensorFlow axis maps to PyTorch: `padding`, `outputPadding`, and what to crop or zero-fill afterwards. */
interface AxisMapping { padding: number; outputPadding: number; torchLen: number; tfLen: number }

/**
 * PyTorch places input i's tap k at i·s + k·d − padding, as TensorFlow places dy's at o·s + k·d − pad_before, so
 * padding = pad_before lines the two up from the front. Only the lengths can differ: PyTorch's
 * (I−1)s − 2p + d(k−1) + 1 assumes the back is padded like the front. TensorFlow's output is shorter by one where
 * SAME's odd total puts the extra voxel of padding at the back (crop), and longer where VALID's input_sizes, or a
 * SAME whose padding would be negative, leaves voxels past the last tap (outputPadding, which PyTorch allows below
 * max(stride, dilation); past that the voxels are zero anyway).
 */
function mapAxis(tfLen: number, inLen: number, k: number, s: number, d: number, padBefore: number): AxisMapping {
  const plain = (inLen - 1) * s - 2 * padBefore + d * (k - 1) + 1;
  const extra = tfLen - plain;
  const outputPadding = extra > 0 && extra < Math.max(s, d) ? extra : 0;
  return { padding: padBefore, outputPadding, torchLen: plain + outputPadding, tfLen };
}

/** TensorFlow's rule, restated from its shape function: dy's size per axis and the padding before, or a mismatch. */
function tensorflowWindow(node: ExpectedNode, j: number) {
  const size = node.outputShape[spatialAxes(node.dataFormat)[j]];
  const s = node.strides[spatialAxes(node.dataFormat)[j]];
  const reach = (node.filterShape[j] - 1) * node.dilations[spatialAxes(node.dataFormat)[j]] + 1;
  if (node.padding === 'VALID') return { dy: Math.floor((size - reach) / s) + 1, before: 0 };
  const dy = Math.floor((size + s - 1) / s);
  return { dy, before: Math.max(0, (dy - 1) * s + reach - size) >> 1 };
}

describe('TensorFlow.js graph-model fixture (test/fixtures/tfjs-graph)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tfjs-graph-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is exactly what scripts/make-tfjs-graph-model.mjs writes', () => {
    execFileSync(process.execPath, [script, scratch], { stdio: 'pipe' });
    for (const file of FILES) {
      const fresh = readFileSync(join(scratch, file));
      const committed = readFileSync(join(fixtureDir, file));
      expect(fresh.equals(committed), `${file} differs from a fresh run of the generator`).toBe(true);
    }
  });

  it('has a weights manifest whose sizes add up to weights.bin, one Const node per weight', () => {
    expect(model.format).toBe('graph-model');
    expect(model.weightsManifest).toHaveLength(1);
    expect(model.weightsManifest[0].paths).toEqual(['weights.bin']);
    const specs = model.weightsManifest[0].weights;
    expect(specs.reduce((sum, w) => sum + numel(w.shape) * 4, 0)).toBe(bin.length);
    for (const spec of specs) {
      const node = graph.get(spec.name);
      expect(node?.op, spec.name).toBe('Const');
      const dtype = spec.dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32';
      expect(node?.attr.dtype?.type).toBe(dtype);
      expect(node?.attr.value?.tensor?.dtype).toBe(dtype);
      expect(dims(node?.attr.value?.tensor?.tensorShape.dim)).toEqual(spec.shape.map(String));
    }
    const consts = model.modelTopology.node.filter((n) => n.op === 'Const').map((n) => n.name);
    expect(consts.sort()).toEqual(specs.map((w) => w.name).sort());
  });

  it('lists the nodes out_0, out_1, … in order, and nothing else consumes them', () => {
    const ops = model.modelTopology.node.filter((n) => n.op === 'Conv3DBackpropInputV2').map((n) => n.name);
    expect(ops).toEqual(nodes.map((_, i) => `out_${i}`));
    expect(nodes.map((n) => n.output)).toEqual(ops);
    const consumed = new Set(model.modelTopology.node.flatMap((n) => n.input ?? []));
    expect(ops.filter((name) => consumed.has(name))).toEqual([]);
    expect(nodes.filter((n) => !n.tfCpuKernel).map((n) => n.output)).toEqual(['out_4', 'out_5', 'out_6']);
  });

  for (const node of nodes) {
    describe(`${node.output}: ${node.dataFormat} ${node.padding} strides ${node.strides} dilations ${node.dilations}`,
      () => {
        it('is a Conv3DBackpropInputV2 node in the AttrValue encoding tfjs-converter reads', () => {
          const op = graph.get(node.output)!;
          expect(op.input).toEqual([node.inputSizes, node.filter, node.input]);
          expect(decode(op.attr.padding)).toBe(node.padding);
          expect(decode(op.attr.data_format)).toBe(node.dataFormat);
          for (const list of [ints(op.attr.strides), ints(op.attr.dilations)]) {
            expect(list.every((v) => typeof v === 'string' && /^\d+$/.test(v))).toBe(true);
          }
          expect(ints(op.attr.strides).map(Number)).toEqual(node.strides);
          expect(ints(op.attr.dilations).map(Number)).toEqual(node.dilations);
          expect(op.attr.T?.type).toBe('DT_FLOAT');
          const dy = graph.get(node.input)!;
          expect(dy.op).toBe('Placeholder');
          expect(dy.attr.dtype?.type).toBe('DT_FLOAT');
          expect(dims(dy.attr.shape?.shape?.dim)).toEqual(node.dyShape.map((d, a) => String(a === 0 ? -1 : d)));
          expect(Array.from(weights.get(node.inputSizes)!)).toEqual(node.outputShape);
          expect(weights.get(node.inputSizes)).toBeInstanceOf(Int32Array);
          expect(weights.get(node.filter)!.length).toBe(numel(node.filterShape));
        });

        it('is a call TensorFlow accepts: dy and the channels have the sizes its shape check demands', () => {
          const axes = spatialAxes(node.dataFormat);
          for (let j = 0; j < 3; j++) {
            const { dy, before } = tensorflowWindow(node, j);
            expect(node.dyShape[axes[j]], `axis ${j}`).toBe(dy);
            expect(node.padBefore[j], `axis ${j}`).toBe(before);
          }
          expect(node.dyShape[0]).toBe(node.outputShape[0]);
          expect(node.filterShape[3]).toBe(node.outputShape[channelAxis(node.dataFormat)]);
          expect(node.filterShape[4]).toBe(node.dyShape[channelAxis(node.dataFormat)]);
          expect(node.dy).toHaveLength(numel(node.dyShape));
          expect(node.expected).toHaveLength(numel(node.outputShape));
          expect(numel(node.outputShape)).toBeLessThan(5000);
        });

        it('agrees with the PyTorch CPU reference to 1e-5', () => {
          const ndhwc = node.dataFormat === 'NDHWC';
          const axes = spatialAxes(node.dataFormat);
          const input = ndhwc ? permuteAxes(node.dy, node.dyShape, [0, 4, 1, 2, 3])
            : { shape: node.dyShape, data: Float32Array.from(node.dy) };
          // TensorFlow's filter is [kD, kH, kW, C_out, C_dy]; PyTorch's weight is [C_in, C_out, kD, kH, kW], where
          // PyTorch's input channels are dy's.
          const weight = permuteAxes(weights.get(node.filter)!, node.filterShape, [4, 3, 0, 1, 2]);
          const map = [0, 1, 2].map((j) => mapAxis(node.outputShape[axes[j]], input.shape[2 + j],
            node.filterShape[j], node.strides[axes[j]], node.dilations[axes[j]], node.padBefore[j]));
          const triple = (f: (m: AxisMapping, j: number) => number) => map.map(f) as Int3;
          const y = convTranspose3dReference(input, weight, {
            stride: triple((_, j) => node.strides[axes[j]]),
            dilation: triple((_, j) => node.dilations[axes[j]]),
            padding: triple((m) => m.padding),
            outputPadding: triple((m) => m.outputPadding),
          });
          const [N, C, TD, TH, TW] = [y.shape[0], y.shape[1], ...map.map((m) => m.tfLen)];
          const [PD, PH, PW] = y.shape.slice(2);
          expect([PD, PH, PW]).toEqual(map.map((m) => m.torchLen));
          // PyTorch's output, cropped or zero-filled to TensorFlow's length, in the node's layout.
          const got = new Float32Array(numel(node.outputShape));
          let p = 0;
          const at = (n: number, c: number, d: number, h: number, w: number) =>
            d < PD && h < PH && w < PW ? y.data[(((n * C + c) * PD + d) * PH + h) * PW + w] : 0;
          for (let n = 0; n < N; n++) {
            if (ndhwc) {
              for (let d = 0; d < TD; d++) for (let h = 0; h < TH; h++) for (let w = 0; w < TW; w++) {
                for (let c = 0; c < C; c++) got[p++] = at(n, c, d, h, w);
              }
            } else {
              for (let c = 0; c < C; c++) for (let d = 0; d < TD; d++) for (let h = 0; h < TH; h++) {
                for (let w = 0; w < TW; w++) got[p++] = at(n, c, d, h, w);
              }
            }
          }
          let worst = 0;
          let where = -1;
          node.expected.forEach((v, i) => {
            const err = Math.abs(got[i] - Math.fround(v));
            if (err > worst) [worst, where] = [err, i];
          });
          expect(worst, `largest difference at flat index ${where}: PyTorch ${got[where]}, ` +
            `expected ${node.expected[where]}`).toBeLessThanOrEqual(1e-5);
          expect(node.expected.some((v) => v !== 0)).toBe(true);
        });
      });
  }

  it('between them, the nodes take every branch of the TensorFlow-to-PyTorch mapping', () => {
    const seen = { crop: 0, outputPadding: 0, exact: 0 };
    for (const node of nodes) {
      const axes = spatialAxes(node.dataFormat);
      for (let j = 0; j < 3; j++) {
        const m = mapAxis(node.outputShape[axes[j]], node.dyShape[axes[j]], node.filterShape[j],
          node.strides[axes[j]], node.dilations[axes[j]], node.padBefore[j]);
        if (m.torchLen > m.tfLen) seen.crop++;
        else if (m.outputPadding > 0) seen.outputPadding++;
        else seen.exact++;
      }
    }
    expect(seen.crop).toBeGreaterThan(0);
    expect(seen.outputPadding).toBeGreaterThan(0);
    expect(seen.exact).toBeGreaterThan(0);
  });
});
