// A picture of how the layout manager put a tensor into an RGBA array texture: one pixel a texel, layers side by
// side, coloured by which four channels the texel holds (hue) and by depth (brightness); grey texels hold nothing.
import { gridCell, texelCount, type TextureLayout } from '../src/layout';
import { as5d, blocks } from '../src/packing';
import { formatBytes } from './memory';

/** Largest picture edge, in texels; bigger textures are sampled. */
const MAX_PICTURE = 384;

/** Which item, channel block, depth and height a texel row of an activation holds (see `activationGrid`). */
function rowParts(row: number, shape: readonly number[]): { n: number; cb: number; d: number; h: number } {
  const [, C, D, H] = as5d(shape);
  return { h: row % H, d: Math.floor(row / H) % D, cb: Math.floor(row / (H * D)) % blocks(C),
    n: Math.floor(row / (H * D * blocks(C))) };
}

/** What texel (`x`, `y`, `layer`) of a tensor of `shape` (NCDHW, rank 1–5) holds, in words; null for padding. */
export function describeTexel(layout: TextureLayout, shape: readonly number[], x: number, y: number,
  layer: number): string | null {
  const cell = gridCell(layout, x, y, layer);
  if (!cell) return null;
  const [N, C] = as5d(shape);
  const [row, w] = cell;
  const { n, cb, d, h } = rowParts(row, shape);
  const last = Math.min(C, cb * 4 + 4) - 1;
  const lanes = last > cb * 4 ? `channels ${cb * 4}–${last}` : `channel ${cb * 4}`;
  return `${lanes} of voxel (d ${d}, h ${h}, w ${w})${N > 1 ? ` of item ${n}` : ''}`;
}

export class LayoutView {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly text: HTMLElement;
  private readonly readout: HTMLElement;
  private current: Grid | null = null;

  constructor(parent: HTMLElement, title: string) {
    this.root = document.createElement('figure');
    this.root.className = 'layout';
    this.root.innerHTML = `<figcaption><strong></strong></figcaption><canvas></canvas><p class="facts"></p>
      <div class="readout">&nbsp;</div>`;
    this.root.querySelector('strong')!.textContent = title;
    this.canvas = this.root.querySelector('canvas')!;
    this.text = this.root.querySelector('.facts')!;
    this.readout = this.root.querySelector('.readout')!;
    parent.append(this.root);
    this.canvas.addEventListener('pointermove', (e) => this.hover(e));
  }

  show(layout: TextureLayout, shape: readonly number[]): void {
    const [, C, D] = as5d(shape);
    const Cb = blocks(C);
    // Layers are tiled in a roughly square grid, one texel gap between them.
    const gap = layout.layers > 1 ? 1 : 0;
    const tileW = layout.width + gap;
    const tileH = layout.height + gap;
    const tilesPerRow = Math.max(1, Math.min(layout.layers, Math.round(Math.sqrt(layout.layers * tileH / tileW))));
    const tileRows = Math.ceil(layout.layers / tilesPerRow);
    const step = Math.max(1, Math.ceil(Math.max(tilesPerRow * tileW, tileRows * tileH) / MAX_PICTURE));
    const width = Math.ceil((tilesPerRow * tileW) / step);
    const height = Math.ceil((tileRows * tileH) / step);
    this.canvas.width = width;
    this.canvas.height = height;
    const scale = Math.max(1, Math.floor(280 / Math.max(width, height)));
    this.canvas.style.width = `${width * scale}px`;
    this.canvas.style.height = `${height * scale}px`;
    const ctx = this.canvas.getContext('2d')!;
    const image = ctx.createImageData(width, height);
    const grid = { layout, shape, step, tileW, tileH, tilesPerRow };
    for (let py = 0; py < height; py++) {
      for (let px = 0; px < width; px++) {
        const texel = texelAt(grid, px, py);
        const cell = texel && gridCell(layout, texel[0], texel[1], texel[2]);
        const { cb, d } = cell ? rowParts(cell[0], shape) : { cb: 0, d: 0 };
        image.data.set(!texel ? [255, 255, 255, 255] : !cell ? [205, 208, 212, 255]
          : hsl(cb / Math.max(Cb, 1), 0.55 + 0.35 * (d / Math.max(D - 1, 1))), (py * width + px) * 4);
      }
    }
    ctx.putImageData(image, 0, 0);
    this.current = grid;
    const used = layout.rows * layout.cols;
    this.text.textContent = `${layout.width} × ${layout.height} texels × ${layout.layers} layer` +
      `${layout.layers > 1 ? 's' : ''}, RGBA32F (${formatBytes(texelCount(layout) * 16)}); ${layout.rows} rows of ` +
      `${layout.cols} texels` + (layout.segmentsPerRow > 1 ? `, each cut into ${layout.segmentsPerRow} segments` : '') +
      (layout.rowsPerLine > 1 ? `, ${layout.rowsPerLine} rows side by side on a line` : '') +
      `; ${(100 * used / texelCount(layout)).toFixed(0)}% of texels used.` +
      (step > 1 ? ` Picture sampled every ${step} texels.` : '');
  }

  /** Shows nothing. */
  clear(): void {
    this.current = null;
    this.canvas.width = this.canvas.height = 0;
    this.text.textContent = '';
    this.readout.innerHTML = '&nbsp;';
  }

  private hover(e: PointerEvent): void {
    const cur = this.current;
    if (!cur) return;
    const box = this.canvas.getBoundingClientRect();
    const texel = texelAt(cur, Math.floor(((e.clientX - box.left) / box.width) * this.canvas.width),
      Math.floor(((e.clientY - box.top) / box.height) * this.canvas.height));
    if (!texel) return;
    const [x, y, layer] = texel;
    const what = describeTexel(cur.layout, cur.shape, x, y, layer);
    this.readout.textContent = `texel (${x}, ${y}, layer ${layer}): ${what ?? 'padding, holds nothing'}`;
  }
}

interface Grid {
  layout: TextureLayout;
  shape: readonly number[];
  step: number;
  tileW: number;
  tileH: number;
  tilesPerRow: number;
}

/** The texel `[x, y, layer]` that picture pixel (`px`, `py`) shows, or null for the gaps between layers. */
function texelAt(g: Grid, px: number, py: number): [number, number, number] | null {
  const X = px * g.step;
  const Y = py * g.step;
  const layer = Math.floor(Y / g.tileH) * g.tilesPerRow + Math.floor(X / g.tileW);
  const x = X % g.tileW;
  const y = Y % g.tileH;
  return layer < g.layout.layers && x < g.layout.width && y < g.layout.height && px >= 0 && py >= 0 ?
    [x, y, layer] : null;
}

function hsl(hue: number, lightness: number): number[] {
  // A compact HSL → RGB with fixed saturation, lightness in [0, 1] mapped to a readable band.
  const l = 0.25 + 0.5 * (1 - lightness);
  const s = 0.65;
  const f = (n: number) => {
    const k = (n + hue * 12) % 12;
    return Math.round(255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4), 255];
}
