// Gather form of conv_transpose3d. One fragment computes NV output voxels along W that share a stride phase
// (ow = a + (q·NV + m)·STRIDE_W, m < NV) for NBO blocks of 4 output channels, and writes them to NV·NBO render
// targets ("slices", see src/convPlan.ts); glsl/repack.frag.glsl then puts them in the activation layout.
// Every fetched weight block serves NV voxels and every fetched input texel NBO channel blocks.
//
// Specialized by #defines (see convDefines in src/convPlan.ts):
//   input  CIN, CIB (= ceil(CIN/4)), ID, IH, IW; output COUT, COB, OD, OH, OW
//   groups CIG, COG (channels per group), NB (input blocks per output block), ALIGNED (0/1), DEPTHWISE (0/1: one
//     channel per group in and out; weights are then one texel per tap), HAS_BIAS (0/1)
//   kernel KD, KH, KW; per axis STRIDE_*, PAD_*, DIL_*, TAP_STEP_* and FIRST_TAPS_* (a list of STRIDE_* ints:
//     the first tap reaching phase r = (o + pad) mod stride, or the kernel size when none does)
//   fragment NV, NBO, COBG (= ceil(COB/NBO)), Q (voxel chunks per W phase)
//   layouts X_LAYOUT, W_LAYOUT, B_LAYOUT, S_LAYOUT as ivec4 (texlayout.glsl); X_SEGMENTS, W_SEGMENTS (segments per
//     row of input and weights); X_DIRECT, W_DIRECT (0/1: texel (col, row, 0)); S_ROWS, S_COLS (the slice grid)
uniform SAMPLER u_x;     // input, activation layout
uniform SAMPLER u_w;     // packed weights, see packedWeightGrid in src/packing.ts
uniform SAMPLER u_bias;  // bias as a (1, COUT, 1, 1, 1) activation
uniform int u_layer;            // slice layer being drawn

#define NOUT (NV * NBO)
layout(location = 0) out TEXEL o0;
#if NOUT > 1
layout(location = 1) out TEXEL o1;
#endif
#if NOUT > 2
layout(location = 2) out TEXEL o2;
#endif
#if NOUT > 3
layout(location = 3) out TEXEL o3;
#endif
#if NOUT > 4
layout(location = 4) out TEXEL o4;
#endif
#if NOUT > 5
layout(location = 5) out TEXEL o5;
#endif
#if NOUT > 6
layout(location = 6) out TEXEL o6;
#endif
#if NOUT > 7
layout(location = 7) out TEXEL o7;
#endif

const int FIRST_TAP_D[STRIDE_D] = int[STRIDE_D](FIRST_TAPS_D);
const int FIRST_TAP_H[STRIDE_H] = int[STRIDE_H](FIRST_TAPS_H);
const int FIRST_TAP_W[STRIDE_W] = int[STRIDE_W](FIRST_TAPS_W);

// Input texel at column `col` of row `row`, whose column 0 is at `start` when rows are not segmented. A "direct"
// layout (one layer, one row per line, no segments) needs no address arithmetic at all: (col, row, 0).
#if X_DIRECT
#define X_START(row) ivec3(0, (row), 0)
#else
#define X_START(row) rowStart((row), X_LAYOUT)
#endif
#if X_SEGMENTS == 1
#define X_AT(start, row, col) ((start) + ivec3((col), 0, 0))
#else
#define X_AT(start, row, col) texLoc((row), (col), X_LAYOUT)
#endif
#if W_DIRECT
#define W_START(row) ivec3(0, (row), 0)
#else
#define W_START(row) rowStart((row), W_LAYOUT)
#endif
#if W_SEGMENTS == 1
#define W_AT(start, row, col) ((start) + ivec3((col), 0, 0))
#else
#define W_AT(start, row, col) texLoc((row), (col), W_LAYOUT)
#endif

// The 4×4 block of output block `b` against input block `jj` (of NB) for the current tap; wRow0[b] is its row for
// jj = 0. Row bases are hoisted out of the block loop by hand: SwiftShader's JIT does little of that itself.
#define LOAD_WEIGHTS(M, b, jj) { \
    int wRow = wRow0[(b)] + (jj) * (KD * KH); \
    ivec3 ws = W_START(wRow); \
    M = mat4(LOAD(u_w, W_AT(ws, wRow, kw4 + 0)), LOAD(u_w, W_AT(ws, wRow, kw4 + 1)), \
             LOAD(u_w, W_AT(ws, wRow, kw4 + 2)), LOAD(u_w, W_AT(ws, wRow, kw4 + 3))); }

