// Colour maps as 256-entry lookup tables (d3-scale-chromatic's schemes), so painting a slice is a table lookup.
import { interpolateRdBu, interpolateViridis, interpolateInferno } from 'd3-scale-chromatic';

/** 256 RGB triples, flattened. */
export type ColorTable = Uint8Array;

function table(interpolate: (t: number) => string): ColorTable {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    // The schemes answer either `rgb(r, g, b)` or `#rrggbb`.
    const c = interpolate(i / 255);
    const rgb = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(c);
    const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
    if (rgb) lut.set([Number(rgb[1]), Number(rgb[2]), Number(rgb[3])], i * 3);
    else if (hex) lut.set([parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16)], i * 3);
    else throw new Error(`unexpected colour ${c}`);
  }
  return lut;
}

/** Negative blue, zero white, positive red. */
export const DIVERGING = table((t) => interpolateRdBu(1 - t));
/** Counts and magnitudes: dark to bright. */
export const SEQUENTIAL = table(interpolateViridis);
/** Errors: black (none) to yellow (largest). */
export const ERROR = table(interpolateInferno);

/** A value scale: the colour index of `v` for a diverging map symmetric around 0, or a sequential one from `lo`. */
export interface Scale {
  kind: 'diverging' | 'sequential';
  lo: number;
  hi: number;
}

/** The table index (0–255) of `v` on `scale`; NaN maps to -1 (drawn as a hatch colour by the caller). */
export function colorIndex(v: number, scale: Scale): number {
  if (Number.isNaN(v)) return -1;
  const span = scale.hi - scale.lo;
  const t = span > 0 ? (v - scale.lo) / span : 0.5;
  return Math.max(0, Math.min(255, Math.round(t * 255)));
}

/** A scale that fits `values`: symmetric around 0 for diverging maps, so white always means zero. */
export function fitScale(values: ArrayLike<number>, kind: Scale['kind']): Scale {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) return { kind, lo: kind === 'diverging' ? -1 : 0, hi: 1 };
  if (kind === 'diverging') {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return { kind, lo: -m, hi: m };
  }
  return { kind, lo: Math.min(lo, 0), hi: hi > Math.min(lo, 0) ? hi : Math.min(lo, 0) + 1 };
}
