// Renders a shader over every texel of one or more same-layout textures (multiple render targets), one layer at a
// time, in bands small enough that no single draw runs long (software renderers and GPU watchdogs both dislike
// multi-second draws).
import * as twgl from 'twgl.js';
import type { TextureLayout } from '../layout';
import { attachLayer, type LayoutTexture } from './textures';
import type { BackendStats } from './stats';

/** Texel fetches one draw may issue: about 0.1–0.3 s on a software renderer. */
const FETCH_BUDGET_PER_DRAW = 2 ** 25;

/**
 * Draws `program` into every layer of `layout` in `target`, with `uniforms` (twgl setters: textures are bound to
 * units by name) and `u_layer` set per layer. With `outputs` > 1 the target holds that many copies of the layout,
 * one after another in its layers, and copy i is color attachment i (multiple render targets in one texture).
 * `fb` is a scratch framebuffer; its attachments are cleared afterwards so no stale texture stays attached.
 * `columns` limits the draw to texture columns [start, end).
 *
 * @example
 * drawLayout(gl, stats, fb, programs.get(src), { u_x: x.texture }, output, output.layout, 1, 20);
 */
export function drawLayout(gl: WebGL2RenderingContext, stats: BackendStats, fb: WebGLFramebuffer,
  program: twgl.ProgramInfo, uniforms: Record<string, unknown>, target: LayoutTexture, layout: TextureLayout,
  outputs: number, fetchesPerTexel: number, columns: [number, number] = [0, layout.width]): void {
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
