// An ONNX model of one node, encoded as protobuf in a few lines, so that the benchmark can hand ONNX Runtime a
// ConvTranspose built from a case in the page, with no ONNX toolchain and no model file. Field numbers are those of
// onnx.proto. Only what such a model needs is written: non-negative integers, strings, float32 tensors.

/** A float32 tensor the graph holds (an initializer: ONNX Runtime can prepack it once, as ours keeps its weight). */
export interface OnnxInitializer { name: string; shape: number[]; data: Float32Array }

/** A graph input or output: a float32 tensor of a static shape. */
export interface OnnxValue { name: string; shape: number[] }

export interface OneNodeModel {
  opType: string;
  /** Graph inputs, fed at run time; the node's inputs are these, then the initializers, in order. */
  inputs: OnnxValue[];
  initializers: OnnxInitializer[];
  output: OnnxValue;
  /** Integer and integer-list attributes (all a convolution has). */
  attributes: Record<string, number | number[]>;
  /** The default domain's opset. */
  opset: number;
}

const IR_VERSION = 8;
const FLOAT = 1; // TensorProto.DataType
const ATTRIBUTE_INT = 2; // AttributeProto.AttributeType
const ATTRIBUTE_INTS = 7;

type Bytes = Uint8Array | number[];

function concat(parts: Bytes[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A base-128 varint. Only non-negative integers occur here (a negative int64 takes ten bytes of two's complement). */
function varint(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`cannot encode ${n} as a varint`);
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/** Wire type 0: an integer field. */
const int = (field: number, n: number): number[] => [...varint(field << 3), ...varint(n)];
/** Wire type 2: bytes, a string or an embedded message. */
const bytes = (field: number, data: Bytes): Uint8Array => concat([varint((field << 3) | 2), varint(data.length), data]);
const string = (field: number, s: string) => bytes(field, new TextEncoder().encode(s));
/** Repeated integers, one field each (proto2's unpacked form, which every parser reads). */
const ints = (field: number, ns: number[]) => concat(ns.map((n) => int(field, n)));

/**
 * ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 } } } } }
 */
function valueInfo(v: OnnxValue): Uint8Array {
  const shape = concat(v.shape.map((d) => bytes(1, int(1, d))));
  return concat([string(1, v.name), bytes(2, bytes(1, concat([int(1, FLOAT), bytes(2, shape)])))]);
}

/** TensorProto { dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian, as ONNX requires) } */
function tensor(t: OnnxInitializer): Uint8Array {
  if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) throw new Error(`${t.name}: data does not fill its shape`);
  const raw = new Uint8Array(t.data.length * 4);
  const view = new DataView(raw.buffer);
  t.data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return concat([ints(1, t.shape), int(2, FLOAT), string(8, t.name), bytes(9, raw)]);
}

/** AttributeProto { name = 1, i = 3, ints = 8, type = 20 } */
function attribute(name: string, value: number | number[]): Uint8Array {
  return typeof value === 'number'
    ? concat([string(1, name), int(3, value), int(20, ATTRIBUTE_INT)])
    : concat([string(1, name), ints(8, value), int(20, ATTRIBUTE_INTS)]);
}

/** The serialized ModelProto of a graph holding the single node `m.opType`. */
export function encodeOneNodeModel(m: OneNodeModel): Uint8Array {
  // NodeProto { input = 1, output = 2, name = 3, op_type = 4, attribute = 5 }
  const node = concat([
    ...[...m.inputs, ...m.initializers].map((v) => string(1, v.name)), string(2, m.output.name),
    string(3, m.opType.toLowerCase()), string(4, m.opType),
    ...Object.entries(m.attributes).map(([k, v]) => bytes(5, attribute(k, v))),
  ]);
  // GraphProto { node = 1, name = 2, initializer = 5, input = 11, output = 12 }
  const graph = concat([
    bytes(1, node), string(2, m.opType.toLowerCase()), ...m.initializers.map((t) => bytes(5, tensor(t))),
    ...m.inputs.map((v) => bytes(11, valueInfo(v))), bytes(12, valueInfo(m.output)),
  ]);
  // ModelProto { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 { domain = 1, version = 2 } }
  return concat([int(1, IR_VERSION), string(2, 'webgl-conv-transpose3d bench'), bytes(7, graph),
    bytes(8, concat([string(1, ''), int(2, m.opset)]))]);
}
