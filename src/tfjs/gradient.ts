// The gradient TensorFlow.js lacks for its transposed 3-D convolution, built on the caller's tfjs namespace.

import type * as tfc from '@tensorflow/tfjs-core';

/**
 * The part of the tfjs namespace the gradient uses: `@tensorflow/tfjs` and `@tensorflow/tfjs-core` both fit. Written
 * out rather than picked from tfjs's types so that a namespace typed by hand fits too; the library imports no tfjs at
 * run time, so it works with whichever copy the application has loaded.
 */
export interface TfLike {
  conv3d(x: tfc.Tensor5D, filter: tfc.Tensor5D, strides: number | [number, number, number],
    pad: 'valid' | 'same'): tfc.Tensor5D;
  engine(): {
    runKernel(kernelName: string, inputs: { x: tfc.Tensor5D; dy: tfc.Tensor5D }, attrs: tfc.NamedAttrMap): unknown;
  };
}

// Typed against tfjs's own constants, so a renamed kernel fails to compile rather than silently never matching.
const TRANSPOSE_KERNEL: typeof tfc.Conv3DBackpropInputV2 = 'Conv3DBackpropInputV2';
const FILTER_KERNEL: typeof tfc.Conv3DBackpropFilterV2 = 'Conv3DBackpropFilterV2';

/**
 * The gradient of tfjs's `Conv3DBackpropInputV2` kernel (what `tf.conv3dTranspose` runs), for
 * `tf.registerGradient`, so that models with `conv3dTranspose` can be trained. Both inputs get a gradient: the
 * transposed convolution's input (`dy`) and its filter.
 *
 * @param tf the tfjs namespace the application uses (`import * as tf from '@tensorflow/tfjs'`); the gradient's
 *   ops run on it, so they land on the same engine, tape and backend as the forward pass.
 * @returns the config to pass to `tf.registerGradient`, once per engine (tfjs warns if a kernel's gradient is
 *   registered twice, and keeps the later one).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * tf.registerGradient(conv3dTransposeGradient(tf));
 *
 * const filter = tf.variable(tf.randomNormal<tf.Rank.R5>([3, 3, 3, 4, 8]));   // [kD, kH, kW, outC, inC]
 * const x = tf.randomNormal<tf.Rank.R5>([1, 4, 4, 4, 8]);
 * const target = tf.zeros([1, 8, 8, 8, 4]);
 * tf.train.sgd(0.01).minimize(() =>
 *   tf.losses.meanSquaredError(target, tf.conv3dTranspose(x, filter, [1, 8, 8, 8, 4], 2, 'same')));
 */
export function conv3dTransposeGradient(tf: TfLike): tfc.GradConfig {
  return {
    kernelName: TRANSPOSE_KERNEL,
    inputsToSave: ['dy', 'filter'],
    // The kernel is the input gradient of a convolution: with C(x, w) = conv3d(x, w, strides, pad) and
    // x of shape inputShape, it computes y = Cᵀ(dy, w), the adjoint of the linear map x ↦ C(x, w) applied
    // to dy, so <C(x, w), dy> = <x, Cᵀ(dy, w)> for all x, dy, w.
    // y is linear in dy and in w, so for an upstream gradient g (shape inputShape):
    //   ∂<g, y>/∂dy = ∂<C(g, w), dy>/∂dy = C(g, w) = conv3d(g, w): g takes the role of the
    //     convolution's input, and the result has dy's shape.
    //   ∂<g, y>/∂w = ∂<C(g, w), dy>/∂w = the filter gradient of the convolution whose input is g and whose
    //     upstream gradient is dy, which is Conv3DBackpropFilterV2 with x = g.
    // The kernel has no dilations (always 1), so conv3d and the filter kernel see the same geometry.
    gradFunc: (g, saved, attrs) => {
      const [dy, filter] = saved as [tfc.Tensor5D, tfc.Tensor5D];
      const { strides, pad } = attrs as unknown as tfc.Conv3DBackpropInputV2Attrs;
      const upstream = g as tfc.Tensor5D;
      return {
        dy: () => tf.conv3d(upstream, filter, strides, pad),
        // tfjs-core has a conv3DBackpropFilter op but leaves it out of its public namespace, so this runs the
        // kernel behind it, which the CPU and WebGL backends register alongside Conv3DBackpropInputV2.
        filter: () => {
          const attrsOut: tfc.Conv3DBackpropFilterV2Attrs = { strides, pad, filterShape: [...filter.shape] };
          return tf.engine().runKernel(FILTER_KERNEL, { x: upstream, dy },
            attrsOut as unknown as tfc.NamedAttrMap) as tfc.Tensor5D;
        },
      };
    },
  };
}
