/**
 * Blocks of consecutive elements in one JS array that holds both small integers and table values,
 * so that a lookup finds a value in the same block as the bits that lead to it.
 * A freed block goes on the free list of its size and is reused only for that size; the first
 * element of a free block holds the offset of the next free block of that size (0 ends the list).
 * Element 0 is never allocated: offset 0 means "none".
 */
export class BlockPool {
  /** Replaced by a larger copy when the pool grows: read it again after alloc(). */
  data: unknown[];
  /** Elements handed out so far (the high-water mark). */
  used = 1;
  /** Elements in free blocks. */
  unused = 0;
  private readonly freeHeads: number[];

  constructor(maxBlock: number, capacity = 1024) {
    this.data = new Array<unknown>(capacity).fill(0);
    this.freeHeads = new Array<number>(maxBlock + 1).fill(0);
  }

  /** Offset of a new block of `size` elements (their content is unspecified). */
  alloc(size: number): number {
    const head = this.freeHeads[size]!;
    if (head !== 0) {
      this.freeHeads[size] = this.data[head] as number;
      this.unused -= size;
      return head;
    }
    const at = this.used;
    this.used += size;
    if (this.used > this.data.length) {
      // A new array of the size wanted: growing one by push would leave up to half of it unused.
      const grown = new Array<unknown>(Math.max(this.used, Math.ceil(this.data.length * 1.25))).fill(0);
      for (let i = 0; i < this.data.length; i++) grown[i] = this.data[i];
      this.data = grown;
    }
    return at;
  }

  /** Releases a block, dropping the values it held. */
  free(at: number, size: number): void {
    const d = this.data;
    d[at] = this.freeHeads[size];
    for (let i = 1; i < size; i++) d[at + i] = 0;
    this.freeHeads[size] = at;
    this.unused += size;
  }
}
