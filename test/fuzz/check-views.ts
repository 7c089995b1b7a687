// The properties of the packet layer's in-place readers (src/packet/map-request-view.ts and
// map-register-view.ts), which the Map-Server workers run on untrusted datagrams, on the hot path,
// without the packet codec:
// - scanEcmRequest (ECM Map-Requests answered from the replica), and, on what the worker takes
//   for a Map-Register (isMapRegister), fingerprintHash and etrIdOf;
// - none throws, none reads outside the datagram's [start, end) (the same answer whatever bytes
//   surround it, and at any start offset), every offset a view gives lies inside it;
// - what they read agrees with the packet codec: a scanned request decodes to the same fields; a
//   fingerprint hash is -1 exactly when fingerprintOf refuses the message, else the hash of its
//   fingerprint; the ETR id is the xTR-ID in hex (of a Map-Register that decodes with one) or the
//   source address.
import assert from 'node:assert/strict';
import { decodeMessage, formatIpv4, formatIpv6, LispDecodeError, type Ecm, type MapRegister, type MapRequest } from '../../src/packet/index.js';
import { eidPrefixOf, formatPrefix, makePrefix } from '../../src/table/index.js';
import { etrIdOf, fingerprintHash, fingerprintOf, hashOf, hasFingerprint, isMapRegister } from '../../src/packet/map-register-view.js';
import { scanEcmRequest, type RequestView } from '../../src/packet/map-request-view.js';

/** What the in-place readers made of an input. */
export type ReaderVerdict = 'ecm-request-read' | 'map-register-read' | 'map-register-short' | 'other';

const SOURCE = '192.0.2.9';

/** The input at offset pad of a larger buffer whose other bytes are fill. */
function framed(input: Buffer, pad: number, fill: number): Buffer {
  const b = Buffer.alloc(pad + input.length + 7, fill);
  input.copy(b, pad);
  return b;
}

/** A view's offsets taken relative to its start, comparable between framings. */
const relative = (v: RequestView | undefined, start: number) =>
  v && { ...v, nonceAt: v.nonceAt - start, itrAt: v.itrAt - start, eidAt: v.eidAt - start };

/** What the scan read, checked against the codec's decoding of the same bytes. */
export function scanAgreesWithCodec(buf: Buffer, view: RequestView, itrV6: boolean): void {
  const r = decodeMessage(buf);
  assert.ok(!(r instanceof LispDecodeError), `the scan read what the codec refuses (${r instanceof LispDecodeError ? r.code : ''})`);
  assert.equal(r.value.type, 'ecm');
  const ecm = r.value as Ecm;
  assert.equal(ecm.message.type, 'map-request');
  const m = ecm.message as MapRequest;
  assert.equal(ecm.udp.sport, view.replyPort);
  assert.equal(buf.readBigUInt64BE(view.nonceAt), m.nonce);
  const itr = m.itrRlocs.find((a) => a.afi === (itrV6 ? 'ipv6' : 'ipv4'));
  assert.ok(itr?.afi === 'ipv4' || itr?.afi === 'ipv6', 'the codec sees an ITR-RLOC of the family');
  assert.equal(itrV6 ? formatIpv6(buf, view.itrAt) : formatIpv4(buf, view.itrAt), itr.address);
  const eid = eidPrefixOf(m.records[0]!.eid, m.records[0]!.maskLen);
  assert.ok(eid, 'the codec sees an EID prefix');
  const scanned = makePrefix(view.v6 ? 'ipv6' : 'ipv4', buf.subarray(view.eidAt, view.eidAt + (view.v6 ? 16 : 4)), view.maskLen, view.iid);
  assert.equal(formatPrefix(scanned), formatPrefix(eid));
}

function checkScan(input: Buffer, itrV6: boolean): boolean {
  const alone = scanEcmRequest(input, 0, input.length, itrV6);
  const view = alone && { ...alone };
  for (const [pad, fill] of [
    [3, 0x00],
    [11, 0xff],
  ] as const) {
    const b = framed(input, pad, fill);
    assert.deepStrictEqual(relative(scanEcmRequest(b, pad, pad + input.length, itrV6), pad), view, `scanEcmRequest (itrV6 ${itrV6}) reads outside [start, end) or depends on start`);
  }
  if (!view) return false;
  for (const at of [view.nonceAt, view.nonceAt + 7, view.itrAt, view.itrAt + (itrV6 ? 15 : 3), view.eidAt, view.eidAt + (view.v6 ? 15 : 3)]) {
    assert.ok(at >= 0 && at < input.length, `a view offset ${at} outside the datagram of ${input.length} bytes`);
  }
  scanAgreesWithCodec(input, view, itrV6);
  return true;
}

function checkRegister(input: Buffer): boolean {
  const hash = fingerprintHash(input, 0, input.length);
  const id = etrIdOf(input, 0, input.length, SOURCE);
  for (const [pad, fill] of [
    [5, 0x00],
    [13, 0xff],
  ] as const) {
    const b = framed(input, pad, fill);
    assert.equal(fingerprintHash(b, pad, pad + input.length), hash, 'fingerprintHash reads outside [start, end)');
    assert.equal(etrIdOf(b, pad, pad + input.length, SOURCE), id, 'etrIdOf reads outside [start, end)');
  }
  let fingerprint: Buffer | undefined;
  try {
    fingerprint = fingerprintOf(input);
  } catch (e) {
    assert.ok(e instanceof RangeError, `fingerprintOf threw ${String(e)}`);
  }
  const decoded = decodeMessage(input);
  const register = !(decoded instanceof LispDecodeError) && decoded.value.type === 'map-register' ? (decoded.value as MapRegister) : undefined;
  if (!fingerprint) {
    assert.equal(hash, -1, 'a hash for a message fingerprintOf refuses');
    assert.equal(id, undefined, 'an ETR id for a message fingerprintOf refuses');
    assert.equal(register, undefined, 'the codec decodes a Map-Register the workers find too short');
    return false;
  }
  assert.equal(hash, hashOf(fingerprint));
  assert.ok(hasFingerprint(fingerprint, input, 0, input.length));
  assert.ok(id === SOURCE || /^[0-9a-f]{32}$/.test(id ?? ''), `ETR id ${id}`);
  if (register) {
    const xtrId = register.xtrId;
    assert.equal(id, xtrId === undefined ? SOURCE : xtrId.toString(16).padStart(32, '0'), 'the ETR id is not what the Map-Server keys the registration by');
  }
  return true;
}

/** Runs the in-place readers on input the way a Map-Server worker does; anything but an AssertionError-free run is a finding. */
export function checkInPlaceReaders(input: Buffer): ReaderVerdict {
  const v4 = checkScan(input, false);
  const v6 = checkScan(input, true);
  if (v4 || v6) return 'ecm-request-read';
  if (isMapRegister(input, 0, input.length)) return checkRegister(input) ? 'map-register-read' : 'map-register-short';
  return 'other';
}
