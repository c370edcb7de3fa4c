// conv_transpose3d on 128-bit WebAssembly SIMD (AssemblyScript; built by scripts/build-wasm.mjs into four modules:
// relaxed or plain SIMD, shared or private memory). The module holds no state and allocates nothing: every buffer
// lives at an address the caller gives, described by a block of i32 parameters, so any number of workers can run
// it on one shared memory at once.
//
// Work comes in items, numbered so that threads can share it out by an atomic counter:
// - prepare items: the input repacked channels-last per group (one item per input row), then the weight repacked
//   into blocks of 8 output channels per tap (one item per group and block), when the weight is not packed yet;
// - compute items: one output row (n, group, channel block, od, oh), every voxel of it.
// Each output value is summed in one fixed order, whatever the item split: taps in (kd, kh, kw) order, input
// channels in order within each tap, then the bias added. So results do not depend on the number of threads.

// Offsets (in i32s) of the parameter block.
const N: i32 = 0;
const GROUPS: i32 = 1;
const CG: i32 = 2; // input channels per group
const COG: i32 = 3; // output channels per group
const D: i32 = 4;
const H: i32 = 5;
const W: i32 = 6;
const OD: i32 = 7;
const OH: i32 = 8;
const OW: i32 = 9;
const KD: i32 = 10;
const KH: i32 = 11;
const KW: i32 = 12;
const SD: i32 = 13;
const SH: i32 = 14;
const SW: i32 = 15;
const PD: i32 = 16;
const PH: i32 = 17;
const PW: i32 = 18;
const DD: i32 = 19;
const DH: i32 = 20;
const DW: i32 = 21;
const X_PTR: i32 = 22; // input, NCDHW
const XP_PTR: i32 = 23; // input repacked: [N][G][D][H][W][CG]
const W_PTR: i32 = 24; // weight, (Cin, Cout/G, kD, kH, kW)
const WP_PTR: i32 = 25; // weight repacked: [G][block][kD][kH][kW][CG][8]
const B_PTR: i32 = 26; // bias (Cout), or 0 for none
const Y_PTR: i32 = 27; // output, NCDHW
const BLOCKS: i32 = 28; // ceil(COG / 8)
const PACK_WEIGHT: i32 = 29; // 1 when the weight is to be repacked in this call's prepare items

/** Output voxels along W that the inner loop computes at once (with 8 channels: 12 accumulators). */
const TILE: i32 = 6;

