/**
 * A dense float32 tensor: `data` holds `shape`'s elements contiguously in row-major (C) order.
 * Activations are NCDHW (batched) or CDHW (unbatched), as in PyTorch.
 *
 * @example
 * const x: Tensor = { shape: [1, 2, 3, 3, 3], data: new Float32Array(54) };
 */
export interface Tensor {
  /** The size of each axis, outermost first. */
  shape: number[];
  /** The elements, row-major; exactly as many as the shape's sizes multiply to. */
  data: Float32Array;
}

/** One integer for all three spatial axes, or `[depth, height, width]`, like PyTorch's `int or tuple`. */
export type Triple = number | [number, number, number];

/**
 * The keyword arguments of `torch.nn.functional.conv_transpose3d`, in camelCase.
 *
 * | here | PyTorch |
 * |---|---|
 * | `bias` | `bias` |
 * | `stride` | `stride` |
 * | `padding` | `padding` |
 * | `outputPadding` | `output_padding` |
 * | `groups` | `groups` |
 * | `dilation` | `dilation` |
 */
export interface ConvTranspose3dOptions {
  /** Shape `(Cout)`; `null` or absent for no bias. */
  bias?: Tensor | null;
  /** Default 1. Every value ≥ 1. */
  stride?: Triple;
  /** Default 0. Every value ≥ 0; `dilation·(k−1) − padding` is what is added on each side, so large padding crops. */
  padding?: Triple;
  /** Default 0. Extra size on the far side of each axis; must be smaller than the stride or the dilation of its axis. */
  outputPadding?: Triple;
  /** Default 1. Must divide the input channels; the weight's dim 1 is `Cout / groups`. */
  groups?: number;
  /** Default 1. Every value ≥ 1. */
  dilation?: Triple;
}

/** A per-axis `[depth, height, width]` triple after normalization. */
export type Int3 = [number, number, number];
