#version 300 es
// The playground's 3-D view: an orthographic ray through a box holding the output volume, composited front to back.
// Colour comes from the same diverging table as the heatmaps; opacity grows with |value|, so zeros are clear.
precision highp float;
precision highp sampler3D;

uniform sampler3D u_volume;     // one channel of the output, values as they are (R16F, linear filtering)
uniform sampler2D u_colors;     // 256 × 1 colour table, index 0 = most negative
uniform mat4 u_view;            // rotates view space into the box's space
uniform vec3 u_halfExtent;      // half the box's size along (w, h, d); the largest is 0.5
uniform vec2 u_resolution;
uniform float u_invMax;         // 1 / largest |value|
out vec4 fragColor;

const int STEPS = 160;
const float DENSITY = 6.0;

void main() {
  vec2 p = (gl_FragCoord.xy / u_resolution) * 2.0 - 1.0;
  p.x *= u_resolution.x / u_resolution.y;
  vec3 origin = (u_view * vec4(p * 0.75, 2.0, 1.0)).xyz;
  vec3 dir = normalize((u_view * vec4(0.0, 0.0, -1.0, 0.0)).xyz);
  // Slab test: where the ray enters and leaves the box.
  vec3 inv = 1.0 / dir;
  vec3 t0 = (-u_halfExtent - origin) * inv;
  vec3 t1 = (u_halfExtent - origin) * inv;
  vec3 tmin = min(t0, t1);
  vec3 tmax = max(t0, t1);
  float enter = max(max(tmin.x, tmin.y), tmin.z);
  float leave = min(min(tmax.x, tmax.y), tmax.z);
  vec3 background = vec3(0.106, 0.122, 0.141);
  if (leave <= max(enter, 0.0)) {
    fragColor = vec4(background, 1.0);
    return;
  }
  float step = (leave - enter) / float(STEPS);
  vec3 color = vec3(0.0);
  float alpha = 0.0;
  for (int i = 0; i < STEPS; i++) {
    vec3 pos = origin + dir * (enter + (float(i) + 0.5) * step);
    // Box space to texture space: w to the right, h downwards (as in the heatmaps), d away from the viewer.
    vec3 uvw = vec3(pos.x, -pos.y, -pos.z) / (2.0 * u_halfExtent) + 0.5;
    float v = clamp(texture(u_volume, uvw).r * u_invMax, -1.0, 1.0);
    vec3 c = texture(u_colors, vec2(v * 0.5 + 0.5, 0.5)).rgb;
    float a = 1.0 - exp(-DENSITY * step * pow(abs(v), 1.5) * 4.0);
    color += (1.0 - alpha) * a * c;
    alpha += (1.0 - alpha) * a;
    if (alpha > 0.98) break;
  }
  fragColor = vec4(color + (1.0 - alpha) * background, 1.0);
}
