// In-page parts of test/browser/glsl.spec.ts: the shaders' shared helpers (glsl/texlayout.glsl) run on the GPU,
// specialized exactly as the library's shaders are, with their results read back from integer render targets.
import * as twgl from 'twgl.js';
import vertexSource from '../../glsl/fullscreen.vert.glsl?raw';
import { specialize } from '../../src/gl/programs';

/** Texels a row of the dividend and result textures. */
const ROW = 256;

let context: WebGL2RenderingContext | null = null;

function gl(): WebGL2RenderingContext {
  if (!context || context.isContextLost()) {
    context = document.createElement('canvas').getContext('webgl2');
    if (!context) throw new Error('no WebGL2');
  }
  return context;
}

// The dividend comes from an R32I texture, so the compiler cannot fold it; the divisor is a #define, as every divisor
// of the library's shaders is.
const DIVMOD_BODY = `
precision highp isampler2D;
uniform isampler2D u_dividends;
out ivec4 result;
void main() {
  int x = texelFetch(u_dividends, ivec2(gl_FragCoord.xy), 0).r;
  result = ivec4(divmod(x, DIVISOR), x, 1);
}`;

export const glsl = {
  /**
   * divmod(x, DIVISOR) of glsl/texlayout.glsl for each of `dividends`, DIVISOR being `#define DIVISOR <divisor>`:
   * [x as the shader read it, quotient, remainder] for each, from an RGBA32I render target.
   */
  divmod(divisor: number, dividends: number[]): [number, number, number][] {
    const g = gl();
    const source = specialize(DIVMOD_BODY, { STORAGE_UINT: false, DIVISOR: divisor });
    const errors: string[] = [];
    const program = twgl.createProgramInfo(g, [vertexSource, source], { errorCallback: (m) => errors.push(m) });
    if (!program) throw new Error(`divmod shader for DIVISOR ${divisor} did not compile: ${errors.join('\n')}`);
    const width = Math.min(ROW, Math.max(1, dividends.length));
    const height = Math.max(1, Math.ceil(dividends.length / ROW));
    const input = new Int32Array(width * height);
    input.set(dividends);
    const integerTexture = (internalFormat: number, format: number, data: Int32Array | null) => {
      const t = g.createTexture();
      g.bindTexture(g.TEXTURE_2D, t);
      // Integer textures are incomplete with linear filtering (texelFetch would then read zeros).
      g.texParameteri(g.TEXTURE_2D, g.TEXTURE_MIN_FILTER, g.NEAREST);
      g.texParameteri(g.TEXTURE_2D, g.TEXTURE_MAG_FILTER, g.NEAREST);
      g.texImage2D(g.TEXTURE_2D, 0, internalFormat, width, height, 0, format, g.INT, data);
      return t;
    };
    const dividendTexture = integerTexture(g.R32I, g.RED_INTEGER, input);
    const target = integerTexture(g.RGBA32I, g.RGBA_INTEGER, null);
    const fb = g.createFramebuffer();
    try {
      g.bindFramebuffer(g.FRAMEBUFFER, fb);
      g.framebufferTexture2D(g.FRAMEBUFFER, g.COLOR_ATTACHMENT0, g.TEXTURE_2D, target, 0);
      const status = g.checkFramebufferStatus(g.FRAMEBUFFER);
      if (status !== g.FRAMEBUFFER_COMPLETE) throw new Error(`RGBA32I framebuffer incomplete (0x${status.toString(16)})`);
      g.viewport(0, 0, width, height);
      g.useProgram(program.program);
      twgl.setUniforms(program, { u_dividends: dividendTexture });
      g.drawArrays(g.TRIANGLES, 0, 3);
      const out = new Int32Array(width * height * 4);
      g.readPixels(0, 0, width, height, g.RGBA_INTEGER, g.INT, out);
      const error = g.getError();
      if (error !== g.NO_ERROR) throw new Error(`GL error 0x${error.toString(16)}`);
      return dividends.map((_, i) => [out[i * 4 + 2], out[i * 4], out[i * 4 + 1]]);
    } finally {
      g.bindFramebuffer(g.FRAMEBUFFER, null);
      g.deleteFramebuffer(fb);
      g.deleteTexture(dividendTexture);
      g.deleteTexture(target);
      g.deleteProgram(program.program);
    }
  },
};
