// Gather form of conv_transpose3d. One fragment computes NV output voxels along W that share a stride phase
// (ow = a + (q·NV + m)·STRIDE_W, m < NV), times ND along D (od + e, e < ND: ND = 2 only with D stride and dilation
// 1), for NBO blocks of 4 output channels, and writes them to NV·ND·NBO render targets ("slices", see
// src/convPlan.ts); glsl/repack.frag.glsl then puts them in the activation layout. With DIRECT_OUT (calls with next
// to no work, where the repack would cost more than sharing fetches saves) a fragment computes one voxel of one
// block, drawn over the output's own activation layout, and there is no repack.
// Every fetched weight block serves NV voxels and every fetched input texel NBO channel blocks and, along W, up to
// TWC kernel taps: voxel m at tap t reads the input voxel m+1 read at tap t+1 (shifted by SHIFT_W), so the input
// texels of TWC taps are fetched once, as a window of WIN = NV + (TWC−1)·SHIFT_W texels.
//
// Specialized by #defines (see convDefines in src/convPlan.ts):
//   input  CIN, CIB (= ceil(CIN/4)), ID, IH, IW; output COUT, COB, OD, OH, OW
//   groups CIG, COG (channels per group), NB (input blocks per output block), ALIGNED (0/1), DEPTHWISE (0/1: one
//     channel per group in and out; weights are then one texel per tap), HAS_BIAS (0/1)
//   kernel KD, KH, KW; per axis STRIDE_*, PAD_*, DIL_*, TAP_STEP_*, FIRST_TAPS_* (a list of STRIDE_* ints:
//     the first tap reaching phase r = (o + pad) mod stride, or the kernel size when none does), SHIFT_* (input
//     steps between consecutive taps of a phase) and TAPS_* (most taps of a phase)
//   fragment NV, NBO, COBG (= ceil(COB/NBO)), Q (voxel chunks per W phase), PHASE_W (the one W phase drawn, or −1),
//     DIRECT_OUT (0/1: NV = ND = NBO = 1, drawn over the output's layout, which S_* then describe)
//   slice rows PD, PH (positions, or pairs of D positions, per D and H stride phase), ODP, OHP (phase-major sizes),
//     ND (voxels along D per fragment), see sliceRow
//   W taps  TWC (taps per window), CHUNKS_W (windows per phase), WIN, TAPS_EVEN (0/1: every phase with taps has
//     CHUNKS_W·TWC of them), W_MASK (0/1: some product must be discarded: a W tap outside the input, or missing),
//     ZERO_OUTSIDE (0/1: the weights are known finite, so a W tap outside the input multiplies zeros instead)
//   unrolling FOR_NOUT, FOR_WIN, FOR_TWC (REPn below), FOR_KD, FOR_ROWS (RREPn), USE_TAPS (USEn below)
//   layouts X_LAYOUT, W_LAYOUT, B_LAYOUT, S_LAYOUT as ivec4 (texlayout.glsl); X_SEGMENTS, W_SEGMENTS (segments per
//     row of input and weights); X_DIRECT, W_DIRECT (0/1: texel (col, row, 0)); S_ROWS, S_COLS (the slice grid)
//   samplers X_SAMPLER, W_SAMPLER, B_SAMPLER (SAMPLER_2D or SAMPLER_ARRAY, texlayout.glsl)
uniform X_SAMPLER u_x;     // input, activation layout
uniform W_SAMPLER u_w;     // packed weights, see packedWeightGrid in src/packing.ts
uniform B_SAMPLER u_bias;  // bias as a (1, COUT, 1, 1, 1) activation (the input again when there is none)
uniform int u_layer;            // slice layer being drawn

#define NOUT (NV * ND * NBO)
layout(location = 0) out TEXEL o[NOUT];

