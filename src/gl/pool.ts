// Reuses textures of the same size across calls, so that steady-state work allocates nothing. Idle textures are
// kept up to a byte budget, oldest freed first.
import type { TextureLayout } from '../layout.js';
import type { BackendStats } from './stats.js';
import type { StorageFormat } from './storage.js';
import { createLayoutTexture, deleteLayoutTexture, uploadLayoutTexture, type LayoutTexture } from './textures.js';

function sizeKey(l: TextureLayout): string {
  return `${l.width}x${l.height}x${l.layers}`;
}

/** Default budget for idle textures: 256 MiB. */
export const DEFAULT_POOL_BYTES = 256 * 2 ** 20;

export class TexturePool {
  private readonly idle = new Map<string, WebGLTexture[]>();
  /** Idle textures in release order, for trimming. */
  private readonly order: Array<{ key: string; texture: WebGLTexture; bytes: number }> = [];

  constructor(private readonly gl: WebGL2RenderingContext, private readonly stats: BackendStats,
    private readonly format: StorageFormat, private readonly budgetBytes = DEFAULT_POOL_BYTES) {}

  /** A texture for `layout`, reused when one of the same size is idle (its contents are then undefined). */
  acquire(layout: TextureLayout, texels?: Float32Array): LayoutTexture {
    const key = sizeKey(layout);
    const texture = this.idle.get(key)?.pop();
    if (!texture) return createLayoutTexture(this.gl, this.stats, this.format, layout, texels);
    const i = this.order.findIndex((e) => e.texture === texture);
    const [entry] = this.order.splice(i, 1);
    this.stats.pooledTextures--;
    this.stats.pooledBytes -= entry.bytes;
    const t = { texture, layout, format: this.format, bytes: entry.bytes };
    if (texels) uploadLayoutTexture(this.gl, t, texels);
    return t;
  }

  /** Gives a texture back for reuse. */
  release(t: LayoutTexture): void {
    const key = sizeKey(t.layout);
    const { bytes } = t;
    (this.idle.get(key) ?? this.idle.set(key, []).get(key)!).push(t.texture);
    this.order.push({ key, texture: t.texture, bytes });
    this.stats.pooledTextures++;
    this.stats.pooledBytes += bytes;
    while (this.stats.pooledBytes > this.budgetBytes && this.order.length) this.evict(this.order[0]);
  }

  private evict(entry: { key: string; texture: WebGLTexture; bytes: number }): void {
    this.order.splice(this.order.indexOf(entry), 1);
    const list = this.idle.get(entry.key)!;
    list.splice(list.indexOf(entry.texture), 1);
    this.stats.pooledTextures--;
    this.stats.pooledBytes -= entry.bytes;
    deleteLayoutTexture(this.gl, this.stats, entry);
  }

  /** Frees every idle texture. */
  clear(): void {
    while (this.order.length) this.evict(this.order[0]);
  }
}
