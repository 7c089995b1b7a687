// Bits of keys: Int32Arrays of 32-bit words, most significant first.

/** A copy of key with only its first len bits. */
export function masked(key: Int32Array, len: number): Int32Array {
  const out = key.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = len - 32 * i;
    if (keep <= 0) out[i] = 0;
    else if (keep < 32) out[i] = out[i]! & (-1 << (32 - keep));
  }
  return out;
}

/** A copy of base (whose bits from depth on are 0) with chunk b placed after its first depth bits. */
export function withChunk(base: Int32Array, depth: number, b: number): Int32Array {
  const out = base.slice();
  const i = depth >>> 5;
  const o = depth & 31;
  if (i >= out.length - 1) return out;
  if (o <= 26) out[i] = out[i]! | (b << (26 - o));
  else {
    out[i] = out[i]! | (b >>> (o - 26));
    out[i + 1] = out[i + 1]! | (b << (58 - o));
  }
  return out;
}

/** Length of the common prefix of two keys, at most max. */
export function commonLength(a: Int32Array, b: Int32Array, max: number): number {
  for (let w = 0, n = 0; n < max; w++, n += 32) {
    const x = a[w]! ^ b[w]!;
    if (x !== 0) return Math.min(max, n + Math.clz32(x));
  }
  return max;
}

/** Length of the common prefix of two k-bit values. */
export function common(x: number, y: number, k: number): number {
  return x === y ? k : Math.clz32(x ^ y) - (32 - k);
}
