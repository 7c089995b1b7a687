// The 8-byte LISP data header in the hot path (the full codec is packet/data-header.ts):
//
//   |N|L|E|V|I|P|K|K|           Nonce (24)                          |
//   |        Instance ID (24)                       |     LSBs      |
//
// Loci sends N=1 with a fresh nonce, I=1 with the instance-id when it is not 0, and L=1 with the
// Locator-Status-Bits of its own RLOCs when it has any (8 bits beside an instance-id, else 32).
import { DATA_FLAGS, DATA_HEADER_LENGTH, DATA_KK } from '../packet/constants.js';

export const LISP_HEADER_LENGTH = DATA_HEADER_LENGTH;
/** The flags in the header's first byte. */
const N = DATA_FLAGS.n >>> 24;
const L = DATA_FLAGS.l >>> 24;
const I = DATA_FLAGS.i >>> 24;
/** P (LISP-GPE) or KK (encrypted): not a header Loci decapsulates. */
const NOT_DECAPSULATED = (DATA_FLAGS.p | DATA_KK) >>> 24;

export function writeLispHeader(buf: Uint8Array, at: number, nonce: number, iid: number, lsbs: number): void {
  buf[at] = N | (lsbs === 0 ? 0 : L) | (iid === 0 ? 0 : I);
  buf[at + 1] = (nonce >>> 16) & 0xff;
  buf[at + 2] = (nonce >>> 8) & 0xff;
  buf[at + 3] = nonce & 0xff;
  if (iid === 0) {
    buf[at + 4] = lsbs >>> 24;
    buf[at + 5] = (lsbs >>> 16) & 0xff;
    buf[at + 6] = (lsbs >>> 8) & 0xff;
  } else {
    buf[at + 4] = (iid >>> 16) & 0xff;
    buf[at + 5] = (iid >>> 8) & 0xff;
    buf[at + 6] = iid & 0xff;
  }
  buf[at + 7] = lsbs & 0xff;
}

/** The Locator-Status-Bits saying that all of count RLOCs are up (bit i for the i-th RLOC; 8 at most with an instance-id, else 32). */
export function allUp(count: number, iid: number): number {
  const bits = Math.min(count, iid === 0 ? 32 : 8);
  return bits === 32 ? 0xffffffff : (1 << bits) - 1;
}

/** The instance-id of a received header (0 without I), or -1 for a header Loci does not decapsulate (P: LISP-GPE, KK: encrypted). */
export function readInstanceId(buf: Uint8Array, at: number): number {
  const flags = buf[at]!;
  if (flags & NOT_DECAPSULATED) return -1;
  return flags & I ? (buf[at + 4]! << 16) | (buf[at + 5]! << 8) | buf[at + 6]! : 0;
}

/** xorshift32: nonces for the data header (not a secret; RFC 9300 only asks them to vary). */
export function nextNonce(state: Uint32Array): number {
  let x = state[0]!;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  state[0] = x;
  return x & 0xffffff;
}