#if ALIGNED || DEPTHWISE
// All lanes of an input texel and of an output block are in one group: a plain 4×4 multiply-add (or, depthwise,
// output lane r reads input lane r only, with one weight per lane: a vec4 times a vec4).
#define MAC(acc, M, x, ok) acc += mix(vec4(0.0), (M) * (x), ok);
#else
// Input lanes and output lanes may belong to different groups: select (never multiply by a zero weight), so a NaN
// or Inf in one group stays out of the others, as in PyTorch.
#define MAC(acc, M, x, ok) acc += mix(vec4(0.0), mix(vec4(0.0), (M)[0] * (x).x, sameGroup[0]) + \
    mix(vec4(0.0), (M)[1] * (x).y, sameGroup[1]) + mix(vec4(0.0), (M)[2] * (x).z, sameGroup[2]) + \
    mix(vec4(0.0), (M)[3] * (x).w, sameGroup[3]), ok);
#endif

// Voxel m: fetch its input texel and multiply-add every output block. A tap outside the input contributes nothing:
// the product is discarded by selection (a branch here costs ~25% on SwiftShader; multiplying a zeroed input would
// turn an Inf weight into NaN).
#define INSIDE(m) bvec4(uint(iw0 + (m)) < uint(IW))
#define FETCH_X(m) LOAD(u_x, X_AT(xs, xRow, clamp(iw0 + (m), 0, IW - 1)))
#if NBO == 1
#define VOXEL(m) { bvec4 ok = INSIDE(m); vec4 x = FETCH_X(m); MAC(acc[(m)], W0, x, ok) }
#elif NBO == 2
#define VOXEL(m) { bvec4 ok = INSIDE(m); vec4 x = FETCH_X(m); MAC(acc[(m)], W0, x, ok) \
    MAC(acc[NV + (m)], W1, x, ok) }
#else
#define VOXEL(m) { bvec4 ok = INSIDE(m); vec4 x = FETCH_X(m); MAC(acc[(m)], W0, x, ok) \
    MAC(acc[NV + (m)], W1, x, ok) MAC(acc[2 * NV + (m)], W2, x, ok) MAC(acc[3 * NV + (m)], W3, x, ok) }
#endif

// All voxels of the fragment, unrolled (their accumulators must be indexed by constants).
#if NV == 1
#define VOXELS VOXEL(0)
#elif NV == 2
#define VOXELS VOXEL(0) VOXEL(1)
#elif NV == 3
#define VOXELS VOXEL(0) VOXEL(1) VOXEL(2)
#elif NV == 4
#define VOXELS VOXEL(0) VOXEL(1) VOXEL(2) VOXEL(3)
#elif NV == 5
#define VOXELS VOXEL(0) VOXEL(1) VOXEL(2) VOXEL(3) VOXEL(4)
#elif NV == 6
#define VOXELS VOXEL(0) VOXEL(1) VOXEL(2) VOXEL(3) VOXEL(4) VOXEL(5)
#elif NV == 7
#define VOXELS VOXEL(0) VOXEL(1) VOXEL(2) VOXEL(3) VOXEL(4) VOXEL(5) VOXEL(6)
#else
#define VOXELS VOXEL(0) VOXEL(1) VOXEL(2) VOXEL(3) VOXEL(4) VOXEL(5) VOXEL(6) VOXEL(7)
#endif

// The weights of every output block of the fragment against input block jj.
#if DEPTHWISE
#define WEIGHTS(jj) vec4 W0 = LOAD(u_w, W_AT(W_START(wRow0.x), wRow0.x, kw));
#elif NBO == 1
#define WEIGHTS(jj) mat4 W0; LOAD_WEIGHTS(W0, 0, jj)
#elif NBO == 2
#define WEIGHTS(jj) mat4 W0; LOAD_WEIGHTS(W0, 0, jj) mat4 W1; LOAD_WEIGHTS(W1, 1, jj)
#else
#define WEIGHTS(jj) mat4 W0; LOAD_WEIGHTS(W0, 0, jj) mat4 W1; LOAD_WEIGHTS(W1, 1, jj) \
    mat4 W2; LOAD_WEIGHTS(W2, 2, jj) mat4 W3; LOAD_WEIGHTS(W3, 3, jj)
#endif

#if ALIGNED || DEPTHWISE
#define GROUP_MASKS(jj)
#else
// Which input lanes of block jj share a group with which output lanes.
#define GROUP_MASKS(jj) ivec4 ciGroup = (4 * (firstBlock + (jj)) + ivec4(0, 1, 2, 3)) / CIG; \
    bvec4 sameGroup[4] = bvec4[4](equal(coGroup, ivec4(ciGroup.x)), equal(coGroup, ivec4(ciGroup.y)), \
                                  equal(coGroup, ivec4(ciGroup.z)), equal(coGroup, ivec4(ciGroup.w)));
#endif