@inline function p(params: usize, field: i32): i32 {
  return load<i32>(params + (<usize>field << 2));
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** How many prepare items a call has (the input rows, and the weight blocks when the weight is to be packed). */
export function prepareItems(params: usize): i32 {
  const rows = p(params, N) * p(params, GROUPS) * p(params, D) * p(params, H);
  return rows + (p(params, PACK_WEIGHT) ? p(params, GROUPS) * p(params, BLOCKS) : 0);
}

/** How many compute items a call has: one per output row and channel block. */
export function computeItems(params: usize): i32 {
  return p(params, N) * p(params, GROUPS) * p(params, BLOCKS) * p(params, OD) * p(params, OH);
}

/** Runs prepare items [first, first + count). */
export function prepare(params: usize, first: i32, count: i32): void {
  const rows = p(params, N) * p(params, GROUPS) * p(params, D) * p(params, H);
  for (let item = first; item < first + count; item++) {
    if (item < rows) repackRow(params, item);
    else packWeightBlock(params, item - rows);
  }
}

function repackRow(params: usize, row: i32): void {
  const groups = p(params, GROUPS), cg = p(params, CG), d = p(params, D), h = p(params, H), w = p(params, W);
  const ih = row % h;
  let rest = row / h;
  const id = rest % d;
  rest /= d;
  const g = rest % groups;
  const n = rest / groups;
  const plane = d * h * w;
  const src = <usize>p(params, X_PTR) + ((<usize>((n * groups + g) * cg) * plane + (id * h + ih) * w) << 2);
  const dst = <usize>p(params, XP_PTR) + (<usize>row * w * cg << 2);
  const srcChannel = <usize>plane << 2;
  for (let ci = 0; ci < cg; ci++) {
    const s = src + <usize>ci * srcChannel;
    const t = dst + (<usize>ci << 2);
    const step = <usize>cg << 2;
    for (let x = 0; x < w; x++) store<f32>(t + <usize>x * step, load<f32>(s + (<usize>x << 2)));
  }
}

function packWeightBlock(params: usize, item: i32): void {
  const blocks = p(params, BLOCKS), cg = p(params, CG), cog = p(params, COG);
  const taps = p(params, KD) * p(params, KH) * p(params, KW);
  const g = item / blocks, block = item % blocks;
  const src = <usize>p(params, W_PTR);
  const dst = <usize>p(params, WP_PTR) + (<usize>item * taps * cg * 8 << 2);
  for (let tap = 0; tap < taps; tap++) {
    for (let ci = 0; ci < cg; ci++) {
      const out = dst + (<usize>(tap * cg + ci) * 8 << 2);
      for (let lane = 0; lane < 8; lane++) {
        const co = block * 8 + lane;
        const value: f32 = co < cog ? load<f32>(src + (<usize>(((g * cg + ci) * cog + co) * taps + tap) << 2)) : 0;
        store<f32>(out + (<usize>lane << 2), value);
      }
    }
  }
}

/** Runs compute items [first, first + count). */
export function compute(params: usize, first: i32, count: i32): void {
  for (let item = first; item < first + count; item++) computeRow(params, item);
}

function computeRow(params: usize, item: i32): void {
  const oh = item % p(params, OH);
  let rest = item / p(params, OH);
  const od = rest % p(params, OD);
  rest /= p(params, OD);
  const block = rest % p(params, BLOCKS);
  rest /= p(params, BLOCKS);
  const g = rest % p(params, GROUPS);
  const n = rest / p(params, GROUPS);
  const sw = p(params, SW), ow = p(params, OW);
  for (let ow0 = 0; ow0 < sw && ow0 < ow; ow0++) computePhase(params, n, g, block, od, oh, ow0);
}

/** The output voxels ow0, ow0 + sW, … of one row: those whose W taps are the same. */
function computePhase(params: usize, n: i32, g: i32, block: i32, od: i32, oh: i32, ow0: i32): void {
  const sw = p(params, SW), pw = p(params, PW), dw = p(params, DW), kw = p(params, KW), w = p(params, W);
  const count = (p(params, OW) - ow0 + sw - 1) / sw;
  // Voxels jLo ≤ j < jHi read inside the input for every W tap that lands: no bounds to check there.
  let jLo = 0, jHi = count;
  for (let k = 0; k < kw; k++) {
    const t = ow0 + pw - k * dw;
    if (t % sw != 0) continue;
    const base = t / sw;
    if (-base > jLo) jLo = -base;
    if (w - base < jHi) jHi = w - base;
  }
  // A phase may have no voxel whose taps all land inside (far padding and dilation): then none goes unchecked.
  if (jLo > count) jLo = count;
  if (jHi < jLo) jHi = jLo;
  let j = 0;
  for (; j < jLo && j < count; j++) voxel(params, n, g, block, od, oh, ow0, j);
  if (jHi - j >= TILE) {
    for (; j + TILE <= jHi; j += TILE) tile(params, n, g, block, od, oh, ow0, j);
    // The last few voxels in a tile that overlaps the one before: they are computed again, to the same bits.
    if (j < jHi) tile(params, n, g, block, od, oh, ow0, jHi - TILE);
    j = jHi;
  }
  for (; j < count; j++) voxel(params, n, g, block, od, oh, ow0, j);
}

/** Input row address of a D/H tap, or 0 when the tap does not land in the input. */
@inline function inputRow(params: usize, n: i32, g: i32, od: i32, oh: i32, kd: i32, kh: i32): usize {
  const td = od + p(params, PD) - kd * p(params, DD);
  const th = oh + p(params, PH) - kh * p(params, DH);
  const sd = p(params, SD), sh = p(params, SH);
  if (td < 0 || th < 0 || td % sd != 0 || th % sh != 0) return 0;
  const id = td / sd, ih = th / sh;
  if (id >= p(params, D) || ih >= p(params, H)) return 0;
  const rowIndex = ((n * p(params, GROUPS) + g) * p(params, D) + id) * p(params, H) + ih;
  return <usize>p(params, XP_PTR) + (<usize>rowIndex * p(params, W) * p(params, CG) << 2);
}

@inline function weightTap(params: usize, g: i32, block: i32, kd: i32, kh: i32, kw: i32): usize {
  const tap = ((g * p(params, BLOCKS) + block) * p(params, KD) + kd) * p(params, KH) * p(params, KW)
    + kh * p(params, KW) + kw;
  return <usize>p(params, WP_PTR) + (<usize>tap * p(params, CG) * 8 << 2);
}

/** One voxel × 8 channels, every tap checked against the input's bounds. */
function voxel(params: usize, n: i32, g: i32, block: i32, od: i32, oh: i32, ow0: i32, j: i32): void {
  const cg = p(params, CG), sw = p(params, SW), pw = p(params, PW), dw = p(params, DW), w = p(params, W);
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  for (let kd = 0; kd < p(params, KD); kd++) {
    for (let kh = 0; kh < p(params, KH); kh++) {
      const row = inputRow(params, n, g, od, oh, kd, kh);
      if (row == 0) continue;
      for (let kw = 0; kw < p(params, KW); kw++) {
        const t = ow0 + pw - kw * dw;
        if (t % sw != 0) continue;
        const iw = t / sw + j;
        if (iw < 0 || iw >= w) continue;
        let px = row + (<usize>iw * cg << 2);
        let pwt = weightTap(params, g, block, kd, kh, kw);
        for (let ci = 0; ci < cg; ci++) {
          const x = v128.load32_splat(px);
          a0 = madd(x, v128.load(pwt), a0);
          a1 = madd(x, v128.load(pwt, 16), a1);
          px += 4;
          pwt += 32;
        }
      }
    }
  }
  store8(params, n, g, block, od, oh, ow0 + j * sw, a0, a1);
}

/** TILE voxels × 8 channels, all of whose taps land inside the input along W. */
function tile(params: usize, n: i32, g: i32, block: i32, od: i32, oh: i32, ow0: i32, j: i32): void {
  const cg = p(params, CG), sw = p(params, SW), pw = p(params, PW), dw = p(params, DW);
  const step = <usize>cg << 2;
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  let a40 = f32x4.splat(0), a41 = f32x4.splat(0), a50 = f32x4.splat(0), a51 = f32x4.splat(0);
  for (let kd = 0; kd < p(params, KD); kd++) {
    for (let kh = 0; kh < p(params, KH); kh++) {
      const row = inputRow(params, n, g, od, oh, kd, kh);
      if (row == 0) continue;
      for (let kw = 0; kw < p(params, KW); kw++) {
        const t = ow0 + pw - kw * dw;
        if (t % sw != 0) continue;
        let px = row + (<usize>(t / sw + j) * cg << 2);
        let pwt = weightTap(params, g, block, kd, kh, kw);
        for (let ci = 0; ci < cg; ci++) {
          const w0 = v128.load(pwt), w1 = v128.load(pwt, 16);
          let x = v128.load32_splat(px);
          a00 = madd(x, w0, a00); a01 = madd(x, w1, a01);
          x = v128.load32_splat(px + step);
          a10 = madd(x, w0, a10); a11 = madd(x, w1, a11);
          x = v128.load32_splat(px + 2 * step);
          a20 = madd(x, w0, a20); a21 = madd(x, w1, a21);
          x = v128.load32_splat(px + 3 * step);
          a30 = madd(x, w0, a30); a31 = madd(x, w1, a31);
          x = v128.load32_splat(px + 4 * step);
          a40 = madd(x, w0, a40); a41 = madd(x, w1, a41);
          x = v128.load32_splat(px + 5 * step);
          a50 = madd(x, w0, a50); a51 = madd(x, w1, a51);
          px += 4;
          pwt += 32;
        }
      }
    }
  }
  const ow = ow0 + j * sw;
  store8(params, n, g, block, od, oh, ow, a00, a01);
  store8(params, n, g, block, od, oh, ow + sw, a10, a11);
  store8(params, n, g, block, od, oh, ow + 2 * sw, a20, a21);
  store8(params, n, g, block, od, oh, ow + 3 * sw, a30, a31);
  store8(params, n, g, block, od, oh, ow + 4 * sw, a40, a41);
  store8(params, n, g, block, od, oh, ow + 5 * sw, a50, a51);
}

/** Writes one voxel's 8 channels of a block (those below Cout/G), each plus its bias. */
function store8(params: usize, n: i32, g: i32, block: i32, od: i32, oh: i32, ow: i32, a0: v128, a1: v128): void {
  const cog = p(params, COG), odn = p(params, OD), ohn = p(params, OH), own = p(params, OW);
  const co0 = g * cog + block * 8;
  const lanes = min(8, cog - block * 8);
  const channel = <usize>odn * ohn * own << 2;
  const y = <usize>p(params, Y_PTR)
    + (<usize>((n * p(params, GROUPS) * cog + co0) * odn + od) * ohn * own << 2)
    + (<usize>(oh * own + ow) << 2);
  const bias = <usize>p(params, B_PTR);
  const b = bias + (<usize>co0 << 2);
  storeLane(y, 0, lanes, f32x4.extract_lane(a0, 0), bias, b, channel);
  storeLane(y, 1, lanes, f32x4.extract_lane(a0, 1), bias, b, channel);
  storeLane(y, 2, lanes, f32x4.extract_lane(a0, 2), bias, b, channel);
  storeLane(y, 3, lanes, f32x4.extract_lane(a0, 3), bias, b, channel);
  storeLane(y, 4, lanes, f32x4.extract_lane(a1, 0), bias, b, channel);
  storeLane(y, 5, lanes, f32x4.extract_lane(a1, 1), bias, b, channel);
  storeLane(y, 6, lanes, f32x4.extract_lane(a1, 2), bias, b, channel);
  storeLane(y, 7, lanes, f32x4.extract_lane(a1, 3), bias, b, channel);
}

@inline function storeLane(y: usize, lane: i32, lanes: i32, sum: f32, bias: usize, b: usize, channel: usize): void {
  if (lane >= lanes) return;
  const value = bias != 0 ? sum + load<f32>(b + (<usize>lane << 2)) : sum;
  store<f32>(y + <usize>lane * channel, value);
}
