// What the playground shows, as one plain object: the call's arguments, the tensors' contents and the view. It
// round-trips through the URL so a link reproduces a configuration. Pure: unit-tested in Node.
import { resolveShapes } from '../src/args';
import type { ConvSpec } from '../src/args';
import type { StorageRequest } from '../src/gl/storage';
import type { Int3 } from '../src/types';

export const CONTENTS = ['random', 'impulse', 'ones', 'checkerboard', 'sphere', 'npy'] as const;
/** How a tensor is filled: generated, or loaded from a `.npy` file (kept in memory, not in the URL). */
export type Content = typeof CONTENTS[number];

export interface PlaygroundState {
  /** 5-D input shape `[N, Cin, D, H, W]`; with `unbatched`, N is ignored and the call gets a 4-D input. */
  input: number[];
  unbatched: boolean;
  /** `[Cin, Cout/groups, kD, kH, kW]`. */
  weight: number[];
  stride: Int3;
  padding: Int3;
  outputPadding: Int3;
  dilation: Int3;
  groups: number;
  bias: boolean;
  inputContent: Content;
  weightContent: Content;
  seed: number;
  /** The impulse's voxel `[c, d, h, w]` in the input (batch 0). */
  impulse: number[];
  /** A cap on the texture size, to see how the layout manager tiles big tensors (0: the device's own limit). */
  textureCap: number;
  /** How the backend stores tensors in textures (the storage ladder). */
  storage: StorageRequest;
  /** Shared view: batch item, output channel, input channel, depth as a fraction of each tensor's depth. */
  view: { n: number; outChannel: number; inChannel: number; depth: number };
}

export interface Preset {
  name: string;
  title: string;
  state: Partial<PlaygroundState>;
}

const BASE: PlaygroundState = {
  input: [1, 4, 6, 6, 6], unbatched: false, weight: [4, 4, 3, 3, 3],
  stride: [2, 2, 2], padding: [0, 0, 0], outputPadding: [0, 0, 0], dilation: [1, 1, 1], groups: 1, bias: false,
  inputContent: 'ones', weightContent: 'ones', seed: 1, impulse: [0, 3, 3, 3], textureCap: 0, storage: 'auto',
  view: { n: 0, outChannel: 0, inChannel: 0, depth: 0.5 },
};

/** The presets, default first. */
export const PRESETS: Preset[] = [
  // Large enough for the GPU's advantage to show through its fixed cost per call; a sphere, so every map has a shape.
  {
    name: 'checkerboard', title: 'Checkerboard artifacts (kernel 3, stride 2)',
    state: { input: [1, 16, 16, 16, 16], weight: [16, 16, 3, 3, 3], inputContent: 'sphere', impulse: [0, 8, 8, 8] },
  },
  {
    name: 'docs', title: "PyTorch's docs example",
    state: { input: [20, 16, 50, 10, 20], weight: [16, 33, 3, 3, 3], stride: [1, 1, 1], inputContent: 'random',
      weightContent: 'random' },
  },
  {
    name: 'unet', title: '3-D U-Net upsampling',
    state: { input: [1, 64, 16, 16, 16], weight: [64, 32, 2, 2, 2], inputContent: 'sphere', weightContent: 'random',
      bias: true },
  },
  {
    name: 'vae', title: 'VAE upsampling (kernel 4, stride 2, padding 1)',
    state: { input: [1, 32, 8, 32, 32], weight: [32, 16, 4, 4, 4], padding: [1, 1, 1], inputContent: 'random',
      weightContent: 'random', bias: true },
  },
  {
    name: 'video', title: 'Video upsampling (space ×2, time ×1)',
    state: { input: [1, 64, 4, 32, 32], weight: [64, 64, 3, 3, 3], stride: [1, 2, 2], padding: [1, 1, 1],
      outputPadding: [0, 1, 1], inputContent: 'random', weightContent: 'random' },
  },
  {
    name: 'depthwise', title: 'Depthwise (groups = channels)',
    state: { input: [1, 8, 8, 8, 8], weight: [8, 1, 3, 3, 3], groups: 8, inputContent: 'checkerboard',
      weightContent: 'random' },
  },
  {
    name: 'dilated', title: 'Dilated (dilation 2)',
    state: { input: [1, 2, 5, 5, 5], weight: [2, 2, 3, 3, 3], stride: [1, 1, 1], dilation: [2, 2, 2],
      inputContent: 'impulse', weightContent: 'random', impulse: [0, 2, 2, 2] },
  },
  {
    name: 'impulse', title: 'Impulse: the kernel footprint',
    state: { input: [1, 1, 5, 5, 5], weight: [1, 1, 3, 3, 3], stride: [2, 2, 2], inputContent: 'impulse',
      weightContent: 'random', impulse: [0, 2, 2, 2] },
  },
];

