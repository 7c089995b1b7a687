// Every LISP control message, dispatched on the 4-bit type (RFC 9301 section 5.1).
import { MessageAuth } from './auth.js';
import { makeCodec, messageCodec, type Codec, type Decoded, type Parts } from './codec.js';
import { MESSAGE_TYPE_CODES } from './constants.js';
import { ecmLength, readEcm, writeEcm, type Ecm, type InnerCodec } from './ecm.js';
import { LispDecodeError } from './errors.js';
import { infoLength, readInfo, writeInfo, type InfoMessage } from './info.js';
import { mapReferralLength, readMapReferral, writeMapReferral, type MapReferral } from './map-referral.js';
import {
  mapNotifyLength,
  mapRegisterLength,
  readMapNotify,
  readMapRegister,
  writeMapNotify,
  writeMapRegister,
  type MapNotify,
  type MapRegister,
} from './map-register.js';
import { mapReplyLength, readMapReply, writeMapReply, type MapReply } from './map-reply.js';
import { mapRequestLength, readMapRequest, writeMapRequest, type MapRequest } from './map-request.js';
import { Reader } from './reader.js';
import { readSharedExtension, sharedExtensionLength, writeSharedExtension, type SharedExtension } from './shared-extension.js';

export type LispMessage = MapRequest | MapReply | MapRegister | MapNotify | MapReferral | InfoMessage | Ecm | SharedExtension;
export type MessageType = LispMessage['type'];

/** ECMs inside ECMs are legal but never deep; this bounds the recursion. */
const MAX_ECM_DEPTH = 4;

function readNestedEcm(r: Reader): Ecm {
  if (r.ecmDepth >= MAX_ECM_DEPTH) r.fail('ERR_LISP_TOO_DEEP', `ECMs nested deeper than ${MAX_ECM_DEPTH}`);
  r.ecmDepth++;
  try {
    return readEcm(r, inner);
  } finally {
    r.ecmDepth--;
  }
}

function readMessage(r: Reader): LispMessage {
  r.need(1, 'LISP message type');
  const type = r.buf[r.pos]! >>> 4;
  r.msgType = type;
  switch (type) {
    case MESSAGE_TYPE_CODES['map-request']:
      return readMapRequest(r);
    case MESSAGE_TYPE_CODES['map-reply']:
      return readMapReply(r);
    case MESSAGE_TYPE_CODES['map-register']:
      return readMapRegister(r);
    case MESSAGE_TYPE_CODES['map-notify']:
    case MESSAGE_TYPE_CODES['map-notify-ack']:
      return readMapNotify(r);
    case MESSAGE_TYPE_CODES['map-referral']:
      return readMapReferral(r);
    case MESSAGE_TYPE_CODES.info:
      return readInfo(r);
    case MESSAGE_TYPE_CODES.ecm:
      return readNestedEcm(r);
    case MESSAGE_TYPE_CODES['shared-extension']:
      return readSharedExtension(r);
    default:
      return r.fail('ERR_LISP_UNKNOWN_TYPE', `unknown LISP message type ${type}`);
  }
}

function writeMessage(m: LispMessage, buf: Buffer, off: number): number {
  switch (m.type) {
    case 'map-request':
      return writeMapRequest(m, buf, off);
    case 'map-reply':
      return writeMapReply(m, buf, off);
    case 'map-register':
      return writeMapRegister(m, buf, off);
    case 'map-notify':
    case 'map-notify-ack':
      return writeMapNotify(m, buf, off);
    case 'map-referral':
      return writeMapReferral(m, buf, off);
    case 'info':
      return writeInfo(m, buf, off);
    case 'ecm':
      return writeEcm(m, buf, off, inner);
    case 'shared-extension':
      return writeSharedExtension(m, buf, off);
  }
}

function messageLength(m: LispMessage): number {
  switch (m.type) {
    case 'map-request':
      return mapRequestLength(m);
    case 'map-reply':
      return mapReplyLength(m);
    case 'map-register':
      return mapRegisterLength(m);
    case 'map-notify':
    case 'map-notify-ack':
      return mapNotifyLength(m);
    case 'map-referral':
      return mapReferralLength(m);
    case 'info':
      return infoLength(m);
    case 'ecm':
      return ecmLength(m, inner);
    case 'shared-extension':
      return sharedExtensionLength(m);
  }
}

const inner: InnerCodec = { read: readMessage, write: writeMessage, length: messageLength };
const parts: Parts<LispMessage> = inner;

/** The codec of any LISP control message; decode reads to the end of the buffer and throws LispDecodeError. */
export const message: Codec<LispMessage> = makeCodec(parts, 0);

/**
 * Decodes one control message that fills buf[offset, end). Total: returns the
 * message or the LispDecodeError that says where and why, never throws.
 */
export function decodeMessage(buf: Buffer, offset = 0, end = buf.length): Decoded<LispMessage> | LispDecodeError {
  const r = new Reader(buf, offset, end, 0);
  try {
    return { value: readMessage(r), bytes: r.pos - offset };
  } catch (e) {
    if (e instanceof LispDecodeError) return e;
    throw e;
  }
}

/** The ECM codec (its inner message goes through the message codec). */
export const ecm = messageCodec<Ecm>(
  { read: readNestedEcm, write: (e, buf, off) => writeEcm(e, buf, off, inner), length: (e) => ecmLength(e, inner) },
  MESSAGE_TYPE_CODES.ecm,
);

export const encodeMessage = message.encode;
export const messageEncodingLength = message.encodingLength;

/** Encodes a message with the full auth data of its algorithm (its authData is ignored) and signs it. */
export function encodeAuthenticated(m: MapRegister | MapNotify | InfoMessage, key: string | Buffer): Buffer {
  const auth = new MessageAuth(m.algorithmId, key);
  const buf = encodeMessage({ ...m, authData: Buffer.alloc(auth.digestLength) });
  auth.sign(buf);
  return buf;
}
