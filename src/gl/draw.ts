// Renders a shader over every texel of a layout texture, one layer at a time, in bands small enough that no single
// draw runs long (software renderers and GPU watchdogs both dislike multi-second draws).
import * as twgl from 'twgl.js';
import type { LayoutTexture } from './textures';
import type { BackendStats } from './stats';

/** Texel fetches one draw may issue: about 0.1–0.3 s on a software renderer. */
const FETCH_BUDGET_PER_DRAW = 2 ** 25;

/**
 * Draws `program` into every layer of `target`, with `uniforms` (twgl setters, textures bound by name) and
 * `u_layer` set per layer.
 *
 * @example
 * drawLayout(gl, stats, programs.get(src), { u_x: x.texture }, output, 20);
 */
export function drawLayout(gl: WebGL2RenderingContext, stats: BackendStats, program: twgl.ProgramInfo,
  uniforms: Record<string, unknown>, target: LayoutTexture, fetchesPerTexel: number): void {
  const { width, height, layers } = target.layout;
  const bandLines = Math.max(1, Math.min(height, Math.floor(FETCH_BUDGET_PER_DRAW / (width * fetchesPerTexel))));
  const fb = gl.createFramebuffer();
  gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
  gl.useProgram(program.program);
  twgl.setUniforms(program, uniforms);
  gl.viewport(0, 0, width, height);
  gl.disable(gl.BLEND);
  gl.disable(gl.DEPTH_TEST);
  gl.enable(gl.SCISSOR_TEST);
  for (let layer = 0; layer < layers; layer++) {
    gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, target.texture, 0, layer);
    twgl.setUniforms(program, { u_layer: layer });
    const usedLines = Math.min(height, target.layout.lines - layer * height);
    for (let y = 0; y < usedLines; y += bandLines) {
      gl.scissor(0, y, width, Math.min(bandLines, usedLines - y));
      gl.drawArrays(gl.TRIANGLES, 0, 3);
      stats.draws++;
    }
  }
  gl.disable(gl.SCISSOR_TEST);
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  gl.deleteFramebuffer(fb);
}
