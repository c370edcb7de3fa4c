// Gather form of conv_transpose3d: one fragment = one output texel (4 output channels of one voxel).
//
// Specialized by #defines (see src/gl/convProgram.ts):
//   input  N_BATCH, CIN, CIB (= ceil(CIN/4)), ID, IH, IW
//   output COUT, COB, OD, OH, OW
//   groups CIG, COG (channels per group), NB (input blocks per output block), ALIGNED (0/1), HAS_BIAS (0/1)
//   kernel KD, KH, KW; per axis STRIDE_*, PAD_*, DIL_*, TAP_STEP_* and FIRST_TAPS_* (a list of STRIDE_* ints:
//     the first tap reaching phase r = (o + pad) mod stride, or the kernel size when none does)
//   layouts X_LAYOUT, W_LAYOUT, B_LAYOUT, Y_LAYOUT as ivec4 (see texlayout.glsl), Y_ROWS, Y_COLS
precision highp float;
precision highp int;
precision highp sampler2DArray;

uniform sampler2DArray u_x;     // input, activation layout
uniform sampler2DArray u_w;     // packed weights, see src/packing.ts packedWeightGrid
uniform sampler2DArray u_bias;  // bias as a (1, COUT, 1, 1, 1) activation
uniform int u_layer;            // output layer being drawn

layout(location = 0) out vec4 o_value;

const int FIRST_TAP_D[STRIDE_D] = int[STRIDE_D](FIRST_TAPS_D);
const int FIRST_TAP_H[STRIDE_H] = int[STRIDE_H](FIRST_TAPS_H);
const int FIRST_TAP_W[STRIDE_W] = int[STRIDE_W](FIRST_TAPS_W);

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

  ivec4 co = 4 * cob + ivec4(0, 1, 2, 3);
  int firstBlock = ((4 * cob / COG) * CIG) / 4;
#if !ALIGNED
  ivec4 coGroup = co / COG;  // lanes past COUT get groups >= groups, matching no input channel
#endif

  vec4 acc = vec4(0.0);
  int pd = od + PAD_D;
  int ph = oh + PAD_H;
  int pw = ow + PAD_W;
  // Only taps with k·dil ≡ o + pad (mod stride) reach this voxel: start at the first and step over the rest.
  for (int kd = FIRST_TAP_D[pd % STRIDE_D]; kd < KD; kd += TAP_STEP_D) {
    int td = pd - kd * DIL_D;
    if (td < 0) break;  // taps only move further left
    int id = td / STRIDE_D;
    if (id >= ID) continue;
    for (int kh = FIRST_TAP_H[ph % STRIDE_H]; kh < KH; kh += TAP_STEP_H) {
      int th = ph - kh * DIL_H;
      if (th < 0) break;
      int ih = th / STRIDE_H;
      if (ih >= IH) continue;
      for (int kw = FIRST_TAP_W[pw % STRIDE_W]; kw < KW; kw += TAP_STEP_W) {
        int tw = pw - kw * DIL_W;
        if (tw < 0) break;
        int iw = tw / STRIDE_W;
        if (iw >= IW) continue;
        for (int j = 0; j < NB; ++j) {
          int cib = min(firstBlock + j, CIB - 1);
          vec4 x = texelFetch(u_x, texLoc(((n * CIB + cib) * ID + id) * IH + ih, iw, X_LAYOUT), 0);
          int wRow = ((cob * NB + j) * KD + kd) * KH + kh;
          vec4 w0 = texelFetch(u_w, texLoc(wRow, kw * 4 + 0, W_LAYOUT), 0);
          vec4 w1 = texelFetch(u_w, texLoc(wRow, kw * 4 + 1, W_LAYOUT), 0);
          vec4 w2 = texelFetch(u_w, texLoc(wRow, kw * 4 + 2, W_LAYOUT), 0);
          vec4 w3 = texelFetch(u_w, texLoc(wRow, kw * 4 + 3, W_LAYOUT), 0);
#if ALIGNED
          acc += mat4(w0, w1, w2, w3) * x;
#else
          // Each input lane may belong to a different group than each output lane: select, never multiply by a
          // zero weight, so a NaN or Inf in another group stays out (as in PyTorch).
          ivec4 ciGroup = (4 * (firstBlock + j) + ivec4(0, 1, 2, 3)) / CIG;
          acc += mix(vec4(0.0), w0 * x.x, equal(coGroup, ivec4(ciGroup.x)));
          acc += mix(vec4(0.0), w1 * x.y, equal(coGroup, ivec4(ciGroup.y)));
          acc += mix(vec4(0.0), w2 * x.z, equal(coGroup, ivec4(ciGroup.z)));
          acc += mix(vec4(0.0), w3 * x.w, equal(coGroup, ivec4(ciGroup.w)));
#endif
        }
      }
    }
  }
#if HAS_BIAS
  acc += texelFetch(u_bias, texLoc(cob, 0, B_LAYOUT), 0);
#endif
  // Lanes past COUT stay exactly 0 so that this output is a valid input for the next call.
  o_value = mix(vec4(0.0), acc, lessThan(co, ivec4(COUT)));
}
