// Base64 to bytes with atob, in browsers and Node alike (the CPU engine's kernel ships as base64 text).

/** The bytes a base64 string encodes. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}
