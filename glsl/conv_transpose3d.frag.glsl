// Gather form of conv_transpose3d. One fragment computes NV output voxels along W that share a stride phase
// (ow = a + (q·NV + m)·STRIDE_W, m < NV), times ND along D (od + e, e < ND: ND = 2 only with D stride and dilation
// 1), for NBO blocks of 4 output channels, and writes them to NOUT = NV·ND·NBO render targets ("slices", see
// src/convPlan.ts); glsl/repack.frag.glsl then puts them in the activation layout. With DIRECT_OUT (calls with next
// to no work, where the repack would cost more than sharing fetches saves) a fragment computes one voxel of one
// block, drawn over the output's own activation layout, and there is no repack.
//
// Every fetched weight block serves NV voxels and every fetched input texel NBO channel blocks and, along W, up to
// TWC kernel taps: voxel m at tap t reads the input texel voxel m+1 reads at tap t+1 (SHIFT_W columns further), so
// the input texels of TWC taps are fetched once, as a window of WIN = NV + (TWC−1)·SHIFT_W texels. Along D, with
// ND = 2, voxel e at D tap kd reads input row od + e + PAD_D − kd: the KD + 1 rows idLow … idLow + KD serve both
// voxels, so one pass of the D loop holds the weights of all KD taps and fetches each row once.
//
// The call is the gather's view of the caller's (src/gatherSpec.ts): along each axis only the input positions and
// kernel taps that can land, in the smallest numbers that give the same sums; its input of ID × IH × IW positions
// starts at (X_OFF_D, X_OFF_H, X_OFF_W) of the input texture, and the weights are packed from its taps alone.
// The #defines are built by gatherDefines in src/shaderDefines.ts, which documents each of them. Loops marked
// `#pragma unroll` index arrays of registers (accumulators, weights): the specializer unrolls them where the
// renderer policy says so (SwiftShader and llvmpipe, whose JITs do not; src/gl/unroll.ts); elsewhere they are plain
// loops with constant bounds, for the driver to unroll. `#pragma max_iterations(N)` says a loop never makes more
// than N passes: one that makes at most one becomes an `if`.
uniform X_SAMPLER u_x;     // input, activation layout
uniform W_SAMPLER u_w;     // packed weights, see packedWeightGrid in src/packing.ts
uniform B_SAMPLER u_bias;  // bias as a (1, COUT, 1, 1, 1) activation (the input again when there is none)
uniform int u_layer;       // slice layer being drawn

layout(location = 0) out TEXEL o[NOUT];

const int FIRST_TAP_D[STRIDE_D] = int[STRIDE_D](FIRST_TAPS_D);
const int FIRST_TAP_H[STRIDE_H] = int[STRIDE_H](FIRST_TAPS_H);
const int FIRST_TAP_W[STRIDE_W] = int[STRIDE_W](FIRST_TAPS_W);

#if DEPTHWISE
// One channel per group in and out: output lane r reads input lane r only, so a tap's weights are one texel.
#define WEIGHTS vec4
#else
#define WEIGHTS mat4
#endif

// Location of column 0 of input row `row`; column `col` is then xAt(start, row, col). A layout with one row per
// line and one layer needs no address arithmetic at all: (col, row, 0).
ivec3 xRowStart(int row) {
#if X_PLAIN
  return ivec3(0, row, 0);
#else
  return rowStart(row, X_LAYOUT);
#endif
}

ivec3 xAt(ivec3 start, int row, int col) {
#if X_SEGMENTS == 1
  return start + ivec3(col, 0, 0);
#else
  return texLoc(row, col, X_LAYOUT);
#endif
}

ivec3 wRowStart(int row) {
#if W_PLAIN
  return ivec3(0, row, 0);
#else
  return rowStart(row, W_LAYOUT);
#endif
}

ivec3 wAt(ivec3 start, int row, int col) {
#if W_SEGMENTS == 1
  return start + ivec3(col, 0, 0);
#else
  return texLoc(row, col, W_LAYOUT);
#endif
}

