// Writes a TensorFlow.js graph model made of Conv3DBackpropInputV2 nodes (what tf.nn.conv3d_transpose and Keras
// Conv3DTranspose become), its weights, and the outputs TensorFlow's definition of the op gives for seeded inputs.
// TensorFlow.js cannot run this op itself, so the model exists to be loaded with tf.loadGraphModel after the op is
// registered with tf.registerOp. The expected values come from the definition evaluated here, not from the library.
//
//   node scripts/make-tfjs-graph-model.mjs [outDir]     (default: test/fixtures/tfjs-graph)
//
// The output is deterministic, so a test can regenerate it and demand byte equality with the committed files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = process.argv[2] ?? join(root, 'test', 'fixtures', 'tfjs-graph');
const SEED = 20240611;

// Every node is one call of the op. `inputSizes` is TensorFlow's first input: the shape of the op's OUTPUT, in the
// node's data_format. `filter` is TensorFlow's [kD, kH, kW, C_out, C_dy]: the forward conv3d's [.., in, out].
// expected.json's `tfCpuKernel` says whether TensorFlow's CPU kernel accepts the node: it refuses NCDHW and
// dilations above 1 (its constructor says so), while the op's definition, its shape function and the GPU kernel
// accept both, so those nodes carry the values the definition gives.
const NODES = [
  {
    // SAME at stride 1 with a 3-tap kernel: an even total padding of 2 on every axis.
    dataFormat: 'NDHWC', padding: 'SAME', strides: [1, 1, 1], dilations: [1, 1, 1],
    kernel: [3, 3, 3], cDy: 2, cOut: 3, inputSizes: [1, 4, 5, 6, 3],
  },
  {
    // VALID at stride 2 with odd channel counts and a batch of two; input_sizes is the minimal output.
    dataFormat: 'NDHWC', padding: 'VALID', strides: [2, 2, 2], dilations: [1, 1, 1],
    kernel: [3, 2, 3], cDy: 3, cOut: 5, inputSizes: [2, 5, 6, 7, 5],
  },
  {
    // VALID at stride 3 with a kernel shorter than the stride (gaps no tap reaches), one channel in and seven out,
    // and input_sizes longer than the minimal output by 1 and 2 (the most TensorFlow allows is stride − 1).
    dataFormat: 'NDHWC', padding: 'VALID', strides: [3, 3, 3], dilations: [1, 1, 1],
    kernel: [2, 2, 2], cDy: 1, cOut: 7, inputSizes: [1, 6, 7, 8, 7],
  },
  {
    // SAME with strides (1, 2, 3) and an odd total padding on depth and width, where the back gets the extra one.
    dataFormat: 'NDHWC', padding: 'SAME', strides: [1, 2, 3], dilations: [1, 1, 1],
    kernel: [2, 3, 3], cDy: 4, cOut: 3, inputSizes: [2, 4, 7, 8, 3],
  },
  {
    // NCDHW and SAME with strides (2, 3, 1): on depth the 1-tap kernel falls short of the stride, so SAME needs no
    // padding and input_sizes runs one past the last voxel any tap reaches; height has an odd total.
    dataFormat: 'NCDHW', padding: 'SAME', strides: [2, 3, 1], dilations: [1, 1, 1],
    kernel: [1, 2, 3], cDy: 3, cOut: 2, inputSizes: [2, 2, 6, 7, 5],
  },
  {
    // NCDHW and VALID with strides (1, 2, 3) and input_sizes longer than the minimal output on height and width.
    dataFormat: 'NCDHW', padding: 'VALID', strides: [1, 2, 3], dilations: [1, 1, 1],
    kernel: [2, 3, 2], cDy: 5, cOut: 3, inputSizes: [1, 3, 4, 8, 10],
  },
  {
    // Dilations (2, 1, 1) with SAME: the effective depth kernel is 5; height and width have an odd total padding.
    dataFormat: 'NDHWC', padding: 'SAME', strides: [1, 1, 1], dilations: [2, 1, 1],
    kernel: [3, 2, 2], cDy: 2, cOut: 3, inputSizes: [1, 6, 5, 4, 3],
  },
];

// mulberry32, as src/support/seeded.ts has it: restated, since this script runs in plain Node and stays independent
// of the project's code.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(SEED);
// Float32 from the start, so the values in weights.bin, in expected.json and in the sums are the same numbers.
const uniform = (n) => Float32Array.from({ length: n }, () => Math.fround(random() * 2 - 1));

function check(ok, message) {
  if (!ok) throw new Error(message);
}

const product = (xs) => xs.reduce((a, b) => a * b, 1);

// In the node's data_format, the batch, channel and spatial positions of a 5-D shape.
function layoutOf(dataFormat) {
  return dataFormat === 'NDHWC' ? { n: 0, c: 4, spatial: [1, 2, 3] } : { n: 0, c: 1, spatial: [2, 3, 4] };
}

function toList5(dataFormat, triple) {
  const { n, c, spatial } = layoutOf(dataFormat);
  const list = [0, 0, 0, 0, 0];
  list[n] = 1;
  list[c] = 1;
  spatial.forEach((axis, j) => { list[axis] = triple[j]; });
  return list;
}

