/**
 * Block pools of the IPv4 forwarding structure (ipv4-fib.ts). A block of `size` elements takes
 * capacity(size) of them: up to `exact` elements its size, above that its size rounded up to one of
 * 8 steps per power of two, so that a block that grows or shrinks a little keeps its place. A freed
 * block goes on the free list of its capacity; the first element of a free block holds the offset of
 * the next free block of that capacity (0 ends the list). Element 0 is never allocated: offset 0
 * means "none". The arrays are replaced by larger copies when a pool grows: read them again after
 * alloc().
 */

/** Runs: each run's value in one JS array (what a lookup reads), its mark in a parallel byte array. */
export class RunPool {
  vals: unknown[];
  marks: Uint8Array;
  /** Elements handed out so far (the high-water mark), and those in free blocks. */
  used = 1;
  unused = 0;
  private readonly freeHeads: Int32Array;

  /** Blocks hold at most maxBlock elements; those of at most `exact` take no more room than their size. */
  constructor(
    maxBlock: number,
    private readonly exact: number,
    capacity: number,
  ) {
    this.vals = new Array<unknown>(capacity).fill(undefined);
    this.marks = new Uint8Array(capacity);
    this.freeHeads = new Int32Array(this.capacity(maxBlock) + 1);
  }

  /** The elements a block of `size` takes. */
  capacity(size: number): number {
    if (size <= this.exact) return size;
    const step = 1 << (28 - Math.clz32(size));
    return (size + step - 1) & -step;
  }

  /** Offset of a new block of `size` runs (their content is unspecified). */
  alloc(size: number): number {
    const room = this.capacity(size);
    const head = this.freeHeads[room]!;
    if (head !== 0) {
      this.freeHeads[room] = this.vals[head] as number;
      this.unused -= room;
      return head;
    }
    const at = this.used;
    this.used += room;
    if (this.used > this.vals.length) {
      // A new array of the size wanted: growing one by push would leave up to half of it unused.
      const n = Math.max(this.used, Math.ceil(this.vals.length * 1.25));
      const vals = new Array<unknown>(n).fill(undefined);
      for (let i = 0; i < this.vals.length; i++) vals[i] = this.vals[i];
      const marks = new Uint8Array(n);
      marks.set(this.marks);
      this.vals = vals;
      this.marks = marks;
    }
    return at;
  }

  /** Releases a block of `size` runs, dropping the values it held. */
  free(at: number, size: number): void {
    const room = this.capacity(size);
    this.vals.fill(undefined, at, at + room);
    this.unused += room;
    this.vals[at] = this.freeHeads[room];
    this.freeHeads[room] = at;
  }
}

/** Small integers: node records and lists of child nodes (blocks of at most 64, each taking its size). */
export class IntPool {
  data: Int32Array;
  used = 1;
  unused = 0;
  private readonly freeHeads: Int32Array;

  constructor(maxBlock: number, capacity: number) {
    this.data = new Int32Array(capacity);
    this.freeHeads = new Int32Array(maxBlock + 1);
  }

  alloc(size: number): number {
    const head = this.freeHeads[size]!;
    if (head !== 0) {
      this.freeHeads[size] = this.data[head]!;
      this.unused -= size;
      return head;
    }
    const at = this.used;
    this.used += size;
    if (this.used > this.data.length) {
      const data = new Int32Array(Math.max(this.used, Math.ceil(this.data.length * 1.25)));
      data.set(this.data);
      this.data = data;
    }
    return at;
  }

  free(at: number, size: number): void {
    this.data[at] = this.freeHeads[size]!;
    this.freeHeads[size] = at;
    this.unused += size;
  }
}