// The weights of packed row `row` at W tap kw: a 4×4 block (column i: input lane i against the 4 output lanes),
// or, depthwise, its diagonal.
WEIGHTS loadWeights(int row, int kw) {
  ivec3 start = wRowStart(row);
#if DEPTHWISE
  return load(u_w, wAt(start, row, kw));
#else
  int col = 4 * kw;
  return mat4(load(u_w, wAt(start, row, col)), load(u_w, wAt(start, row, col + 1)),
              load(u_w, wAt(start, row, col + 2)), load(u_w, wAt(start, row, col + 3)));
#endif
}

// Whether input lane x (y, z, w) of a texel shares a group with each of the 4 output lanes.
struct SameGroup { bvec4 x; bvec4 y; bvec4 z; bvec4 w; };

// The group of each lane of output block `cob` (lanes past COUT get a group no input lane has).
ivec4 outputGroups(int cob) {
  return (4 * cob + ivec4(0, 1, 2, 3)) / COG;
}

// For input block `inBlock` against an output block whose lanes are in groups `co` (outputGroups).
SameGroup sameGroup(int inBlock, ivec4 co) {
#if ALIGNED || DEPTHWISE
  // Every lane of an input texel and of an output block is in one group.
  return SameGroup(bvec4(true), bvec4(true), bvec4(true), bvec4(true));
#else
  ivec4 ci = (4 * inBlock + ivec4(0, 1, 2, 3)) / CIG;
  return SameGroup(equal(co, ivec4(ci.x)), equal(co, ivec4(ci.y)), equal(co, ivec4(ci.z)), equal(co, ivec4(ci.w)));
#endif
}

// One weight block times one input texel. Where groups cut through texels, each input lane's product is selected,
// never multiplied by a zero weight, so that a NaN or Inf in one group stays out of the others, as in PyTorch.
vec4 product(mat4 w, vec4 x, SameGroup g) {
#if ALIGNED
  return w * x;
#else
  return mix(vec4(0.0), w[0] * x.x, g.x) + mix(vec4(0.0), w[1] * x.y, g.y) + mix(vec4(0.0), w[2] * x.z, g.z) +
         mix(vec4(0.0), w[3] * x.w, g.w);
#endif
}

vec4 product(vec4 w, vec4 x, SameGroup g) {
  return w * x;
}

// acc + w·x, the product discarded unless `keep`. W_MASK shaders discard by selection: multiplying a zeroed input
// instead would turn an Inf weight into NaN. The selection costs about a third of a multiply-add on SwiftShader, so
// only shaders with some product to discard pay it.
vec4 mac(vec4 acc, WEIGHTS w, vec4 x, bool keep, SameGroup g) {
#if W_MASK
  return acc + mix(vec4(0.0), product(w, x, g), bvec4(keep));
#else
  return acc + product(w, x, g);
#endif
}

// A window element outside the input adds nothing. With weights known to be finite (checked on the CPU), its input
// texel is replaced by zeros once (w·0 = 0 exactly), instead of a selection per product it feeds: fewer selections
// by the taps and blocks each element serves (docs-example: 10 instead of 24).
vec4 zeroOutside(vec4 x, bool inside) {
#if ZERO_OUTSIDE
  return mix(vec4(0.0), x, bvec4(inside));
#else
  return x;
#endif
}

// Whether a product counts: its W tap exists in this phase (a phase may have fewer taps than the window holds: a
// missing tap reads the last one and is discarded) and, unless zeroOutside took care of it, its input is inside.
bool keepProduct(bool inside, bool tapExists) {
  bool tap = bool(TAPS_EVEN) || tapExists;
#if ZERO_OUTSIDE
  return tap;
#else
  return inside && tap;
#endif
}

