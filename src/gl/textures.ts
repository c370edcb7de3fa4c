// Array textures laid out by the layout manager, in the backend's storage format: creation, upload and
// asynchronous readback.
import * as twgl from 'twgl.js';
import { isLayered, texelCount, type TextureLayout } from '../layout.js';
import type { BackendStats } from './stats.js';
import { uploadView, type StorageFormat } from './storage.js';
import { ConvTranspose3dError } from '../errors.js';

/** A texture, the layout of its texels and its storage format. */
export interface LayoutTexture {
  texture: WebGLTexture;
  layout: TextureLayout;
  format: StorageFormat;
  bytes: number;
}

/** The texture target of a layout: an array texture only when it has several layers (see {@link isLayered}). */
function layoutTarget(gl: WebGL2RenderingContext, layout: TextureLayout): number {
  return isLayered(layout) ? gl.TEXTURE_2D_ARRAY : gl.TEXTURE_2D;
}

/**
 * Attaches layer `layer` of `t` (layer 0 of a plain 2-D texture) to `attachment` of the bound framebuffer.
 *
 * @example
 * attachLayer(gl, gl.COLOR_ATTACHMENT0, t, 0);
 */
export function attachLayer(gl: WebGL2RenderingContext, attachment: number, t: LayoutTexture, layer: number): void {
  if (isLayered(t.layout)) gl.framebufferTextureLayer(gl.FRAMEBUFFER, attachment, t.texture, 0, layer);
  else gl.framebufferTexture2D(gl.FRAMEBUFFER, attachment, gl.TEXTURE_2D, t.texture, 0);
}

/**
 * Makes a texture for `layout` (see {@link layoutTarget}) in `format`, filled with `texels` (4 floats per texel) or
 * left undefined (for render targets).
 *
 * @example
 * const t = createLayoutTexture(gl, stats, storageFormat(gl, 'float32'), layout, packActivation(x, shape5, layout));
 */
export function createLayoutTexture(gl: WebGL2RenderingContext, stats: BackendStats, format: StorageFormat,
  layout: TextureLayout, texels?: Float32Array): LayoutTexture {
  const texture = twgl.createTexture(gl, {
    target: layoutTarget(gl, layout), internalFormat: format.internalFormat, format: format.format, type: format.type,
    width: layout.width, height: layout.height, ...(isLayered(layout) ? { depth: layout.layers } : {}),
    src: texels ? uploadView(format, texels) : null,
    minMag: gl.NEAREST, wrap: gl.CLAMP_TO_EDGE, auto: false,
  } as twgl.TextureOptions);
  const bytes = texelCount(layout) * format.texelBytes;
  stats.textures++;
  stats.textureBytes += bytes;
  return { texture, layout, format, bytes };
}

/**
 * Deletes a texture made by {@link createLayoutTexture} and takes it off the counters.
 *
 * @example
 * deleteLayoutTexture(gl, stats, t);
 */
export function deleteLayoutTexture(gl: WebGL2RenderingContext, stats: BackendStats,
  t: { texture: WebGLTexture; bytes: number }): void {
  gl.deleteTexture(t.texture);
  stats.textures--;
  stats.textureBytes -= t.bytes;
}

/** Replaces the contents of `t` with `texels` (4 floats per texel). */
export function uploadLayoutTexture(gl: WebGL2RenderingContext, t: LayoutTexture, texels: Float32Array): void {
  const { layout, format } = t;
  const target = layoutTarget(gl, layout);
  gl.bindTexture(target, t.texture);
  gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
  if (target === gl.TEXTURE_2D) {
    gl.texSubImage2D(target, 0, 0, 0, layout.width, layout.height, format.format, format.type, uploadView(format,
      texels));
  } else {
    gl.texSubImage3D(target, 0, 0, 0, 0, layout.width, layout.height, layout.layers, format.format, format.type,
      uploadView(format, texels));
  }
  gl.bindTexture(target, null);
}

/** Yields to the event loop for one task, without setTimeout's 4 ms clamp on nested calls. */
function nextTask(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Resolves after about `ms` milliseconds. The timer is set from a message task, not from the previous timer's
 * task: browsers clamp timers nested five deep to ≥ 4 ms, which added up to 4 ms to every short read.
 */
async function sleep(ms: number): Promise<void> {
  await nextTask();
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves once the GPU has finished everything submitted to `gl` so far: a fence, polled once per task for the
 * first 4 ms (most small calls finish by then), then at intervals of an eighth of the time waited so far (at most
 * 8 ms). Each poll is a synchronous call into Chromium's GPU process, and polling every task slows long work being
 * waited for; the intervals cost at most an eighth of the wait in latency (docs/performance.md).
 */
export async function waitForGpu(gl: WebGL2RenderingContext, isLost: () => boolean = () => gl.isContextLost()):
  Promise<void> {
  const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
  if (!sync) {
    throw new ConvTranspose3dError('conv_transpose3d: fenceSync failed (is the WebGL context lost?)', 'context-lost');
  }
  gl.flush();
  const start = performance.now();
  try {
    for (;;) {
      if (isLost()) {
        throw new ConvTranspose3dError('conv_transpose3d: the WebGL context was lost while waiting for the GPU',
          'context-lost');
      }
      const status = gl.clientWaitSync(sync, 0, 0);
      if (status === gl.ALREADY_SIGNALED || status === gl.CONDITION_SATISFIED) return;
      if (status === gl.WAIT_FAILED) {
        throw new ConvTranspose3dError('conv_transpose3d: waiting for the GPU failed', 'gpu-failure');
      }
      const waited = performance.now() - start;
      await (waited < 4 ? nextTask() : sleep(Math.min(waited / 8, 8)));
    }
  } finally {
    gl.deleteSync(sync);
  }
}

/**
 * Reads every layer of `t` back without blocking the main thread: readPixels into a PIXEL_PACK_BUFFER, a fence,
 * polled once per task, then one getBufferSubData. Resolves to the texels (4 floats each, layer-major), as float32
 * whatever the storage (float16 values widen exactly). `options.guard` runs each stretch of GL calls (a backend on a
 * shared context saves and restores the owner's state around them).
 */
export async function readLayoutTexture(gl: WebGL2RenderingContext, t: LayoutTexture, isLost: () => boolean,
  { guard = (work) => work() }: { guard?: <T>(work: () => T) => T } = {}): Promise<Float32Array> {
  const { width, height, layers } = t.layout;
  const layerFloats = width * height * 4;
  const buffer = gl.createBuffer();
  const fb = gl.createFramebuffer();
  try {
    guard(() => {
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
      gl.bufferData(gl.PIXEL_PACK_BUFFER, layerFloats * layers * 4, gl.STREAM_READ);
      gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
      for (let layer = 0; layer < layers; layer++) {
        attachLayer(gl, gl.COLOR_ATTACHMENT0, t, layer);
        gl.readPixels(0, 0, width, height, t.format.format, t.format.type, layer * layerFloats * 4);
      }
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    });
    await waitForGpu(gl, isLost);
    const out = new Float32Array(layerFloats * layers);
    guard(() => {
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
      // uint32 storage reads back the float32 bit patterns: the same bytes, so one buffer serves every mode.
      gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, uploadView(t.format, out));
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    });
    return out;
  } finally {
    gl.deleteFramebuffer(fb);
    gl.deleteBuffer(buffer);
  }
}
