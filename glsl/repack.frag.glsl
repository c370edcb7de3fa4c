// Gathers the NV·NBO slices written by conv_transpose3d.frag.glsl into the activation layout of the output:
// voxel ow of channel block cob is slice (cob mod NBO)·NV + m, row ((n·ODP + dd)·OHP + hh)·COBG + cob/NBO (dd, hh:
// od and oh phase-major, see sliceRow in src/convPlan.ts), column a·Q + q, where ow = a + (q·NV + m)·STRIDE_W.
// Slice i occupies layers i·S_LAYERS … of u_slices.
//
// #defines: COB, OD, OH, STRIDE_D, STRIDE_H, STRIDE_W, PD, PH, ODP, OHP, NV, NBO, COBG, Q, S_LAYOUT, S_LAYERS,
// Y_LAYOUT, Y_ROWS, Y_COLS, S_SAMPLER
uniform S_SAMPLER u_slices;
uniform int u_layer;

layout(location = 0) out TEXEL o_value;

void main() {
  ivec2 cell = gridCell(ivec2(gl_FragCoord.xy), u_layer, Y_LAYOUT);
  if (cell.x >= Y_ROWS || cell.y >= Y_COLS) {
    o_value = STORE(vec4(0.0));
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
  int dd = (od % STRIDE_D) * PD + od / STRIDE_D;
  int hh = (oh % STRIDE_H) * PH + oh / STRIDE_H;
  ivec3 at = texLoc(((n * ODP + dd) * OHP + hh) * COBG + cob / NBO, (ow % STRIDE_W) * Q + chunk / NV, S_LAYOUT);
  vec4 v = LOAD(u_slices, at + ivec3(0, 0, slice * S_LAYERS));
  o_value = STORE(v);
}