// The taps along one axis that reach position p = o + pad of an output voxel: the phase's first tap `first` reaches
// input position `reach`; tap first + i·step reaches reach − i·shift, and taps i in [lo, hi] are inside the input
// (none when hi < lo).
struct Taps { int first; int reach; int lo; int hi; };

// Bounds are computed rather than tested per tap: a `break` or `continue` in a loop costs SwiftShader far more than
// the loop's own work here. divmod (texlayout.glsl) rather than /: every dividend here is ≥ 0 where its quotient is
// used. The padding in p is shifted up by `units` whole strides so that p − first·dil ≥ 0 (and ≡ 0 mod stride where
// the phase has taps: exact); the input position found is then `units` lower.
Taps tapRange(int p, int first, int k, int dil, int stride, int step, int shift, int size, int units) {
  int reach = divmod(p - first * dil, stride).x - units;
  int taps = divmod(k - first + step - 1, step).x;
  int hi = reach < 0 ? -1 : min(taps - 1, divmod(max(reach, 0), shift).x);
  int lo = reach < size ? 0 : divmod(reach - size + shift, shift).x;
  return Taps(first, reach, lo, hi);
}

// The output voxels of one fragment: batch n, channel-block group cobg, the first voxel's od and oh, W phase a and
// chunk q. `inside` is false for fragments past the grid: they visit no tap and write zeros.
struct Fragment { int n; int cobg; int od; int oh; int a; int q; bool inside; };

Fragment fragmentAt(ivec2 cell) {
  Fragment f;
#if DIRECT_OUT
  // The output's own activation layout (one voxel, one channel block): row ((n·COB + cob)·OD + od)·OH + oh,
  // column ow = a + q·STRIDE_W.
  ivec2 aq = divmod(cell.y, STRIDE_W);
  ivec4 r = activationRow(cell.x, COB, OD, OH);
  f = Fragment(r.x, r.y, r.z, r.w, aq.y, aq.x, false);
#else
  // Slice row ((n·ODP + dd)·OHP + hh)·COBG + cobg, dd and hh phase-major (sliceRow in src/convPlan.ts);
  // column a·Q + q.
  ivec2 g = divmod(cell.x, COBG);  // (t, cobg)
  ivec2 h = divmod(g.x, OHP);      // (t, hh)
  ivec2 d = divmod(h.x, ODP);      // (n, dd)
  ivec2 dp = divmod(d.y, PD);
  ivec2 hp = divmod(h.y, PH);
  f.n = d.x;
  f.cobg = g.y;
  f.od = dp.x + dp.y * STRIDE_D * ND;  // the first of the ND voxels along D
  f.oh = hp.x + hp.y * STRIDE_H;
#if PHASE_W >= 0
  // Drawn once per W phase, over that phase's columns only: the phase, its taps and its window are constants.
  f.a = PHASE_W;
  f.q = cell.y - PHASE_W * Q;
#else
  ivec2 aq = divmod(cell.y, Q);
  f.a = aq.x;
  f.q = aq.y;
#endif
#endif
  f.inside = cell.x < S_ROWS && cell.y < S_COLS && f.od < OD && f.oh < OH;
  return f;
}

// The passes of the D loop, as taps along D. With ND = 1, pass i visits the i-th tap of the voxel's phase that
// reaches the input (see tapRange); with ND = 2, one pass, "tap" 0 whose input row is the first of the KD + 1 rows
// the pair reads (od + PAD_D − (KD − 1), possibly outside the input: each row is tested).
Taps depthTaps(Fragment f) {
#if ND == 1
  return tapRange(f.od + PAD_D, FIRST_TAP_D[divmod(f.od + PAD_D, STRIDE_D).y], KD, DIL_D, STRIDE_D, TAP_STEP_D,
                  SHIFT_D, f.inside ? ID : 0, REACH_D);
#else
  return Taps(0, f.od + PAD_D - REACH_D - (KD - 1), 0, 0);
#endif
}

