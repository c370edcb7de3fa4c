// The ranges the WebGL path computes in, written down once: every check of a call against the shaders' integer
// arithmetic derives from these.

/**
 * Largest integer the shaders compute with exactly: `divmod` (glsl/texlayout.glsl) divides in float32, whose
 * 24-bit significand holds every integer below 2^24, and some devices' highp int has 24 bits too.
 */
export const MAX_SHADER_INT = 2 ** 24 - 1;

/**
 * Most stride phases along one axis the gather's tap tables hold (one entry per phase, a constant array of the
 * shader). A larger stride is still computed where only one input position reaches the output along that axis.
 */
export const MAX_STRIDE_PHASES = 1024;

/**
 * Most elements a dense-texture conversion (glsl/from_dense.frag.glsl, glsl/to_dense.frag.glsl) handles: it indexes
 * another library's flat array with plain 32-bit ints (GLSL ES 3.00's highp int), and rounds up to whole texels.
 */
export const MAX_DENSE_ELEMENTS = 2 ** 31 - 4;
