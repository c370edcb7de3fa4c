// The texture-layout manager: places a logical grid of RGBA texels (`rows` × `cols`) into a 2-D texture array
// whose width and height respect the device's MAX_TEXTURE_SIZE. It knows nothing about what the texels mean.
//
// Each row takes one texture line; rows longer than a line are cut into `segmentsPerRow` segments on consecutive
// lines; lines fill a layer top to bottom, then the next layer. Only when that would need more layers than the
// device allows are short rows packed side by side (`rowsPerLine` of them on one line).
// Every index here stays far below 2^24, so the same arithmetic is exact in shaders with 24-bit highp ints.
import { MAX_SHADER_INT } from './limits.js';
import { ConvTranspose3dError } from './errors.js';

/** Device limits the layout must respect. */
export interface LayoutLimits {
  /** Largest texture width and height (MAX_TEXTURE_SIZE, or a smaller cap). */
  maxTextureSize: number;
  /** Largest number of layers of a 2-D array texture (MAX_ARRAY_TEXTURE_LAYERS). */
  maxLayers: number;
}

/** Where a `rows` × `cols` grid of texels lives in a `width` × `height` × `layers` array texture. */
export interface TextureLayout {
  rows: number;
  cols: number;
  rowsPerLine: number;
  segmentsPerRow: number;
  /** Texels of one row segment on a line: `min(cols, maxTextureSize)`. */
  segmentWidth: number;
  /** Lines used in all, across layers. */
  lines: number;
  width: number;
  height: number;
  layers: number;
}

/** The largest power of two ≤ n (n ≥ 1). */
export function pow2Floor(n: number): number {
  return 2 ** Math.floor(Math.log2(n));
}

/** Largest row index the shaders may handle: the largest integer they compute with exactly. */
export const MAX_ROWS = MAX_SHADER_INT;

/**
 * Plans the texture for a grid of texels. Throws a {@link ConvTranspose3dError} (`'too-large'`) only when the grid
 * cannot fit in one array texture of the device (or has more rows than 24-bit shader integers can index).
 *
 * @example
 * planLayout(6, 100, { maxTextureSize: 64, maxLayers: 256 });
 * // → rows cut in 2 segments of 64: { rowsPerLine: 1, segmentsPerRow: 2, lines: 12, width: 64, height: 12, layers: 1 }
 * planLayout(100, 20, { maxTextureSize: 64, maxLayers: 1 });
 * // → 2 rows side by side on each of 50 lines: { rowsPerLine: 2, width: 40, height: 50, layers: 1 }
 * planLayout(100, 3, { maxTextureSize: 64, maxLayers: 8 }, 2);
 * // → rows paired on request (a texture 6 wide, not 3): { rowsPerLine: 2, width: 6, height: 50, layers: 1 }
 */
export function planLayout(rows: number, cols: number, limits: LayoutLimits, minRowsPerLine = 1): TextureLayout {
  const { maxTextureSize: max, maxLayers } = limits;
  if (!(rows >= 1 && cols >= 1 && Number.isSafeInteger(rows) && Number.isSafeInteger(cols))) {
    throw new RangeError(`planLayout: rows and cols must be positive integers, got ${rows} × ${cols}`);
  }
  if (rows > MAX_ROWS) {
    throw new ConvTranspose3dError(`tensor too large: ${rows} texel rows exceed the 2^24 that shaders can index`,
      'too-large');
  }
  // Every divisor the shaders use (rows per line, layer height, segment width of cut rows) is a power of two, so
  // that addressing is shifts and masks: software renderers pay dearly for integer division.
  const segmentWidth = cols <= max ? cols : pow2Floor(max);
  const segmentsPerRow = Math.ceil(cols / segmentWidth);
  // One row per line keeps addressing cheapest; pack rows side by side only on request (`minRowsPerLine`, a power
  // of two: render targets are shaded in 2×2 quads, so an odd width wastes lanes) or when one row per line would
  // need more layers than the device has.
  const shape = (rowsPerLine: number) => {
    const lines = Math.ceil(rows / rowsPerLine) * segmentsPerRow;
    const height = lines <= max ? lines : pow2Floor(max);
    return { rowsPerLine, lines, height, layers: Math.ceil(lines / height) };
  };
  const least = segmentsPerRow === 1 && cols * minRowsPerLine <= max ? pow2Floor(minRowsPerLine) : 1;
  let plan = shape(least);
  if (plan.layers > maxLayers && segmentsPerRow === 1) plan = shape(pow2Floor(Math.floor(max / cols)));
  const { rowsPerLine, lines, height, layers } = plan;
  if (layers > maxLayers) {
    throw new ConvTranspose3dError(`tensor too large: ${rows} × ${cols} texels need ${layers} texture layers of ` +
      `${rowsPerLine * segmentWidth} × ${height}, the device allows ${maxLayers}`, 'too-large');
  }
  return { rows, cols, rowsPerLine, segmentsPerRow, segmentWidth, lines, width: rowsPerLine * segmentWidth, height,
    layers };
}

/**
 * Whether a layout needs an array texture: more than one layer. A one-layer layout is stored as a plain 2-D texture
 * and read through a `sampler2D`, cheaper to fetch from on both software renderers (docs/performance.md).
 */
export function isLayered(l: TextureLayout): boolean {
  return l.layers > 1;
}

/** Texel location `[x, y, layer]` of grid cell (`row`, `col`): the same formula as `texLoc` in the shaders. */
export function texelLocation(l: TextureLayout, row: number, col: number): [number, number, number] {
  const line = Math.floor(row / l.rowsPerLine) * l.segmentsPerRow + Math.floor(col / l.segmentWidth);
  return [(row % l.rowsPerLine) * l.segmentWidth + (col % l.segmentWidth), line % l.height, Math.floor(line / l.height)];
}

/** Grid cell `[row, col]` drawn at texel (`x`, `y`, `layer`), or null for padding texels that hold no cell. */
export function gridCell(l: TextureLayout, x: number, y: number, layer: number): [number, number] | null {
  const line = layer * l.height + y;
  const row = Math.floor(line / l.segmentsPerRow) * l.rowsPerLine + Math.floor(x / l.segmentWidth);
  const col = (line % l.segmentsPerRow) * l.segmentWidth + (x % l.segmentWidth);
  return row < l.rows && col < l.cols && line < l.lines ? [row, col] : null;
}

/** Number of texels (4 floats each) in the whole array texture. */
export function texelCount(l: TextureLayout): number {
  return l.width * l.height * l.layers;
}

/**
 * Calls `visit(row, colStart, colEnd, texel)` for each run of a row that is contiguous in the texture's data
 * (layer-major, then y, then x), where `texel` is the run's first texel index: the way to pack or unpack a grid
 * without per-texel index arithmetic.
 */
export function forEachRun(l: TextureLayout,
  visit: (row: number, colStart: number, colEnd: number, texel: number) => void): void {
  for (let row = 0; row < l.rows; row++) {
    const firstLine = Math.floor(row / l.rowsPerLine) * l.segmentsPerRow;
    const x = (row % l.rowsPerLine) * l.segmentWidth;
    for (let s = 0; s < l.segmentsPerRow; s++) {
      const colStart = s * l.segmentWidth;
      visit(row, colStart, Math.min(l.cols, colStart + l.segmentWidth), (firstLine + s) * l.width + x);
    }
  }
}