// Unrolling by hand: SwiftShader's JIT does not unroll constant-bound loops, and arrays of accumulators must be
// indexed by constants to stay in registers. REPn(F) is F(0) … F(n−1).
#define REP1(F) F(0)
#define REP2(F) REP1(F) F(1)
#define REP3(F) REP2(F) F(2)
#define REP4(F) REP3(F) F(3)
#define REP5(F) REP4(F) F(4)
#define REP6(F) REP5(F) F(5)
#define REP7(F) REP6(F) F(6)
#define REP8(F) REP7(F) F(7)
#define REP9(F) REP8(F) F(8)
#define REP10(F) REP9(F) F(9)
#define REP11(F) REP10(F) F(10)
#define REP12(F) REP11(F) F(11)
#define REP13(F) REP12(F) F(12)
#define REP14(F) REP13(F) F(13)
#define REP15(F) REP14(F) F(14)
#define REP16(F) REP15(F) F(15)
// The same for loops whose body unrolls another (a macro is not expanded again inside its own expansion).
#define RREP1(F) F(0)
#define RREP2(F) RREP1(F) F(1)
#define RREP3(F) RREP2(F) F(2)
#define RREP4(F) RREP3(F) F(3)
#define RREP5(F) RREP4(F) F(4)
#define RREP6(F) RREP5(F) F(5)
#define RREP7(F) RREP6(F) F(6)
#define RREP8(F) RREP7(F) F(7)

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

// The 4×4 block of output block `b` against input block `jj` (of NB) for tap kw; wRow0[b] is its row for jj = 0.
// Row bases are hoisted out of the block loop by hand: SwiftShader's JIT does little of that itself.
#define LOAD_WEIGHTS(M, b, jj) { \
    int wRow = wRow0[(b)] + (jj) * (KD * KH) + KD_ROWS; \
    ivec3 ws = W_START(wRow); \
    M = mat4(LOAD(u_w, W_AT(ws, wRow, kw4 + 0)), LOAD(u_w, W_AT(ws, wRow, kw4 + 1)), \
             LOAD(u_w, W_AT(ws, wRow, kw4 + 2)), LOAD(u_w, W_AT(ws, wRow, kw4 + 3))); }

// Multiply-add of one weight block M and one input texel v into acc. PLAIN_MAC where every tap is inside the input;
// MASKED_MAC discards the product of a tap outside it by selection (multiplying a zeroed input instead would turn an
// Inf weight into NaN; a branch costs ~25% on SwiftShader). The selection costs about a third of a multiply-add
// there, so only shaders with W_MASK pay it.
#if ALIGNED || DEPTHWISE
// All lanes of an input texel and of an output block are in one group: a plain 4×4 multiply-add (or, depthwise,
// output lane r reads input lane r only, with one weight per lane: a vec4 times a vec4).
#define PRODUCT(M, v) ((M) * (v))
#else
// Input lanes and output lanes may belong to different groups: select (never multiply by a zero weight), so a NaN
// or Inf in one group stays out of the others, as in PyTorch.
#define PRODUCT(M, v) (mix(vec4(0.0), (M)[0] * (v).x, sameGroup[0]) + mix(vec4(0.0), (M)[1] * (v).y, sameGroup[1]) + \
    mix(vec4(0.0), (M)[2] * (v).z, sameGroup[2]) + mix(vec4(0.0), (M)[3] * (v).w, sameGroup[3]))
#endif
#define PLAIN_MAC(acc, M, v, ok) acc += PRODUCT(M, v);
#define MASKED_MAC(acc, M, v, ok) acc += mix(vec4(0.0), PRODUCT(M, v), bvec4(ok));

// The weights of output block b against input block jj for tap t of the window (tap kwc + t·TAP_STEP_W; a phase
// may have fewer taps than the window holds: a missing tap reads the last one and is discarded, see TAP_OK).
#if DEPTHWISE
#define WTYPE vec4
#define LOAD_TAP(t) { int kw = min(kwc + (t) * TAP_STEP_W, KW - 1); \
    W[(t)] = LOAD(u_w, W_AT(W_START(wRow0.x), wRow0.x, kw)); }
