// Where buffers go in the CPU engine's WebAssembly memory: a first-fit allocator over byte addresses, kept on the
// main thread (the workers only compute at the addresses they are given). Pure bookkeeping: it never touches memory.

/** Every block starts on a 64-byte boundary (a cache line; 16 would do for SIMD loads). */
export const ALIGN = 64;

/** A first-fit allocator of the addresses [base, limit), grown on demand by whole pages up to `limit`. */
export class Heap {
  /** Free blocks, sorted by address, never adjacent (merged when freed). */
  private readonly free: Array<{ at: number; size: number }> = [];
  private readonly sizes = new Map<number, number>();
  /** The end of the memory handed out so far (the rest of the memory up to `limit` is not yet grown). */
  private top: number;
  /** Bytes in live blocks. */
  used = 0;

  constructor(readonly base: number, readonly limit: number) {
    this.top = base;
  }

  /** The end of the highest block handed out: the memory must be at least this large. */
  get end(): number {
    return this.top;
  }

  /**
   * A block of at least `bytes` (at least 1), or null when it does not fit below `limit`.
   *
   * @example
   * const heap = new Heap(65536, 2 ** 31);
   * const at = heap.alloc(1000); // 65536
   */
  alloc(bytes: number): number | null {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    const i = this.free.findIndex((b) => b.size >= size);
    let at: number;
    if (i >= 0) {
      const block = this.free[i];
      at = block.at;
      if (block.size === size) this.free.splice(i, 1);
      else { block.at += size; block.size -= size; }
    } else {
      // A free block at the top grows in place.
      const last = this.free[this.free.length - 1];
      const start = last && last.at + last.size === this.top ? last.at : this.top;
      if (start + size > this.limit) return null;
      if (start !== this.top) this.free.pop();
      at = start;
      this.top = start + size;
    }
    this.sizes.set(at, size);
    this.used += size;
    return at;
  }

  /** Frees a block `alloc` returned (freeing another address throws). */
  release(at: number): void {
    const size = this.sizes.get(at);
    if (size === undefined) throw new Error(`Heap.release: ${at} is not a live block`);
    this.sizes.delete(at);
    this.used -= size;
    let i = this.free.findIndex((b) => b.at > at);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { at, size });
    // Merge with the next block, then with the previous.
    const next = this.free[i + 1];
    if (next && at + size === next.at) { this.free[i].size += next.size; this.free.splice(i + 1, 1); }
    const prev = this.free[i - 1];
    if (prev && prev.at + prev.size === at) { prev.size += this.free[i].size; this.free.splice(i, 1); }
  }

  /** Live blocks. */
  get blocks(): number {
    return this.sizes.size;
  }
}
