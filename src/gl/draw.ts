// Renders a shader over every texel of one or more same-layout textures (multiple render targets), one layer at a
// time, in bands small enough that no single draw runs long (software renderers and GPU watchdogs both dislike
// multi-second draws).
import * as twgl from 'twgl.js';
import type { TextureLayout } from '../layout.js';
import { attachLayer, type LayoutTexture } from './textures.js';
import type { BackendStats } from './stats.js';

/** Texel fetches one draw may issue: about 0.1–0.3 s on a software renderer. */
const FETCH_BUDGET_PER_DRAW = 2 ** 25;

/** One draw of a program over a layout ({@link drawLayout}). */
export interface LayoutDraw {
  program: twgl.ProgramInfo;
  /** Uniform values (twgl setters: textures are bound to units by name); `u_layer` is set per layer. */
  uniforms: Record<string, unknown>;
  /** The texture drawn into: `outputs` copies of `layout`, one after another in its layers. */
  target: LayoutTexture;
  layout: TextureLayout;
  /** Render targets: copy i of the layout is color attachment i. Default 1. */
  outputs?: number;
  /** Rough texel fetches per fragment, to size the bands. */
  fetchesPerTexel: number;
  /** Texture columns drawn, [start, end); default all. */
  columns?: [number, number];
}

/**
 * Draws a program into every layer of a layout, in bands of lines. `fb` is a scratch framebuffer; its attachments
 * are cleared afterwards so no stale texture stays attached.
 *
 * @example
 * drawLayout(gl, fb, stats, { program, uniforms: { u_x: x.texture }, target: output, layout: output.layout,
 *   fetchesPerTexel: 20 });
 */
export function drawLayout(gl: WebGL2RenderingContext, fb: WebGLFramebuffer, stats: BackendStats,
  draw: LayoutDraw): void {
  const { program, uniforms, target, layout, outputs = 1, fetchesPerTexel, columns = [0, layout.width] } = draw;
  const { width, height, layers, lines } = layout;
  const attachments = Array.from({ length: outputs }, (_, i) => gl.COLOR_ATTACHMENT0 + i);
  const drawnWidth = columns[1] - columns[0];
  const bandLines = Math.max(1, Math.min(height, Math.floor(FETCH_BUDGET_PER_DRAW / (drawnWidth * fetchesPerTexel))));
  gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
  gl.drawBuffers(attachments);
  gl.useProgram(program.program);
  twgl.setUniforms(program, uniforms);
  gl.viewport(0, 0, width, height);
  gl.enable(gl.SCISSOR_TEST);
  for (let layer = 0; layer < layers; layer++) {
    attachments.forEach((a, i) => attachLayer(gl, a, target, i * layers + layer));
    twgl.setUniforms(program, { u_layer: layer });
    const usedLines = Math.min(height, lines - layer * height);
    for (let y = 0; y < usedLines; y += bandLines) {
      gl.scissor(columns[0], y, drawnWidth, Math.min(bandLines, usedLines - y));
      gl.drawArrays(gl.TRIANGLES, 0, 3);
      stats.draws++;
    }
  }
  gl.disable(gl.SCISSOR_TEST);
  attachments.forEach((a) => gl.framebufferTextureLayer(gl.FRAMEBUFFER, a, null, 0, 0));
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
}
