// Support code for the tests, the benchmark and the playground, not part of the published API: nothing in
// src/index.ts imports it. Tensors as JSON across a driver boundary (and in the golden files): shape plus base64 of
// the little-endian float32 bytes. Uses atob/btoa, so it runs in browsers and in Node alike.
import type { Tensor } from '../types.js';
import { base64ToBytes } from '../base64.js';

/** A tensor as JSON: its shape and the base64 of its float32 data. */
export interface Encoded { shape: number[]; data: string }

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  // In chunks: spreading a whole large array into fromCharCode overflows the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function encodeTensor(t: Tensor): Encoded {
  return { shape: t.shape, data: bytesToBase64(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)) };
}

export function decodeTensor(t: Encoded): Tensor {
  return { shape: t.shape, data: new Float32Array(base64ToBytes(t.data).buffer) };
}
