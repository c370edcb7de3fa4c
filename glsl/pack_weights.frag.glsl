// Re-lays a weight (CIN, COG, KD, KH, KW), stored as an activation with N = CIN and C = COG, into the order the
// gather shader reads: row ((cob·NB + j)·KD + kd)·KH + kh, column kw·4 + i holds input lane i of block
// firstBlock(cob) + j against output channels 4·cob .. 4·cob + 3. Pairs from different groups are 0.
//
// With DEPTHWISE (one channel per group in and out) the block is diagonal: column kw holds just its diagonal, the
// weights of channels 4·cob .. 4·cob + 3.
//
// The packed kernel is KD × KH × KW taps of the raw one (RAW_KD × RAW_KH × …), from tap (OFF_D, OFF_H, OFF_W): the
// taps that can land in the output (src/gatherSpec.ts).
//
// #defines: CIN, COUT, CIG, COG, COGB (= ceil(COG/4)), NB, KD, KH, KW, RAW_KD, RAW_KH, OFF_D, OFF_H, OFF_W, DEPTHWISE,
// RAW_LAYOUT, RAW_SAMPLER, Y_LAYOUT, Y_ROWS, Y_COLS.
uniform RAW_SAMPLER u_raw;
uniform int u_layer;

layout(location = 0) out TEXEL o_value;

void main() {
  ivec2 cell = gridCell(ivec2(gl_FragCoord.xy), u_layer, Y_LAYOUT);
  if (cell.x >= Y_ROWS || cell.y >= Y_COLS) {
    o_value = store(vec4(0.0));
    return;
  }
#if DEPTHWISE
  int kw = cell.y;
#else
  int kw = cell.y / 4;
  int i = cell.y % 4;
#endif
  int kh = cell.x % KH;
  int t = cell.x / KH;
  int kd = t % KD;
  t /= KD;
  int j = t % NB;
  int cob = t / NB;
  vec4 v = vec4(0.0);
#if DEPTHWISE
  for (int r = 0; r < 4; ++r) {
    int c = 4 * cob + r;
    if (c < CIN) v[r] = load(u_raw, texLoc((c * RAW_KD + kd + OFF_D) * RAW_KH + kh + OFF_H, kw + OFF_W, RAW_LAYOUT)).x;
  }
#else
  int ci = 4 * (((4 * cob / COG) * CIG) / 4 + j) + i;
  for (int r = 0; r < 4; ++r) {
    int co = 4 * cob + r;
    if (ci < CIN && co < COUT && ci / CIG == co / COG) {
      int cl = co - (co / COG) * COG;
      vec4 raw = load(u_raw, texLoc(((ci * COGB + cl / 4) * RAW_KD + kd + OFF_D) * RAW_KH + kh + OFF_H, kw + OFF_W,
                                    RAW_LAYOUT));
      v[r] = raw[cl % 4];
    }
  }
#endif
  o_value = store(v);
}
