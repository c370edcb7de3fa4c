// Gathers the NV·ND·NBO slices written by conv_transpose3d.frag.glsl into the activation layout of the output:
// voxel ow of channel block cob is slice ((cob mod NBO)·ND + e)·NV + m, row ((n·ODP + dd)·OHP + hh)·COBG + cob/NBO
// (dd, hh: od and oh phase-major, od the e-th of ND voxels along D, see sliceRow in src/convPlan.ts), column
// a·Q + q, where ow = a + (q·NV + m)·STRIDE_W.
// Slice i occupies layers i·S_LAYERS … of u_slices.
//
// #defines: COB, OD, OH, STRIDE_D, STRIDE_H, STRIDE_W, PD, PH, ODP, OHP, ND, NV, NBO, COBG, Q, S_LAYOUT, S_LAYERS,
// Y_LAYOUT, Y_ROWS, Y_COLS, S_SAMPLER
uniform S_SAMPLER u_slices;
uniform int u_layer;

layout(location = 0) out TEXEL o_value;

void main() {
  ivec2 cell = gridCell(ivec2(gl_FragCoord.xy), u_layer, Y_LAYOUT);
  if (cell.x >= Y_ROWS || cell.y >= Y_COLS) {
    o_value = store(vec4(0.0));
    return;
  }
  int ow = cell.y;
  // divmod, not / and %: this shader does little else, and integer division is slow on software renderers.
  ivec4 r = activationRow(cell.x, COB, OD, OH);  // (n, cob, od, oh)
  ivec2 w = divmod(ow, STRIDE_W);         // (chunk, phase)
  ivec2 m = divmod(w.x, NV);              // (chunk / NV, voxel)
  ivec2 b = divmod(r.y, NBO);             // (group, block in group)
  ivec2 dp = divmod(r.z, STRIDE_D);
  ivec2 de = divmod(dp.x, ND);            // (pair, voxel in pair)
  ivec2 hp = divmod(r.w, STRIDE_H);
  int slice = (b.y * ND + de.y) * NV + m.y;
  int dd = dp.y * PD + de.x;
  int hh = hp.y * PH + hp.x;
  ivec3 at = texLoc(((r.x * ODP + dd) * OHP + hh) * COBG + b.x, w.y * Q + m.x, S_LAYOUT);
  vec4 v = load(u_slices, at + ivec3(0, 0, slice * S_LAYERS));
  o_value = store(v);
}