/** The state of preset `name` (every field filled in from the defaults). */
export function presetState(name: string): PlaygroundState {
  const preset = PRESETS.find((p) => p.name === name) ?? PRESETS[0];
  return { ...structuredClone(BASE), ...structuredClone(preset.state) };
}

export const DEFAULT_STATE = presetState(PRESETS[0].name);

/** The call's input shape: 5-D, or 4-D when unbatched. */
export function inputShape(s: PlaygroundState): number[] {
  return s.unbatched ? s.input.slice(1) : s.input.slice();
}

/** The options object the library takes (bias is a flag here; the tensor is made from the contents). */
export function callOptions(s: PlaygroundState) {
  return { stride: s.stride, padding: s.padding, outputPadding: s.outputPadding, dilation: s.dilation,
    groups: s.groups };
}

/** The controls an argument error can point at. */
export type Field = 'input' | 'weight' | 'stride' | 'padding' | 'outputPadding' | 'dilation' | 'groups' | 'bias' |
  'output' | 'device';

/** Which control a library error message is about (the library's messages start with the argument's name). */
export function fieldOfError(message: string): Field {
  const m = /^conv_transpose3d: (\w+)/.exec(message);
  const word = m?.[1] ?? '';
  if (word === 'groups') return 'groups';
  if (['stride', 'padding', 'outputPadding', 'dilation', 'bias', 'weight'].includes(word)) return word as Field;
  if (word === 'output') return 'output';
  return 'input';
}

export type Checked = { ok: true; spec: ConvSpec } | { ok: false; field: Field; message: string };

/** The texture size limits the page offers (0: the device's own). */
export const TEXTURE_CAPS = [0, 1024, 256, 64, 16] as const;
/** Seeds are taken modulo 2^32 by the generator, so larger ones would repeat smaller ones. */
const MAX_SEED = 2 ** 32 - 1;

/**
 * Checks the state's call with the library's own rules, then the page's own settings (seed, impulse position,
 * texture size limit), without touching data: constant time whatever the numbers.
 */
export function checkState(s: PlaygroundState): Checked {
  let spec: ConvSpec;
  try {
    for (const [name, shape] of [['input', s.input], ['weight', s.weight]] as const) {
      if (!shape.every((v) => Number.isSafeInteger(v) && v >= 0)) {
        throw new Error(`conv_transpose3d: ${name}.shape must hold non-negative integers, got [${shape.join(', ')}]`);
      }
    }
    const outChannels = s.weight[1] * s.groups;
    spec = resolveShapes(inputShape(s), s.weight, s.bias && Number.isSafeInteger(outChannels) ?
      [outChannels] : null, callOptions(s));
  } catch (e) {
    const message = (e as Error).message;
    return { ok: false, field: fieldOfError(message), message };
  }
  const setting = settingError(s, spec);
  return setting ?? { ok: true, spec };
}

/** The first of the page's own settings that is out of range, with the control it belongs to. */
function settingError(s: PlaygroundState, spec: ConvSpec): Checked | null {
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > MAX_SEED) {
    return { ok: false, field: 'input', message: `seed must be an integer from 0 to ${MAX_SEED}, got ${s.seed}` };
  }
  const extent = [spec.inChannels, ...spec.inSize];
  if (s.inputContent === 'impulse' && !s.impulse.every((v, i) => Number.isInteger(v) && v >= 0 && v < extent[i])) {
    return { ok: false, field: 'input', message: `the impulse at (c, d, h, w) = (${s.impulse.join(', ')}) must be ` +
      `inside the input's (C, D, H, W) = (${extent.join(', ')})` };
  }
  if (!(TEXTURE_CAPS as readonly number[]).includes(s.textureCap)) {
    return { ok: false, field: 'device', message: `the texture size limit must be one of ${TEXTURE_CAPS.join(', ')} ` +
      `(0: the device's own), got ${s.textureCap}` };
  }
  return null;
}