#else
#define WTYPE mat4
#define LOAD_BLOCK(t, b) LOAD_WEIGHTS(W[W_INDEX(kdc, t, b)], b, j)
#if NBO == 1
#define LOAD_BLOCKS(t) LOAD_BLOCK(t, 0)
#elif NBO == 2
#define LOAD_BLOCKS(t) LOAD_BLOCK(t, 0) LOAD_BLOCK(t, 1)
#else
#define LOAD_BLOCKS(t) LOAD_BLOCK(t, 0) LOAD_BLOCK(t, 1) LOAD_BLOCK(t, 2) LOAD_BLOCK(t, 3)
#endif
#define LOAD_TAP(t) { int kw4 = min(kwc + (t) * TAP_STEP_W, KW - 1) * 4; LOAD_BLOCKS(t) }
#endif

// Whether tap t of the window exists in this phase (a missing tap is computed and discarded like a tap outside the
// input: a branch, or a second variant of the code for windows that need no selection, was measured slower;
// SwiftShader pays for the size of the code).
#if TAPS_EVEN
#define TAP_OK(t) true
#else
#define TAP_OK(t) (c * TWC + (t) < wTaps)
#endif

// Window element i serves voxel m = i − (TWC−1−t)·SHIFT_W at tap t, when that voxel exists. The test is constant
// and the dead multiply-adds are removed by the compiler; the clamp only keeps their (dead) index legal.
#define VOXEL_OF(i, t) ((i) - (TWC - 1 - (t)) * SHIFT_W)
// Accumulator of output block b, D voxel e, W voxel m (slice (b·ND + e)·NV + m); weights of block b at W tap t and,
// with pairs along D, D tap kd (kdc below).
#define ACC(b, e, m) acc[((b) * ND + (e)) * NV + (m)]
#if ND == 1
#define W_INDEX(kd, t, b) ((t) * NBO + (b))
#define KD_ROWS 0
#else
#define W_INDEX(kd, t, b) (((kd) * TWC + (t)) * NBO + (b))
#define KD_ROWS (kdc * KH)
#endif
#if NBO == 1
#define MACS_E(e, kd, m, t, v, ok) MAC(ACC(0, e, m), W[W_INDEX(kd, t, 0)], v, ok)
#elif NBO == 2
#define MACS_E(e, kd, m, t, v, ok) MAC(ACC(0, e, m), W[W_INDEX(kd, t, 0)], v, ok) \
    MAC(ACC(1, e, m), W[W_INDEX(kd, t, 1)], v, ok)
#else
#define MACS_E(e, kd, m, t, v, ok) MAC(ACC(0, e, m), W[W_INDEX(kd, t, 0)], v, ok) \
    MAC(ACC(1, e, m), W[W_INDEX(kd, t, 1)], v, ok) MAC(ACC(2, e, m), W[W_INDEX(kd, t, 2)], v, ok) \
    MAC(ACC(3, e, m), W[W_INDEX(kd, t, 3)], v, ok)
#endif
#if ND == 1
#define MACS(m, t, v, ok) MACS_E(0, 0, m, t, v, ok)
#else
// Input row rho (of the unrolled rows, see main) serves D voxel e at tap kd = KD − 1 − rho + e: constant, so the
// pairs with no such tap fold away (the clamp only keeps their dead index legal).
#define KD_OF(e) (KD - 1 - rho + (e))
#define MACS_PAIR(e, m, t, v, ok) if (KD_OF(e) >= 0 && KD_OF(e) < KD) { \
    MACS_E(e, clamp(KD_OF(e), 0, KD - 1), m, t, v, ok) }
#define MACS(m, t, v, ok) MACS_PAIR(0, m, t, v, ok) MACS_PAIR(1, m, t, v, ok)
#endif
#define USE(i, t) if (VOXEL_OF(i, t) >= 0 && VOXEL_OF(i, t) < NV) { \
    MACS(clamp(VOXEL_OF(i, t), 0, NV - 1), t, xi, MAC_OK(inside_i, t)) }