// TensorFlow's windowed-output arithmetic (GetWindowedOutputSizeVerbose) per spatial axis: the size dy must have,
// and the padding before and after that the forward conv3d used.
function windows(node) {
  const { spatial } = layoutOf(node.dataFormat);
  return spatial.map((axis, j) => {
    const size = node.inputSizes[axis];
    const s = node.strides[j];
    const effective = (node.kernel[j] - 1) * node.dilations[j] + 1;
    if (node.padding === 'VALID') {
      check(size >= effective, `VALID needs input_sizes ≥ the dilated kernel on axis ${j}`);
      return { dy: Math.ceil((size - effective + 1) / s), before: 0, after: 0 };
    }
    const dy = Math.ceil(size / s);
    const needed = Math.max(0, (dy - 1) * s + effective - size);
    const before = Math.floor(needed / 2);
    return { dy, before, after: needed - before };
  });
}

function shape5(dataFormat, batch, channels, spatial) {
  const { n, c, spatial: axes } = layoutOf(dataFormat);
  const shape = [0, 0, 0, 0, 0];
  shape[n] = batch;
  shape[c] = channels;
  axes.forEach((axis, j) => { shape[axis] = spatial[j]; });
  return shape;
}

// Row-major offset of (n, c, d, h, w) in a 5-D tensor of the given data_format and shape.
function offsetFn(dataFormat, shape) {
  const strides = [0, 0, 0, 0, 0];
  for (let a = 4, acc = 1; a >= 0; a--) {
    strides[a] = acc;
    acc *= shape[a];
  }
  const { n, c, spatial } = layoutOf(dataFormat);
  return (bn, ch, d, h, w) => bn * strides[n] + ch * strides[c] + d * strides[spatial[0]] + h * strides[spatial[1]] +
    w * strides[spatial[2]];
}

// The gradient of conv3d with respect to its input, straight from the forward conv: conv3d reads x at
// i = o·s + k·d − pad_before for each output o and tap k, so each dy[o] flows back to those i, weighted by the
// same filter tap. Taps that read padding carry nothing back.
function conv3dBackpropInput(node, win, dy, filter) {
  const [N, C] = [node.inputSizes[0], node.cOut];
  const outShape = node.inputSizes;
  const { spatial } = layoutOf(node.dataFormat);
  const size = spatial.map((axis) => outShape[axis]);
  const dyShape = shape5(node.dataFormat, N, node.cDy, win.map((w) => w.dy));
  const dyAt = offsetFn(node.dataFormat, dyShape);
  const dxAt = offsetFn(node.dataFormat, outShape);
  const [KD, KH, KW] = node.kernel;
  const filterAt = (kd, kh, kw, ci, co) => (((kd * KH + kh) * KW + kw) * C + ci) * node.cDy + co;
  const acc = new Float64Array(product(outShape));
  const [s, d, pad] = [node.strides, node.dilations, win.map((w) => w.before)];
  for (let n = 0; n < N; n++) {
    for (let od = 0; od < win[0].dy; od++) {
      for (let oh = 0; oh < win[1].dy; oh++) {
        for (let ow = 0; ow < win[2].dy; ow++) {
          for (let kd = 0; kd < KD; kd++) {
            const id = od * s[0] + kd * d[0] - pad[0];
            if (id < 0 || id >= size[0]) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * s[1] + kh * d[1] - pad[1];
              if (ih < 0 || ih >= size[1]) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * s[2] + kw * d[2] - pad[2];
                if (iw < 0 || iw >= size[2]) continue;
                for (let ci = 0; ci < C; ci++) {
                  let sum = 0;
                  for (let co = 0; co < node.cDy; co++) {
                    sum += dy[dyAt(n, co, od, oh, ow)] * filter[filterAt(kd, kh, kw, ci, co)];
                  }
                  acc[dxAt(n, ci, id, ih, iw)] += sum;
                }
              }
            }
          }
        }
      }
    }
  }
  return { dyShape, values: Float32Array.from(acc, Math.fround) };
}

// The shortest decimal that reads back as the same float32, to keep expected.json small without losing a bit.
function shortestFloat32(v) {
  for (let p = 1; p <= 9; p++) {
    const x = Number(v.toPrecision(p));
    if (Math.fround(x) === v) return x;
  }
  return v;
}

