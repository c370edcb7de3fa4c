// A 2-D slice drawn as a heatmap on a canvas, with a colour legend and the value under the pointer.
import { colorIndex, type ColorTable, type Scale } from './colors';

/** A row-major `rows` × `cols` slice; `label(r, c)` names a cell for the hover read-out. */
export interface Slice {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
  label: (r: number, c: number) => string;
}

const NAN_RGB = [255, 0, 255];
/** Largest on-screen edge of a heatmap, in CSS pixels. */
const MAX_EDGE = 216;
/** Largest canvas edge, in cells: a longer slice is sampled, as browsers refuse canvases past a size. */
const MAX_CELLS = 1024;

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0 || (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5)) return String(Number(v.toPrecision(6)));
  return v.toExponential(3);
}

/** The value every element of `data` holds (NaN counts as one value), or null when they differ or there are none. */
export function constantValue(data: ArrayLike<number>): number | null {
  if (!data.length) return null;
  const first = data[0];
  for (let i = 1; i < data.length; i++) if (!Object.is(data[i], first) && !(data[i] === 0 && first === 0)) return null;
  return first;
}

export class Heatmap {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  private readonly legend: HTMLCanvasElement;
  private readonly legendLo: HTMLElement;
  private readonly legendHi: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly frame: HTMLElement;
  private readonly note: HTMLElement;
  private slice: Slice | null = null;

  constructor(parent: HTMLElement, readonly id: string, title: string, private readonly table: ColorTable) {
    this.root = document.createElement('figure');
    this.root.className = 'heatmap';
    this.root.id = id;
    this.root.innerHTML = `<figcaption><strong></strong> <span class="caption"></span></figcaption>
      <div class="frame"><canvas class="map"></canvas><div class="note"></div></div>
      <div class="legend"><span class="lo"></span><canvas width="256" height="1"></canvas><span class="hi"></span></div>
      <div class="readout">&nbsp;</div>`;
    this.root.querySelector('strong')!.textContent = title;
    this.caption = this.root.querySelector('.caption')!;
    this.canvas = this.root.querySelector('canvas.map')!;
    this.legend = this.root.querySelector('.legend canvas')!;
    this.legendLo = this.root.querySelector('.lo')!;
    this.legendHi = this.root.querySelector('.hi')!;
    this.readout = this.root.querySelector('.readout')!;
    this.frame = this.root.querySelector('.frame')!;
    this.note = this.root.querySelector('.note')!;
    this.clear('waiting for the first run…');
    parent.append(this.root);
    this.canvas.addEventListener('pointermove', (e) => this.hover(e));
    this.canvas.addEventListener('pointerleave', () => { this.readout.innerHTML = '&nbsp;'; });
  }

  /**
   * Draws `slice` on `scale`; `caption` says which slice it is. A slice of one value gets a note inside the map
   * saying so (`constantNote(value)`, or the value), as one colour alone looks like nothing was drawn.
   */
  show(slice: Slice, scale: Scale, caption: string, constantNote: (value: number) => string = (v) =>
    `every value here is ${formatValue(v)}`): void {
    this.slice = slice;
    this.caption.textContent = caption;
    this.frame.classList.remove('empty');
    const constant = constantValue(slice.data);
    this.note.textContent = constant === null ? '' : constantNote(constant);
    const { rows, cols, data } = slice;
    const step = Math.ceil(Math.max(rows, cols) / MAX_CELLS);
    if (step > 1) this.caption.textContent += ` (every ${step}th cell shown)`;
    const [height, width] = [Math.ceil(rows / step), Math.ceil(cols / step)];
    this.canvas.width = width;
    this.canvas.height = height;
    const cell = Math.max(1, Math.floor(MAX_EDGE / Math.max(height, width)));
    const fit = Math.min(1, MAX_EDGE / (Math.max(height, width) * cell));
    this.canvas.style.width = `${width * cell * fit}px`;
    this.canvas.style.height = `${height * cell * fit}px`;
    const ctx = this.canvas.getContext('2d')!;
    const image = ctx.createImageData(width, height);
    for (let r = 0, i = 0; r < height; r++) {
      for (let c = 0; c < width; c++, i++) {
        const k = colorIndex(data[r * step * cols + c * step], scale);
        const rgb = k < 0 ? NAN_RGB : this.table.subarray(k * 3, k * 3 + 3);
        image.data.set(rgb, i * 4);
        image.data[i * 4 + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
    this.drawLegend(scale);
  }

  /** Shows a message, inside an empty frame, instead of a map (e.g. nothing to show yet). */
  clear(message: string): void {
    this.slice = null;
    this.caption.textContent = '';
    this.note.textContent = message;
    this.frame.classList.add('empty');
    this.canvas.width = this.canvas.height = 0;
    this.canvas.style.width = this.canvas.style.height = '0';
  }

  private drawLegend(scale: Scale): void {
    const ctx = this.legend.getContext('2d')!;
    const image = ctx.createImageData(256, 1);
    for (let i = 0; i < 256; i++) {
      image.data.set(this.table.subarray(i * 3, i * 3 + 3), i * 4);
      image.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    this.legendLo.textContent = formatValue(scale.lo);
    this.legendHi.textContent = formatValue(scale.hi);
  }

  private hover(e: PointerEvent): void {
    const s = this.slice;
    if (!s) return;
    const box = this.canvas.getBoundingClientRect();
    const c = Math.floor(((e.clientX - box.left) / box.width) * s.cols);
    const r = Math.floor(((e.clientY - box.top) / box.height) * s.rows);
    if (r < 0 || c < 0 || r >= s.rows || c >= s.cols) return;
    this.readout.textContent = `${s.label(r, c)} = ${formatValue(s.data[r * s.cols + c])}`;
  }
}
