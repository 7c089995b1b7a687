// The properties every byte string must have. Decoders give a value or a LispDecodeError
// (anything else thrown here is a finding); decodeMessage and message.decode agree; a
// decoded message re-encodes to the same bytes and value, and prints; verifyMessage
// (which a Map-Server runs on untrusted bytes) answers true or false.
import assert from 'node:assert/strict';
import {
  dataHeader,
  dataPacket,
  DATA_HEADER_LENGTH,
  decodeMessage,
  encodeMessage,
  formatDataHeader,
  formatMessage,
  LispDecodeError,
  message,
  toJsonValue,
  verifyMessage,
  type LispErrorCode,
} from '../../src/packet/index.js';

/** What decodeMessage made of an input. */
export type Verdict = 'decoded' | LispErrorCode;

/** fn's value, or the LispDecodeError it threw; any other throw goes on up. */
function attempt<T>(fn: () => T): T | LispDecodeError {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LispDecodeError) return e;
    throw e;
  }
}

function checkError(e: LispDecodeError, input: Buffer): void {
  assert.match(e.code, /^ERR_LISP_[A-Z_]+$/);
  assert.ok(Number.isInteger(e.messageType) && e.messageType >= -1 && e.messageType <= 15, `message type ${e.messageType}`);
  assert.ok(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= input.length, `offset ${e.offset} outside 0..${input.length}`);
}

/** dataHeader and dataPacket: a value or a LispDecodeError, and exact re-encoding. */
function checkDataPlane(input: Buffer): void {
  const h = attempt(() => dataHeader.decode(input));
  if (h instanceof LispDecodeError) {
    checkError(h, input);
    assert.ok(input.length < DATA_HEADER_LENGTH, `data header of ${input.length} bytes rejected: ${h.message}`);
  } else {
    assert.equal(h.bytes, DATA_HEADER_LENGTH);
    assert.ok(dataHeader.encode(h.value).equals(input.subarray(0, DATA_HEADER_LENGTH)), 'data header re-encodes to different bytes');
    formatDataHeader(h.value);
  }
  const p = attempt(() => dataPacket.decode(input));
  if (p instanceof LispDecodeError) {
    checkError(p, input);
    return;
  }
  assert.ok(!(h instanceof LispDecodeError), 'dataPacket accepts what dataHeader rejects');
  assert.deepStrictEqual(p.value.header, h.value, 'dataPacket and dataHeader read different headers');
  assert.equal(p.bytes, input.length, 'dataPacket stopped before the end');
  assert.ok(dataPacket.encode(p.value).equals(input), 'data packet re-encodes to different bytes');
}

export function checkInput(input: Buffer): Verdict {
  checkDataPlane(input);
  assert.equal(typeof verifyMessage(input, 'fuzz-key'), 'boolean');
  const result = decodeMessage(input);
  const thrown = attempt(() => message.decode(input));
  if (result instanceof LispDecodeError) {
    checkError(result, input);
    assert.ok(thrown instanceof LispDecodeError && thrown.code === result.code, 'message.decode accepts what decodeMessage rejects');
    return result.code;
  }
  if (thrown instanceof LispDecodeError) assert.fail(`message.decode rejects what decodeMessage accepts: ${thrown.message}`);
  assert.equal(result.bytes, input.length, 'decodeMessage stopped before the end');
  const again = encodeMessage(result.value);
  assert.deepStrictEqual(message.decode(again).value, result.value, 're-encoded message decodes to a different value');
  assert.ok(again.equals(input), `message re-encodes to different bytes: ${again.toString('hex')}`);
  formatMessage(result.value);
  JSON.stringify(toJsonValue(result.value));
  return 'decoded';
}