// The finished output texel of channel block cob: the bias added, lanes past COUT exactly 0 so that the output is a
// valid input for the next call, and with DIRECT_OUT zeros past the output's grid, as the repack leaves them.
vec4 outputTexel(vec4 acc, int cob, bool inside) {
#if HAS_BIAS
  acc += load(u_bias, texLoc(min(cob, COB - 1), 0, B_LAYOUT));
#endif
  vec4 v = mix(vec4(0.0), acc, lessThan(4 * cob + ivec4(0, 1, 2, 3), ivec4(COUT)));
#if DIRECT_OUT
  v = mix(vec4(0.0), v, bvec4(inside));
#endif
  return v;
}

// The index arithmetic of the unrolled loops is written as macros of their counters, not as functions or variables:
// with constant counters it stays a constant expression, which the compiler folds before anything else, so the
// multiply-adds of voxels and taps that do not exist are never generated. The clamps keep the indices of those dead
// branches legal.
// The voxel that window element i serves at W tap t, and the D tap through which input row rho reaches voxel e.
#define VOXEL(i, t) ((i) - (TWC - 1 - (t)) * SHIFT_W)
#define D_TAP(rho, e) (D_KERNEL - 1 - (rho) + (e))
// Accumulator (render target) of channel block b, D voxel e, W voxel m; weights of D tap kd, W tap t, block b.
#define ACC(b, e, m) (((b) * ND + (e)) * NV + clamp((m), 0, NV - 1))
#define WEIGHT(kd, t, b) ((clamp((kd), 0, D_KERNEL - 1) * TWC + (t)) * NBO + (b))