#define USE1(i) USE(i, 0)
#define USE2(i) USE1(i) USE(i, 1)
#define USE3(i) USE2(i) USE(i, 2)
#define USE4(i) USE3(i) USE(i, 3)

// A W tap outside the input adds nothing. With weights known to be finite (checked on the CPU), its input texel is
// replaced by zeros once per window element (w·0 = 0 exactly), instead of a selection per product: fewer
// selections by the taps and blocks each element serves (docs-example: 10 instead of 24).
#if ZERO_OUTSIDE
#define OUTSIDE(v, inside) mix(vec4(0.0), (v), bvec4(inside))
#define MAC_OK(inside, t) TAP_OK(t)
#else
#define OUTSIDE(v, inside) (v)
#define MAC_OK(inside, t) ((inside) && TAP_OK(t))
#endif

// Window element i (input column iwLow + i, clamped so that every fetch is inside the texture): fetched once, then
// multiplied into every voxel and tap it serves while it is the only input texel held.
#if ND == 1
#define ROW_IN true
#else
#define ROW_IN rowIn
#endif
#define ELEMENT(i) { int iw = iwLow + (i); bool inside_i = uint(iw) < uint(IW) && ROW_IN; \
    vec4 xi = OUTSIDE(LOAD(u_x, X_AT(xs, xRow, clamp(iw, 0, IW - 1))), inside_i); USE_TAPS(i) }

#if ALIGNED || DEPTHWISE
#define GROUP_MASKS(jj)
#else
// Which input lanes of block jj share a group with which output lanes.
#define GROUP_MASKS(jj) ivec4 ciGroup = (4 * (firstBlock + (jj)) + ivec4(0, 1, 2, 3)) / CIG; \
    bvec4 sameGroup[4] = bvec4[4](equal(coGroup, ivec4(ciGroup.x)), equal(coGroup, ivec4(ciGroup.y)), \
                                  equal(coGroup, ivec4(ciGroup.z)), equal(coGroup, ivec4(ciGroup.w)));
#endif

// The taps along one axis that reach position p = o + pad of an output voxel: the first, `first`, reaches input
// u = (p − first·dil)/stride; tap first + i·step reaches input u − i·shift. Returns (first, u, lo, hi): taps i
// in [lo, hi] are inside the input (none when hi < lo). Bounds are computed rather than tested per tap: a `break` or
// `continue` in a loop costs SwiftShader far more than the loop's own work here.
ivec4 tapRange(int p, int first, int k, int dil, int stride, int step, int shift, int size) {
  // divmod (texlayout.glsl) rather than /: every argument here is ≥ 0 where its quotient is used.
  int u = divmod(p - first * dil + stride * k * dil, stride).x - k * dil;  // exact: p − first·dil ≡ 0 (mod stride)
  int taps = divmod(k - first + step - 1, step).x;
  int hi = u < 0 ? -1 : min(taps - 1, divmod(max(u, 0), shift).x);
  int lo = u < size ? 0 : divmod(u - size + shift, shift).x;
  return ivec4(first, u, lo, hi);
}

// Loop heads (each closed by a brace in main). An axis with at most one tap per phase needs no loop, only a test,
// and a phase with one W window no window loop: SwiftShader's loops are costly.
#if CHUNKS_W == 1
#define FOR_CHUNKS(c, n) if ((n) > 0) { const int c = 0;
#else
#define FOR_CHUNKS(c, n) for (int c = 0; c < (n); ++c) {
#endif
#if TAPS_D == 1
#define FOR_TAPS_D(i, r) if ((r).z <= (r).w) { int i = (r).z;
#else
#define FOR_TAPS_D(i, r) for (int i = (r).z; i <= (r).w; ++i) {
#endif
#if TAPS_H == 1
#define FOR_TAPS_H(i, r) if ((r).z <= (r).w) { int i = (r).z;
#else
#define FOR_TAPS_H(i, r) for (int i = (r).z; i <= (r).w; ++i) {
#endif

