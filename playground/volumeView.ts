// A rotatable 3-D view of one output channel, raymarched by WebGL2 on a canvas of its own (its own context, so it
// never disturbs the backend's).
import { mat4 } from 'gl-matrix';
import * as twgl from 'twgl.js';
import vertexSource from '../glsl/fullscreen.vert.glsl?raw';
import fragmentSource from '../glsl/playground/volume.frag.glsl?raw';
import { DIVERGING } from './colors';

/** Largest edge of the 3-D texture; bigger volumes are subsampled for display. */
const MAX_EDGE = 192;

export class VolumeView {
  private readonly gl: WebGL2RenderingContext | null;
  private program: twgl.ProgramInfo | null = null;
  private volume: WebGLTexture | null = null;
  private colors: WebGLTexture | null = null;
  private yaw = 0.7;
  private pitch = -0.45;
  private halfExtent: [number, number, number] = [0.5, 0.5, 0.5];
  private invMax = 1;
  private hasVolume = false;

  constructor(readonly canvas: HTMLCanvasElement) {
    // preserveDrawingBuffer: the picture stays readable (tests check that it is not blank).
    this.gl = canvas.getContext('webgl2', { preserveDrawingBuffer: true, antialias: false });
    if (!this.gl) return;
    this.program = twgl.createProgramInfo(this.gl, [vertexSource, fragmentSource]);
    this.colors = twgl.createTexture(this.gl, {
      src: DIVERGING, width: 256, height: 1, format: this.gl.RGB, internalFormat: this.gl.RGB8,
      minMag: this.gl.LINEAR, wrap: this.gl.CLAMP_TO_EDGE,
    });
    this.dragToRotate();
  }

  get available(): boolean {
    return this.gl !== null && this.program !== null;
  }

  /** Shows a `[D, H, W]` volume (row-major); colours are scaled to its largest |value|. */
  show(data: Float32Array, [D, H, W]: number[]): void {
    const gl = this.gl;
    if (!gl) return;
    const f = Math.max(1, Math.ceil(Math.max(D, H, W) / MAX_EDGE));
    const [d, h, w] = [Math.ceil(D / f), Math.ceil(H / f), Math.ceil(W / f)];
    const sub = new Float32Array(d * h * w);
    let max = 0;
    for (let z = 0, i = 0; z < d; z++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++, i++) {
          const v = data[((z * f) * H + y * f) * W + x * f];
          sub[i] = Number.isFinite(v) ? v : 0;
          max = Math.max(max, Math.abs(sub[i]));
        }
      }
    }
    if (this.volume) gl.deleteTexture(this.volume);
    this.volume = twgl.createTexture(gl, {
      target: gl.TEXTURE_3D, src: sub, width: w, height: h, depth: d, internalFormat: gl.R16F, format: gl.RED,
      type: gl.FLOAT, minMag: gl.LINEAR, wrap: gl.CLAMP_TO_EDGE,
    });
    const longest = Math.max(D, H, W);
    this.halfExtent = [W / longest / 2, H / longest / 2, D / longest / 2];
    this.invMax = max > 0 ? 1 / max : 1;
    this.hasVolume = true;
    this.draw();
  }

  /** Shows nothing. */
  clear(): void {
    const gl = this.gl;
    this.hasVolume = false;
    if (!gl) return;
    if (this.volume) gl.deleteTexture(this.volume);
    this.volume = null;
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
  }

  private draw(): void {
    const gl = this.gl;
    if (!gl || !this.program || !this.hasVolume) return;
    twgl.resizeCanvasToDisplaySize(this.canvas);
    gl.viewport(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight);
    const model = mat4.create();
    mat4.rotateX(model, model, this.pitch);
    mat4.rotateY(model, model, this.yaw);
    const view = mat4.transpose(mat4.create(), model);
    gl.useProgram(this.program.program);
    twgl.setUniforms(this.program, {
      u_volume: this.volume, u_colors: this.colors, u_view: view, u_halfExtent: this.halfExtent,
      u_resolution: [gl.drawingBufferWidth, gl.drawingBufferHeight], u_invMax: this.invMax,
    });
    gl.drawArrays(gl.TRIANGLES, 0, 3);
  }

  private dragToRotate(): void {
    let last: { x: number; y: number } | null = null;
    this.canvas.addEventListener('pointerdown', (e) => {
      last = { x: e.clientX, y: e.clientY };
      this.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (!last) return;
      this.yaw += (e.clientX - last.x) * 0.01;
      this.pitch = Math.max(-1.5, Math.min(1.5, this.pitch + (e.clientY - last.y) * 0.01));
      last = { x: e.clientX, y: e.clientY };
      requestAnimationFrame(() => this.draw());
    });
    this.canvas.addEventListener('pointerup', () => { last = null; });
  }
}
