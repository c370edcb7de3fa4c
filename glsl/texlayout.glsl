// Shared by every shader; first after the #defines, so it sets the precision for all that follows.
precision highp float;
precision highp int;

// Storage: how a texel's four floats are kept (src/gl/storage.ts). Shaders read with load and write with store,
// always as vec4 in float32, so they never know. STORAGE_UINT keeps float32 bits in RGBA32UI textures (integer
// render targets are core WebGL2); otherwise textures are RGBA32F or RGBA16F and the hardware converts.
// A one-layer texture is a plain 2-D texture (cheaper to fetch from), others are arrays: a sampler is declared as
// SAMPLER_2D or SAMPLER_ARRAY (samplerType in src/shaderDefines.ts says which), and load takes an ivec3 location
// from either.
#if STORAGE_UINT
precision highp usampler2D;
precision highp usampler2DArray;
#define SAMPLER_2D usampler2D
#define SAMPLER_ARRAY usampler2DArray
#define TEXEL uvec4
vec4 load(usampler2D s, ivec3 p) { return uintBitsToFloat(texelFetch(s, p.xy, 0)); }
vec4 load(usampler2DArray s, ivec3 p) { return uintBitsToFloat(texelFetch(s, p, 0)); }
uvec4 store(vec4 v) { return floatBitsToUint(v); }
#else
precision highp sampler2D;
precision highp sampler2DArray;
#define SAMPLER_2D sampler2D
#define SAMPLER_ARRAY sampler2DArray
#define TEXEL vec4
vec4 load(sampler2D s, ivec3 p) { return texelFetch(s, p.xy, 0); }
vec4 load(sampler2DArray s, ivec3 p) { return texelFetch(s, p, 0); }
vec4 store(vec4 v) { return v; }
#endif

// Mirror of src/layout.ts. A layout is ivec4(log2 rowsPerLine, segmentsPerRow, segmentWidth, log2 layerHeight),
// see shaderLayout in src/shaderDefines.ts; for rows cut into segments (one row per line group) the first value is
// log2 segmentWidth instead. Rows per line and layer heights are powers of two, and so is the segment
// width of rows cut into segments, so addressing is shifts and masks: integer division is slow on software
// renderers. A one-layer texture passes 22 as its log2 height (lines stay below 2^22). All values stay below 2^24
// (Firefox's highp int).

// (x / d, x mod d) for 0 ≤ x < 2^24 and d ≥ 1 without integer division: SwiftShader and llvmpipe emulate it lane by
// lane (a repack fragment's dozen divisions cost SwiftShader more than its fetch), and on GPUs, which have no integer
// divider either, a float reciprocal is what the driver would emit. The float quotient is within one of the true
// one (x·fl(1/d) is off by at most x/d·2^-23 < 1, then truncated), so one signed correction makes it exact. Every
// divisor in these shaders is a compile-time constant, so once divmod is inlined the first two tests fold away: a
// divisor of 1 then costs nothing and a power of two a multiply (exact) and a mask.
ivec2 divmod(int x, int d) {
  if (d == 1) return ivec2(x, 0);
  if ((d & (d - 1)) == 0) return ivec2(int(float(x) * (1.0 / float(d))), x & (d - 1));
  int q = int(float(x) * (1.0 / float(d)));
  int r = x - q * d;
  q += int(r >= d) - int(r < 0);
  return ivec2(q, x - q * d);
}

// (n, channel block, d, h) of row ((n·CB + cb)·D + d)·H + h of an activation grid (activationGrid in
// src/packing.ts); its column is w.
ivec4 activationRow(int row, int CB, int D, int H) {
  ivec2 h = divmod(row, H);
  ivec2 d = divmod(h.x, D);
  ivec2 c = divmod(d.x, CB);
  return ivec4(c.x, c.y, d.y, h.y);
}

// Location (x, y, layer) of column 0 of `row`, for layouts whose rows are not cut (segmentsPerRow == 1): column c
// is then at rowStart + ivec3(c, 0, 0).
ivec3 rowStart(int row, ivec4 L) {
  int line = row >> L.x;
  return ivec3((row & ((1 << L.x) - 1)) * L.z, line & ((1 << L.w) - 1), line >> L.w);
}

// Location (x, y, layer) of grid cell (row, col), for any layout.
ivec3 texLoc(int row, int col, ivec4 L) {
  if (L.y == 1) return rowStart(row, L) + ivec3(col, 0, 0);
  // Cut rows: one row per line group, segment width 2^L.x.
  int line = row * L.y + (col >> L.x);
  return ivec3(col & (L.z - 1), line & ((1 << L.w) - 1), line >> L.w);
}

// Grid cell (row, col) drawn at fragment `p` of layer `layer`.
ivec2 gridCell(ivec2 p, int layer, ivec4 L) {
  int line = (layer << L.w) + p.y;
  if (L.y == 1) {
    ivec2 x = divmod(p.x, L.z);
    return ivec2((line << L.x) + x.x, x.y);
  }
  ivec2 s = divmod(line, L.y);
  return ivec2(s.x, s.y * L.z + p.x);
}