vec4 finish(vec4 acc, int cob) {
#if HAS_BIAS
  acc += LOAD(u_bias, texLoc(min(cob, COB - 1), 0, B_LAYOUT));
#endif
  // Lanes past COUT stay exactly 0 so that the output is a valid input for the next call.
  return mix(vec4(0.0), acc, lessThan(4 * cob + ivec4(0, 1, 2, 3), ivec4(COUT)));
}

#if W_MASK
#define MAC MASKED_MAC
#else
#define MAC PLAIN_MAC
#endif

#define ZERO(i) acc[(i)] = vec4(0.0);
#if DIRECT_OUT
// Texels past the output's grid hold zeros, as the repack leaves them.
#define WRITE(i) o[(i)] = STORE(mix(vec4(0.0), finish(acc[(i)], cob0), bvec4(inside)));
#else
#define WRITE(i) o[(i)] = STORE(finish(acc[(i)], cob0 + (i) / (NV * ND)));
#endif
// Pairs along D: the weights of every D tap, then the KD + 1 input rows, unrolled (see MACS).
#define LOAD_KD(kd) { const int kdc = (kd); FOR_TWC(LOAD_TAP) }
#define ROW(r) { const int rho = (r); int id = idLow + rho; bool rowIn = inside && uint(id) < uint(ID); \
    int xRow = xBlockRow + clamp(id, 0, ID - 1) * IH; ivec3 xs = X_START(xRow); FOR_WIN(ELEMENT) }