const TRIPLES = ['stride', 'padding', 'outputPadding', 'dilation'] as const;
const KEYS: Record<string, string> = {
  input: 'x', weight: 'w', stride: 's', padding: 'p', outputPadding: 'op', dilation: 'dl', groups: 'g',
};

/** The state as a URL query string (`.npy` contents are not in it; they fall back to random when restored). */
export function encodeState(s: PlaygroundState): string {
  const q = new URLSearchParams();
  q.set(KEYS.input, s.input.join(','));
  if (s.unbatched) q.set('unbatched', '1');
  q.set(KEYS.weight, s.weight.join(','));
  for (const t of TRIPLES) q.set(KEYS[t], s[t].join(','));
  q.set(KEYS.groups, String(s.groups));
  if (s.bias) q.set('bias', '1');
  q.set('xc', s.inputContent);
  q.set('wc', s.weightContent);
  q.set('seed', String(s.seed));
  q.set('at', s.impulse.join(','));
  if (s.textureCap) q.set('tex', String(s.textureCap));
  if (s.storage !== 'auto') q.set('storage', s.storage);
  q.set('view', [s.view.n, s.view.outChannel, s.view.inChannel, s.view.depth].join(','));
  return q.toString();
}

/**
 * `length` comma-separated numbers, or null when the count differs. An entry that is not a number becomes NaN, as
 * an unreadable form field does, so the argument rules name it rather than the link silently meaning something else.
 */
function numbers(text: string | null, length: number): number[] | null {
  if (text === null) return null;
  const parts = text.split(',');
  return parts.length === length ? parts.map((p) => (p.trim() === '' ? NaN : Number(p))) : null;
}

/** A view index from a link: a non-negative integer (the views clamp it to the tensor's extent). */
const viewIndex = (v: number) => (Number.isFinite(v) ? Math.max(0, Math.floor(v)) : 0);

/**
 * The state a query string describes; anything missing, or with the wrong count of numbers, keeps its value from
 * `fallback`, so a hand-edited link still opens. Numbers are not checked here (an invalid one shows its error in
 * the page), except the view's, which are clamped. Linear in the query's length.
 */
export function decodeState(query: string, fallback: PlaygroundState = DEFAULT_STATE): PlaygroundState {
  const q = new URLSearchParams(query);
  const s = structuredClone(fallback);
  s.input = numbers(q.get(KEYS.input), 5) ?? s.input;
  s.unbatched = q.get('unbatched') === '1';
  s.weight = numbers(q.get(KEYS.weight), 5) ?? s.weight;
  for (const t of TRIPLES) s[t] = (numbers(q.get(KEYS[t]), 3) as Int3 | null) ?? s[t];
  s.groups = numbers(q.get(KEYS.groups), 1)?.[0] ?? s.groups;
  s.bias = q.get('bias') === '1';
  const content = (v: string | null, old: Content): Content =>
    v === 'npy' ? 'random' : (CONTENTS as readonly string[]).includes(v ?? '') ? v as Content : old;
  s.inputContent = content(q.get('xc'), s.inputContent);
  s.weightContent = content(q.get('wc'), s.weightContent);
  s.seed = numbers(q.get('seed'), 1)?.[0] ?? s.seed;
  s.impulse = numbers(q.get('at'), 4) ?? s.impulse;
  s.textureCap = numbers(q.get('tex'), 1)?.[0] ?? 0;
  const storage = q.get('storage');
  s.storage = storage === 'float32' || storage === 'uint32' || storage === 'float16' ? storage : 'auto';
  const view = numbers(q.get('view'), 4);
  if (view) {
    s.view = { n: viewIndex(view[0]), outChannel: viewIndex(view[1]), inChannel: viewIndex(view[2]),
      depth: Number.isFinite(view[3]) ? Math.min(1, Math.max(0, view[3])) : s.view.depth };
  }
  return s;
}
