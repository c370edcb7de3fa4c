#version 300 es
// The renderer's attainable multiply-add rate: 8 independent vec4 FMA chains per fragment, ITERS times.
precision highp float;
out vec4 o_value;
void main() {
  vec4 a = gl_FragCoord.xyxy * 1e-3;
  vec4 b = a + 0.1, c = a + 0.2, d = a + 0.3, e = a + 0.4, f = a + 0.5, g = a + 0.6, h = a + 0.7;
  const vec4 m = vec4(0.9999, 1.0001, 0.99995, 1.00005);
  const vec4 k = vec4(1e-5);
  for (int i = 0; i < ITERS; ++i) {
    a = a * m + k; b = b * m + k; c = c * m + k; d = d * m + k;
    e = e * m + k; f = f * m + k; g = g * m + k; h = h * m + k;
  }
  o_value = a + b + c + d + e + f + g + h;
}