void main() {
  ivec2 cell = gridCell(ivec2(gl_FragCoord.xy), u_layer, S_LAYOUT);
  vec4 acc[NOUT];
  FOR_NOUT(ZERO)
#if DIRECT_OUT
  // The output's own activation layout (one voxel, one channel block): row ((n·COB + cob)·OD + od)·OH + oh,
  // column ow = a + q·STRIDE_W.
  ivec2 aq = divmod(cell.y, STRIDE_W);
  int a = aq.y;
  int q = aq.x;
  ivec4 r = activationRow(cell.x, COB, OD, OH);
  int n = r.x;
  int cobg = r.y;
  int od = r.z;
  int oh = r.w;
#else
  // Slice row ((n·ODP + dd)·OHP + hh)·COBG + cobg, dd and hh phase-major (sliceRow in src/convPlan.ts);
  // column a·Q + q.
#if PHASE_W >= 0
  // Drawn once per W phase, over that phase's columns only: the phase, its taps and its window are constants.
  const int a = PHASE_W;
  int q = cell.y - PHASE_W * Q;
#else
  ivec2 aq = divmod(cell.y, Q);
  int a = aq.x;
  int q = aq.y;
#endif
  ivec2 g = divmod(cell.x, COBG);  // (t, cobg)
  ivec2 h = divmod(g.x, OHP);      // (t, hh)
  ivec2 d = divmod(h.x, ODP);      // (n, dd)
  int cobg = g.y;
  int n = d.x;
  ivec2 dp = divmod(d.y, PD);
  ivec2 hp = divmod(h.y, PH);
  int od = dp.x + dp.y * STRIDE_D * ND;  // the first of the ND voxels along D
  int oh = hp.x + hp.y * STRIDE_H;
#endif
  int cob0 = cobg * NBO;
  bool inside = cell.x < S_ROWS && cell.y < S_COLS && od < OD && oh < OH;
  int firstBlock = (divmod(4 * cob0, COG).x * CIG) >> 2;
#if !ALIGNED && !DEPTHWISE
  ivec4 coGroup = (4 * cob0 + ivec4(0, 1, 2, 3)) / COG;  // lanes past COUT match no input group
#endif
  // Taps of the voxels' stride phases along D and H (see tapRange), and along W: wTaps taps from kwFirst, whose
  // input column for voxel 0 is iwFirst, then one SHIFT_W lower per tap.
  ivec4 rd = tapRange(od + PAD_D, FIRST_TAP_D[divmod(od + PAD_D, STRIDE_D).y], KD, DIL_D, STRIDE_D, TAP_STEP_D, SHIFT_D,
                      inside ? ID : 0);
  ivec4 rh = tapRange(oh + PAD_H, FIRST_TAP_H[divmod(oh + PAD_H, STRIDE_H).y], KH, DIL_H, STRIDE_H, TAP_STEP_H,
                      SHIFT_H, IH);
  int pw = a + PAD_W;  // voxel m sits (q·NV + m)·STRIDE_W further right, in the same phase
  int kwFirst = FIRST_TAP_W[divmod(pw, STRIDE_W).y];
  int wTaps = divmod(KW - kwFirst + TAP_STEP_W - 1, TAP_STEP_W).x;
  // (pw − kw·DIL_W) is a multiple of STRIDE_W, possibly negative: shifted up so the division is exact.
  int iwFirst = divmod(pw - kwFirst * DIL_W + STRIDE_W * KW * DIL_W, STRIDE_W).x - KW * DIL_W + q * NV;
#if ND > 1
  // Voxel e (od + e) at tap kd reads input row od + e + PAD_D − kd: rows idLow … idLow + KD serve both voxels.
  int idLow = od + PAD_D - (KD - 1);
  FOR_CHUNKS(c, divmod(wTaps + TWC - 1, TWC).x)
    int kwc = kwFirst + c * TWC * TAP_STEP_W;
    int iwLow = iwFirst - (c * TWC + TWC - 1) * SHIFT_W;
    FOR_TAPS_H(ii, rh)
      int kh = rh.x + ii * TAP_STEP_H;
      int ih = rh.y - ii * SHIFT_H;
      int xRow0 = (n * CIB + firstBlock) * ID * IH + ih;
      ivec4 wRow0 = min(cob0 + ivec4(0, 1, 2, 3), COB - 1) * NB * KD * KH + kh;
      for (int j = 0; j < NB; ++j) {
        int xBlockRow = xRow0 + min(j, CIB - 1 - firstBlock) * (ID * IH);
        GROUP_MASKS(j)
        WTYPE W[KD * TWC * NBO];
        FOR_KD(LOAD_KD)
        FOR_ROWS(ROW)
      }
    }
  }
#else
  FOR_CHUNKS(c, divmod(wTaps + TWC - 1, TWC).x)
    int kwc = kwFirst + c * TWC * TAP_STEP_W;  // first tap of this window
    int iwLow = iwFirst - (c * TWC + TWC - 1) * SHIFT_W;  // column of window element 0
    FOR_TAPS_D(i, rd)
      int kd = rd.x + i * TAP_STEP_D;
      int id = rd.y - i * SHIFT_D;
      FOR_TAPS_H(ii, rh)
        int kh = rh.x + ii * TAP_STEP_H;
        int ih = rh.y - ii * SHIFT_H;
        int xRow0 = ((n * CIB + firstBlock) * ID + id) * IH + ih;
        ivec4 wRow0 = (min(cob0 + ivec4(0, 1, 2, 3), COB - 1) * NB * KD + kd) * KH + kh;
        // Not unrolled: on SwiftShader the larger code was measured slower.
        for (int j = 0; j < NB; ++j) {
          int xRow = xRow0 + min(j, CIB - 1 - firstBlock) * (ID * IH);
          ivec3 xs = X_START(xRow);
          GROUP_MASKS(j)
          WTYPE W[TWC * NBO];
          FOR_TWC(LOAD_TAP)
          FOR_WIN(ELEMENT)
        }
      }
    }
  }
#endif
  FOR_NOUT(WRITE)
}
