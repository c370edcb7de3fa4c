// Writes a tensor held in the activation layout out as a dense RGBA float texture: texel t (column t mod DENSE_COLS
// of row t / DENSE_COLS) holds values 4t … 4t + 3 of a row-major array of shape (E0, E1, E2, E3, E4), whose axis i
// is the tensor's axis AXIS_i, 0 to 4 for (n, c, d, h, w): (0, 2, 3, 4, 1) writes NDHWC. Values past TOTAL are 0.
//
// #defines: E1, E2, E3, E4, AXIS_N, AXIS_C, AXIS_D, AXIS_H, AXIS_W (where n, c, d, h, w sit among the five), TOTAL,
// DENSE_COLS, X_CB, X_D, X_H (the tensor's channel blocks, depth, height), X_LAYOUT, X_SAMPLER
// The output is float whatever this backend's storage: the texture goes to the other library.
uniform X_SAMPLER u_x;

layout(location = 0) out vec4 o_value;

// Integer / and %, not divmod: flat indices pass 2^24, where divmod's float reciprocal is no longer exact.
float valueAt(int f) {
  int e[5];
  e[4] = f % E4;
  int q = f / E4;
  e[3] = q % E3;
  q /= E3;
  e[2] = q % E2;
  q /= E2;
  e[1] = q % E1;
  e[0] = q / E1;
  int c = e[AXIS_C];
  int row = ((e[AXIS_N] * X_CB + c / 4) * X_D + e[AXIS_D]) * X_H + e[AXIS_H];
  return load(u_x, texLoc(row, e[AXIS_W], X_LAYOUT))[c % 4];
}

void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  int t = p.y * DENSE_COLS + p.x;
  vec4 v = vec4(0.0);
  for (int j = 0; j < 4; ++j) {
    int f = 4 * t + j;
    if (f < TOTAL) v[j] = valueAt(f);
  }
  o_value = v;
}