void main() {
  Fragment f = fragmentAt(gridCell(ivec2(gl_FragCoord.xy), u_layer, S_LAYOUT));
  int cob0 = f.cobg * NBO;
  int firstBlock = (divmod(4 * cob0, COG).x * CIG) >> 2;
  // Taps of the voxels' stride phases along D and H; along W, wTaps taps from kwFirst, whose input column for
  // voxel 0 is iwFirst, then one SHIFT_W lower per tap.
  Taps rd = depthTaps(f);
  Taps rh = tapRange(f.oh + PAD_H, FIRST_TAP_H[divmod(f.oh + PAD_H, STRIDE_H).y], KH, DIL_H, STRIDE_H, TAP_STEP_H,
                     SHIFT_H, IH, REACH_H);
  int pw = f.a + PAD_W;  // voxel m sits (q·NV + m)·STRIDE_W further right, in the same phase
  int kwFirst = FIRST_TAP_W[divmod(pw, STRIDE_W).y];
  int wTaps = divmod(KW - kwFirst + TAP_STEP_W - 1, TAP_STEP_W).x;
  // (pw − kw·DIL_W) is a non-negative multiple of STRIDE_W (see tapRange).
  int iwFirst = divmod(pw - kwFirst * DIL_W, STRIDE_W).x - REACH_W + f.q * NV;
  // Rows of the packed weights of each output block for tap (0, 0) and input block 0 (hoisted by hand: SwiftShader's
  // JIT does little of that itself).
  ivec4 wRow0 = min(cob0 + ivec4(0, 1, 2, 3), COB - 1) * (NB * KD * KH);
  ivec4 coGroup = outputGroups(cob0);  // used only where groups cut through texels

  vec4 acc[NOUT];
#pragma unroll
  for (int k = 0; k < NOUT; ++k) {
    acc[k] = vec4(0.0);
  }
  // A loop of at most one pass (one W window, one tap per phase along an axis) is an `if` once specialized
  // (src/gl/unroll.ts), and no loop here has a `break` or `continue`: SwiftShader pays more for a loop, and far more
  // for an early exit, than for the work of one pass.
  int windows = divmod(wTaps + TWC - 1, TWC).x;  // W windows this phase needs
#pragma max_iterations(W_WINDOWS)
  for (int c = 0; c < windows; ++c) {
    int kwc = kwFirst + c * TWC * TAP_STEP_W;             // first W tap of this window
    int iwLow = iwFirst - (c * TWC + TWC - 1) * SHIFT_W;  // input column of window element 0
#pragma max_iterations(D_PASSES)
    for (int td = rd.lo; td <= rd.hi; ++td) {
      int kd0 = rd.first + td * TAP_STEP_D;  // the first D tap of this pass
      int id0 = rd.reach - td * SHIFT_D;     // the input row of its first row
#pragma max_iterations(TAPS_H)
      for (int th = rh.lo; th <= rh.hi; ++th) {
        // Packed-weight rows of (kd0, kh) for input block 0, one per output block; input row of input block 0 at ih
        // and, with one voxel along D, the pass's row (a pair adds its rows below).
        ivec4 wRowTap = wRow0 + kd0 * KH + rh.first + th * TAP_STEP_H;
        int xRowTap = ((f.n * CIB + firstBlock) * X_D + (ND == 1 ? id0 + X_OFF_D : 0)) * X_H + rh.reach -
                      th * SHIFT_H + X_OFF_H;
        // Not unrolled: on SwiftShader the larger code was measured slower.
        for (int j = 0; j < NB; ++j) {
          int xBlockRow = xRowTap + min(j, CIB - 1 - firstBlock) * (X_D * X_H);
          SameGroup same = sameGroup(firstBlock + j, coGroup);
          WEIGHTS w[D_KERNEL * TWC * NBO];
#pragma unroll
          for (int kd = 0; kd < D_KERNEL; ++kd) {
#pragma unroll
            for (int t = 0; t < TWC; ++t) {
#pragma unroll
              for (int b = 0; b < NBO; ++b) {
                // A missing tap of an uneven phase reads the last one (see keepProduct).
                w[WEIGHT(kd, t, b)] = loadWeights(wRowTap[b] + j * (KD * KH) + kd * KH,
                                                  min(kwc + t * TAP_STEP_W, KW - 1));
              }
            }
          }
#pragma unroll
          for (int rho = 0; rho < D_ROWS; ++rho) {
            int id = id0 + rho;
            bool rowIn = ND == 1 || (f.inside && uint(id) < uint(ID));
            int xRow = ND == 1 ? xBlockRow : xBlockRow + (clamp(id, 0, ID - 1) + X_OFF_D) * X_H;
            ivec3 xStart = xRowStart(xRow);
#pragma unroll
            for (int i = 0; i < WIN; ++i) {
              // Window element i: fetched once (clamped so that every fetch is inside the texture), then multiplied
              // into every voxel and tap it serves.
              int iw = iwLow + i;
              bool inside = uint(iw) < uint(IW) && rowIn;
              vec4 x = zeroOutside(load(u_x, xAt(xStart, xRow, clamp(iw, 0, IW - 1) + X_OFF_W)), inside);
#pragma unroll
              for (int t = 0; t < TWC; ++t) {
#pragma unroll
                for (int e = 0; e < ND; ++e) {
                  // Constant once unrolled: the multiply-adds of voxels and taps that do not exist fold away.
                  if (VOXEL(i, t) >= 0 && VOXEL(i, t) < NV && D_TAP(rho, e) >= 0 && D_TAP(rho, e) < D_KERNEL) {
                    bool keep = keepProduct(inside, c * TWC + t < wTaps);
#pragma unroll
                    for (int b = 0; b < NBO; ++b) {
                      acc[ACC(b, e, VOXEL(i, t))] = mac(acc[ACC(b, e, VOXEL(i, t))], w[WEIGHT(D_TAP(rho, e), t, b)],
                                                        x, keep, same);
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  // Fragment outputs take constant indices only (GLSL ES 3.00), so this loop is unrolled on every device.
#pragma unroll(always)
  for (int k = 0; k < NOUT; ++k) {
    o[k] = store(outputTexel(acc[k], cob0 + k / (NV * ND), f.inside));  // render target k: block cob0 + k / (NV·ND)
  }
}