// JSON that stays reviewable: anything short, and every array of plain values however long, on one line.
function stringify(value, indent = '') {
  const flat = JSON.stringify(value);
  const plainArray = Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object');
  if (value === null || typeof value !== 'object' || plainArray || indent.length + flat.length <= 100) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + stringify(v, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

// TensorFlow's AttrValue JSON, as the converter emits it: int64 as strings of digits, strings base64.
const attrString = (s) => ({ s: Buffer.from(s, 'utf8').toString('base64') });
const attrInts = (xs) => ({ list: { i: xs.map(String) } });
const attrType = (t) => ({ type: t });
const attrShape = (dims) => ({ shape: { dim: dims.map((d) => ({ size: String(d) })) } });
const constNode = (name, dtype, shape) => ({
  name,
  op: 'Const',
  attr: {
    value: { tensor: { dtype, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } },
    dtype: attrType(dtype),
  },
});

const graphNodes = [];
const manifest = [];
const chunks = [];
const expected = [];

NODES.forEach((node, index) => {
  const { n: nAxis, c: cAxis } = layoutOf(node.dataFormat);
  check(node.inputSizes[cAxis] === node.cOut, `out_${index}: input_sizes' channels must be the filter's dim 3`);
  const win = windows(node);
  for (const [j, w] of win.entries()) {
    check(w.dy >= 1, `out_${index}: axis ${j} leaves dy empty`);
    // What TensorFlow's shape check demands of out_backprop, restated independently of windows().
    const size = node.inputSizes[layoutOf(node.dataFormat).spatial[j]];
    const want = node.padding === 'SAME' ? Math.ceil(size / node.strides[j])
      : Math.ceil((size - (node.kernel[j] - 1) * node.dilations[j]) / node.strides[j]);
    check(w.dy === want, `out_${index}: axis ${j}: dy is ${w.dy}, TensorFlow wants ${want}`);
  }
  const filterShape = [...node.kernel, node.cOut, node.cDy];
  const filter = uniform(product(filterShape));
  const dyShape = shape5(node.dataFormat, node.inputSizes[nAxis], node.cDy, win.map((w) => w.dy));
  const dy = uniform(product(dyShape));
  const result = conv3dBackpropInput(node, win, dy, filter);
  check(product(node.inputSizes) <= 5000, `out_${index}: keep outputs small`);

  const out = `out_${index}`;
  const dyName = `dy_${index}`;
  const filterName = `${out}/filter`;
  const sizesName = `${out}/input_sizes`;
  const strides = toList5(node.dataFormat, node.strides);
  const dilations = toList5(node.dataFormat, node.dilations);
  // The batch is left open, as converted Keras models leave it.
  const placeholderShape = dyShape.map((d, a) => (a === nAxis ? -1 : d));
  graphNodes.push(
    { name: dyName, op: 'Placeholder', attr: { dtype: attrType('DT_FLOAT'), shape: attrShape(placeholderShape) } },
    constNode(filterName, 'DT_FLOAT', filterShape),
    constNode(sizesName, 'DT_INT32', [5]),
    {
      name: out,
      op: 'Conv3DBackpropInputV2',
      input: [sizesName, filterName, dyName],
      attr: {
        T: attrType('DT_FLOAT'),
        Tshape: attrType('DT_INT32'),
        strides: attrInts(strides),
        padding: attrString(node.padding),
        data_format: attrString(node.dataFormat),
        dilations: attrInts(dilations),
      },
    },
  );
  manifest.push({ name: filterName, shape: filterShape, dtype: 'float32' });
  manifest.push({ name: sizesName, shape: [5], dtype: 'int32' });
  chunks.push(Buffer.from(filter.buffer), Buffer.from(Int32Array.from(node.inputSizes).buffer));

  const cpuRefusal = node.dataFormat !== 'NDHWC' ? 'NCDHW'
    : node.dilations.some((d) => d !== 1) ? 'dilations above 1' : null;
  expected.push({
    output: out,
    input: dyName,
    filter: filterName,
    inputSizes: sizesName,
    dataFormat: node.dataFormat,
    padding: node.padding,
    strides,
    dilations,
    dyShape,
    filterShape,
    outputShape: node.inputSizes,
    padBefore: win.map((w) => w.before),
    padAfter: win.map((w) => w.after),
    tfCpuKernel: cpuRefusal === null,
    note: cpuRefusal === null ? 'TensorFlow runs this on its CPU and GPU kernels'
      : `TensorFlow's CPU kernel refuses ${cpuRefusal}; the values are the op's definition, as its GPU kernel ` +
        'computes it',
    dy: Array.from(dy, shortestFloat32),
    expected: Array.from(result.values, shortestFloat32),
  });
});

// Little-endian on every platform Node runs on in practice; say so rather than assume it silently.
check(new Uint8Array(Uint16Array.of(1).buffer)[0] === 1, 'weights.bin must be little-endian');

const model = {
  format: 'graph-model',
  generatedBy: 'scripts/make-tfjs-graph-model.mjs',
  convertedBy: 'scripts/make-tfjs-graph-model.mjs (TensorFlow.js Converter v4.22.0 format)',
  modelTopology: { node: graphNodes, library: {}, versions: { producer: 1 } },
  weightsManifest: [{ paths: ['weights.bin'], weights: manifest }],
};

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'model.json'), `${stringify(model)}\n`);
writeFileSync(join(outDir, 'weights.bin'), Buffer.concat(chunks));
writeFileSync(join(outDir, 'expected.json'), `${stringify({
  description: 'Conv3DBackpropInputV2 nodes out_<n>, each fed by Placeholder dy_<n>; expected is TensorFlow\'s ' +
    'definition of the op (float64 sums, rounded to float32), flat in the node\'s data_format; dy and expected ' +
    'hold the shortest decimals that read back (Math.fround) as the float32 values',
  seed: SEED,
  nodes: expected,
})}\n`);
