// Gathers the NV·NBO slices written by conv_transpose3d.frag.glsl into the activation layout of the output:
// voxel ow of channel block cob is slice (cob mod NBO)·NV + m, row ((n·COBG + cob/NBO)·OD + od)·OH + oh,
// column a·Q + q, where ow = a + (q·NV + m)·STRIDE_W.
//
// #defines: COB, OD, OH, STRIDE_W, NV, NBO, COBG, Q, S_LAYOUT, Y_LAYOUT, Y_ROWS, Y_COLS
precision highp float;
precision highp int;
precision highp sampler2DArray;

uniform sampler2DArray u_s0;
uniform sampler2DArray u_s1;
uniform sampler2DArray u_s2;
uniform sampler2DArray u_s3;
uniform sampler2DArray u_s4;
uniform sampler2DArray u_s5;
uniform sampler2DArray u_s6;
uniform sampler2DArray u_s7;
uniform int u_layer;

layout(location = 0) out vec4 o_value;

void main() {
  ivec2 cell = gridCell(ivec2(gl_FragCoord.xy), u_layer, Y_LAYOUT);
  if (cell.x >= Y_ROWS || cell.y >= Y_COLS) {
    o_value = vec4(0.0);
    return;
  }
  int ow = cell.y;
  int oh = cell.x % OH;
  int t = cell.x / OH;
  int od = t % OD;
  t /= OD;
  int cob = t % COB;
  int n = t / COB;
  int chunk = ow / STRIDE_W;
  int slice = (cob % NBO) * NV + chunk % NV;
  ivec3 at = texLoc(((n * COBG + cob / NBO) * OD + od) * OH + oh, (ow % STRIDE_W) * Q + chunk / NV, S_LAYOUT);
  // Samplers cannot be indexed by a variable in GLSL ES 3.00.
  vec4 v = texelFetch(u_s0, at, 0);
  if (slice == 1) v = texelFetch(u_s1, at, 0);
  if (slice == 2) v = texelFetch(u_s2, at, 0);
  if (slice == 3) v = texelFetch(u_s3, at, 0);
  if (slice == 4) v = texelFetch(u_s4, at, 0);
  if (slice == 5) v = texelFetch(u_s5, at, 0);
  if (slice == 6) v = texelFetch(u_s6, at, 0);
  if (slice == 7) v = texelFetch(u_s7, at, 0);
  o_value = v;
}