// One input-channel block jj of one tap: NBO weight blocks, NV input texels, NV·NBO multiply-adds.
#define BLOCK(jj) { \
    int xRow = xRow0 + min((jj), CIB - 1 - firstBlock) * (ID * IH); \
    ivec3 xs = X_START(xRow); \
    GROUP_MASKS(jj) \
    WEIGHTS(jj) \
    VOXELS }

vec4 finish(vec4 acc, int cob) {
#if HAS_BIAS
  acc += LOAD(u_bias, texLoc(min(cob, COB - 1), 0, B_LAYOUT));
#endif
  // Lanes past COUT stay exactly 0 so that the output is a valid input for the next call.
  return mix(vec4(0.0), acc, lessThan(4 * cob + ivec4(0, 1, 2, 3), ivec4(COUT)));
}

void main() {
  ivec2 cell = gridCell(ivec2(gl_FragCoord.xy), u_layer, S_LAYOUT);
  vec4 acc[NOUT];
  acc[0] = vec4(0.0);
#if NOUT > 1
  acc[1] = vec4(0.0);
#endif
#if NOUT > 2
  acc[2] = vec4(0.0);
#endif
#if NOUT > 3
  acc[3] = vec4(0.0);
#endif
#if NOUT > 4
  acc[4] = vec4(0.0);
#endif
#if NOUT > 5
  acc[5] = vec4(0.0);
#endif
#if NOUT > 6
  acc[6] = vec4(0.0);
#endif
#if NOUT > 7
  acc[7] = vec4(0.0);
#endif
  // Slice row ((n·COBG + cobg)·OD + od)·OH + oh, column a·Q + q.
  int a = cell.y / Q;
  int q = cell.y % Q;
  int oh = cell.x % OH;
  int t = cell.x / OH;
  int od = t % OD;
  t /= OD;
  int cobg = t % COBG;
  int n = t / COBG;
  int cob0 = cobg * NBO;
  bool inside = cell.x < S_ROWS && cell.y < S_COLS;
  int firstBlock = ((4 * cob0 / COG) * CIG) / 4;
#if !ALIGNED && !DEPTHWISE
  ivec4 coGroup = (4 * cob0 + ivec4(0, 1, 2, 3)) / COG;  // lanes past COUT match no input group
#endif
  int pd = od + PAD_D;
  int ph = oh + PAD_H;
  int pw = a + PAD_W;  // voxel m sits (q·NV + m)·STRIDE_W further right, in the same phase
  // Only taps with k·dil ≡ o + pad (mod stride) reach a voxel: start at the first and step over the rest.
  for (int kd = inside ? FIRST_TAP_D[pd % STRIDE_D] : KD; kd < KD; kd += TAP_STEP_D) {
    int td = pd - kd * DIL_D;
    if (td < 0) break;  // taps only move further left
    int id = td / STRIDE_D;
    if (id >= ID) continue;
    for (int kh = FIRST_TAP_H[ph % STRIDE_H]; kh < KH; kh += TAP_STEP_H) {
      int th = ph - kh * DIL_H;
      if (th < 0) break;
      int ih = th / STRIDE_H;
      if (ih >= IH) continue;
      int xRow0 = ((n * CIB + firstBlock) * ID + id) * IH + ih;
      ivec4 wRow0 = (min(cob0 + ivec4(0, 1, 2, 3), COB - 1) * NB * KD + kd) * KH + kh;
      for (int kw = FIRST_TAP_W[pw % STRIDE_W]; kw < KW; kw += TAP_STEP_W) {
        // (pw − kw·DIL_W) is a multiple of STRIDE_W, possibly negative: shift it up so the division is exact.
        int iw0 = (pw - kw * DIL_W + STRIDE_W * KW * DIL_W) / STRIDE_W - KW * DIL_W + q * NV;
        if (iw0 + NV <= 0) break;
        if (iw0 >= IW) continue;
        int kw4 = kw * 4;
        // Not unrolled: on SwiftShader the larger code was measured slower.
        for (int j = 0; j < NB; ++j) BLOCK(j)
      }
    }
  }
  o0 = STORE(finish(acc[0], cob0));
#if NOUT > 1
  o1 = STORE(finish(acc[1], cob0 + 1 / NV));
#endif
#if NOUT > 2
  o2 = STORE(finish(acc[2], cob0 + 2 / NV));
#endif
#if NOUT > 3
  o3 = STORE(finish(acc[3], cob0 + 3 / NV));
#endif
#if NOUT > 4
  o4 = STORE(finish(acc[4], cob0 + 4 / NV));
#endif
#if NOUT > 5
  o5 = STORE(finish(acc[5], cob0 + 5 / NV));
#endif
#if NOUT > 6
  o6 = STORE(finish(acc[6], cob0 + 6 / NV));
#endif
#if NOUT > 7
  o7 = STORE(finish(acc[7], cob0 + 7 / NV));
#endif
}
