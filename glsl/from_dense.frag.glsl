// Copies a tensor from a dense RGBA float texture into the activation layout, permuting its axes on the way. The
// dense texture holds a row-major array four values a texel (texel t: values 4t … 4t + 3, texel t at column
// t mod DENSE_COLS of row t / DENSE_COLS), the way TensorFlow.js hands its tensors out. Element (n, c, d, h, w) of
// the target is value n·SRC_N + c·SRC_C + d·SRC_D + h·SRC_H + w·SRC_W of that array.
//
// #defines: Y_C, Y_CB (= ceil(Y_C/4)), Y_D, Y_H (the target's channels, channel blocks, depth, height), SRC_N, SRC_C, SRC_D, SRC_H, SRC_W, DENSE_COLS, Y_LAYOUT, Y_ROWS, Y_COLS
// The dense texture is float whatever this backend's storage: it belongs to the other library.
uniform highp sampler2D u_dense;
uniform int u_layer;

layout(location = 0) out TEXEL o_value;

// Value f of the dense array. Integer / and %, not divmod: flat indices pass 2^24, where divmod's float reciprocal
// is no longer exact, and this pass fetches little.
float denseValue(int f) {
  int t = f / 4;
  return texelFetch(u_dense, ivec2(t % DENSE_COLS, t / DENSE_COLS), 0)[f % 4];
}

void main() {
  ivec2 cell = gridCell(ivec2(gl_FragCoord.xy), u_layer, Y_LAYOUT);
  if (cell.x >= Y_ROWS || cell.y >= Y_COLS) {
    o_value = store(vec4(0.0));
    return;
  }
  ivec4 r = activationRow(cell.x, Y_CB, Y_D, Y_H);  // (n, channel block, d, h)
  int base = r.x * SRC_N + r.z * SRC_D + r.w * SRC_H + cell.y * SRC_W;
  vec4 v = vec4(0.0);
  for (int j = 0; j < 4; ++j) {
    int c = 4 * r.y + j;
    if (c < Y_C) v[j] = denseValue(base + c * SRC_C);
  }
  o_value = store(v);
}
