// Shared Extension Message (type 15), RFC 9304: | Type=15 | Sub-type (12) | extension data ... |
// Kept as opaque bytes after the sub-type.
import { checkUint, messageCodec } from './codec.js';
import { MESSAGE_TYPE_CODES } from './constants.js';
import type { Reader } from './reader.js';

export interface SharedExtension {
  type: 'shared-extension';
  subType: number;
  /** Everything after the first 16 bits. */
  body: Buffer;
}

export function readSharedExtension(r: Reader): SharedExtension {
  const subType = r.u16('Shared Extension header') & 0xfff;
  return { type: 'shared-extension', subType, body: r.bytes(r.left, 'extension data') };
}

export function writeSharedExtension(m: SharedExtension, buf: Buffer, off: number): number {
  buf.writeUInt16BE((MESSAGE_TYPE_CODES['shared-extension'] << 12) | checkUint(m.subType, 12, 'sub-type'), off);
  return off + 2 + m.body.copy(buf, off + 2);
}

export const sharedExtensionLength = (m: SharedExtension): number => 2 + m.body.length;

export const sharedExtension = messageCodec({ read: readSharedExtension, write: writeSharedExtension, length: sharedExtensionLength }, MESSAGE_TYPE_CODES['shared-extension']);
