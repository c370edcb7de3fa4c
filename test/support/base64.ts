// Tensors as JSON across a driver boundary: shape plus base64 of the little-endian float32 bytes. Uses atob/btoa,
// so it runs in browsers (the test harness, the playground's test hooks) as well as in Node.
import type { Tensor } from '../../src/types';

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
  const bin = atob(t.data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return { shape: t.shape, data: new Float32Array(bytes.buffer) };
}
