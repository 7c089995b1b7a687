// The one round-trip check every codec goes through (after dns-packet's tests):
// encode, decode, re-encode, length, and encoding at an offset inside a larger buffer.
import assert from 'node:assert/strict';
import type { Codec } from '../../src/packet/index.js';

const SENTINEL = 0xa5;
const PAD = 7;

export interface RoundTripOptions {
  /**
   * The value is in decoded form (the default), so decoding gives it back exactly.
   * Set false for values that decode to a normalised form (explicit zero reserved
   * fields, lengths and checksums left for the encoder to compute).
   */
  exact?: boolean;
}

/** Checks the codec round-trips value; returns its encoding. */
export function assertRoundTrip<T>(codec: Codec<T>, value: T, { exact = true }: RoundTripOptions = {}): Buffer {
  const bytes = codec.encode(value);
  assert.equal(bytes.length, codec.encodingLength(value), 'encodingLength matches the encoding');

  const decoded = codec.decode(bytes);
  assert.equal(decoded.bytes, bytes.length, 'decode consumes every byte');
  if (exact) assert.deepStrictEqual(decoded.value, value, 'decode gives the value back');
  assert.deepStrictEqual(codec.encode(decoded.value), bytes, 're-encoding the decoded value gives the same bytes');

  // One normalisation reaches a fixed point.
  const again = codec.decode(codec.encode(decoded.value));
  assert.deepStrictEqual(again.value, decoded.value, 'the decoded value re-decodes to itself');

  // At an offset, between sentinels: messages read to the end of the buffer, so
  // decoding gets a view that ends where the encoding does.
  const big = Buffer.alloc(PAD + bytes.length + PAD, SENTINEL);
  assert.equal(codec.encode(value, big, PAD), big, 'encode into a given buffer returns it');
  assert.deepStrictEqual(big.subarray(PAD, PAD + bytes.length), bytes, 'same bytes at an offset');
  assert.deepStrictEqual(big.subarray(0, PAD), Buffer.alloc(PAD, SENTINEL), 'bytes before the offset untouched');
  assert.deepStrictEqual(big.subarray(PAD + bytes.length), Buffer.alloc(PAD, SENTINEL), 'bytes after the encoding untouched');
  const atOffset = codec.decode(big.subarray(0, PAD + bytes.length), PAD);
  assert.equal(atOffset.bytes, bytes.length, 'decode at an offset consumes the encoding');
  assert.deepStrictEqual(atOffset.value, decoded.value, 'decode at an offset gives the same value');
  return bytes;
}
