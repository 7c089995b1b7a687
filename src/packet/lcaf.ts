// LISP Canonical Address Format (AFI 16387), RFC 8060 / RFC 9306. After the AFI:
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |    Rsvd1      |     Flags     |     Type      |     Rsvd2     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |            Length (bytes after this field)                    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Types 1, 2, 7, 10, 12 and 14 are decoded; every other type is kept as opaque
// bytes that re-encode exactly. A known type whose body does not fill Length exactly is an error.
import type { Address } from './address.js';
import { checkUint, encodeError, type Parts } from './codec.js';
import { LCAF_TYPE } from './constants.js';
import { checkReserved } from './flags.js';
import type { Reader } from './reader.js';

/** Reserved header bytes: sent 0, kept when received so messages re-encode exactly. */
interface LcafHeader {
  rsvd1?: number;
  flags?: number;
}

export interface ElpHop {
  /** L: resolve this hop in the mapping system instead of encapsulating to it. */
  lookup: boolean;
  /** P: RLOC-probes may be sent to this hop. */
  probe: boolean;
  /** S: the hop must be used. */
  strict: boolean;
  /** The 13 reserved bits above L, P and S. */
  reserved?: number;
  address: Address;
}

export type Lcaf = LcafHeader &
  (
    | { type: 'afi-list'; rsvd2?: number; addresses: Address[] }
    | { type: 'instance-id'; instanceId: number; /** IID mask-len (Rsvd2); Cisco IOS-XE sends 32. */ maskLen: number; address: Address }
    | {
        type: 'nat-traversal';
        rsvd2?: number;
        msPort: number;
        etrPort: number;
        globalEtrRloc: Address;
        msRloc: Address;
        privateEtrRloc: Address;
        rtrRlocs: Address[];
      }
    | { type: 'elp'; rsvd2?: number; hops: ElpHop[] }
    | {
        type: 'source-dest';
        rsvd2?: number;
        reserved?: number;
        sourceMaskLen: number;
        destMaskLen: number;
        source: Address;
        dest: Address;
      }
    /** json: text (B = 0) as a string, binary JSON (B = 1) as bytes. rsvd2 holds the 7 bits above B. */
    | { type: 'json'; rsvd2?: number; json: string | Buffer; address: Address }
    | { type: 'opaque'; lcafType: number; rsvd2?: number; body: Buffer }
  );

const MAX_DEPTH = 8;

export function readLcaf(r: Reader, ap: Parts<Address>, what: string): Lcaf {
  if (r.lcafDepth >= MAX_DEPTH) r.fail('ERR_LISP_TOO_DEEP', `${what}: LCAFs nested deeper than ${MAX_DEPTH}`);
  r.lcafDepth++;
  try {
    return readLcafBody(r, ap, what);
  } finally {
    r.lcafDepth--;
  }
}

function readLcafBody(r: Reader, ap: Parts<Address>, what: string): Lcaf {
  const rsvd1 = r.u8(`${what} LCAF Rsvd1`);
  const flags = r.u8(`${what} LCAF flags`);
  const type = r.u8(`${what} LCAF type`);
  const rsvd2 = r.u8(`${what} LCAF Rsvd2`);
  const len = r.u16(`${what} LCAF length`);
  const b = r.sub(len, `${what} LCAF type ${type} body`);
  const head: LcafHeader = {};
  if (rsvd1) head.rsvd1 = rsvd1;
  if (flags) head.flags = flags;
  const r2 = rsvd2 ? { rsvd2 } : {};
  const all = (f: () => Address): Address[] => {
    const out: Address[] = [];
    while (b.left > 0) out.push(f());
    return out;
  };
  let l: Lcaf;
  switch (type) {
    case LCAF_TYPE['afi-list']:
      l = { ...head, type: 'afi-list', ...r2, addresses: all(() => ap.read(b)) };
      break;
    case LCAF_TYPE['instance-id']:
      l = { ...head, type: 'instance-id', instanceId: b.u32('instance-id'), maskLen: rsvd2, address: ap.read(b) };
      break;
    case LCAF_TYPE['nat-traversal']:
      l = {
        ...head,
        type: 'nat-traversal',
        ...r2,
        msPort: b.u16('MS UDP port'),
        etrPort: b.u16('ETR UDP port'),
        globalEtrRloc: ap.read(b),
        msRloc: ap.read(b),
        privateEtrRloc: ap.read(b),
        rtrRlocs: all(() => ap.read(b)),
      };
      break;
    case LCAF_TYPE.elp: {
      const hops: ElpHop[] = [];
      while (b.left > 0) {
        const f = b.u16('ELP hop flags');
        const hop: ElpHop = { lookup: (f & 4) !== 0, probe: (f & 2) !== 0, strict: (f & 1) !== 0, address: NONE };
        if (f >>> 3) hop.reserved = f >>> 3;
        hop.address = ap.read(b);
        hops.push(hop);
      }
      l = { ...head, type: 'elp', ...r2, hops };
      break;
    }
    case LCAF_TYPE['source-dest']: {
      const reserved = b.u16('source-dest reserved');
      l = {
        ...head,
        type: 'source-dest',
        ...r2,
        ...(reserved ? { reserved } : {}),
        sourceMaskLen: b.u8('source mask-len'),
        destMaskLen: b.u8('destination mask-len'),
        source: ap.read(b),
        dest: ap.read(b),
      };
      break;
    }
    case LCAF_TYPE.json: {
      const n = b.u16('JSON length');
      const raw = b.bytes(n, 'JSON');
      let json: string | Buffer = raw;
      if ((rsvd2 & 1) === 0) {
        json = raw.toString('utf8');
        if (!Buffer.from(json, 'utf8').equals(raw)) b.fail('ERR_LISP_BAD_LCAF', 'JSON LCAF text is not valid UTF-8');
      }
      const hi = rsvd2 & 0xfe;
      l = { ...head, type: 'json', ...(hi ? { rsvd2: hi } : {}), json, address: ap.read(b) };
      break;
    }
    default:
      l = { ...head, type: 'opaque', lcafType: type, ...r2, body: b.bytes(b.left, 'LCAF body') };
  }
  b.done(`LCAF type ${type} body`);
  return l;
}

const NONE: Address = { afi: 'none' };

function bodyLength(l: Lcaf, ap: Parts<Address>): number {
  const sum = (as: Address[]) => as.reduce((n, a) => n + ap.length(a), 0);
  switch (l.type) {
    case 'afi-list':
      return sum(l.addresses);
    case 'instance-id':
      return 4 + ap.length(l.address);
    case 'nat-traversal':
      return 4 + sum([l.globalEtrRloc, l.msRloc, l.privateEtrRloc, ...l.rtrRlocs]);
    case 'elp':
      return l.hops.reduce((n, h) => n + 2 + ap.length(h.address), 0);
    case 'source-dest':
      return 4 + ap.length(l.source) + ap.length(l.dest);
    case 'json':
      return 2 + jsonBytes(l.json).length + ap.length(l.address);
    case 'opaque':
      return l.body.length;
  }
}

function jsonBytes(j: string | Buffer): Buffer {
  if (typeof j !== 'string') return j;
  const b = Buffer.from(j, 'utf8');
  if (b.toString('utf8') !== j) encodeError('JSON LCAF text holds a lone surrogate');
  return b;
}

/** Bytes of the LCAF after its AFI: the 6-byte header and the body. */
export function lcafLength(l: Lcaf, ap: Parts<Address>): number {
  return 6 + bodyLength(l, ap);
}

function rsvd2Of(l: Lcaf): number {
  switch (l.type) {
    case 'instance-id':
      return checkUint(l.maskLen, 8, 'instance-id mask-len');
    case 'json':
      return checkReserved(l.rsvd2, 0xfe, 'JSON LCAF Rsvd2 (B comes from the json field)') | (typeof l.json === 'string' ? 0 : 1);
    default:
      return l.rsvd2 ?? 0;
  }
}

function typeOf(l: Lcaf): number {
  if (l.type !== 'opaque') return LCAF_TYPE[l.type];
  if (Object.values(LCAF_TYPE).some((t) => t === l.lcafType)) encodeError(`LCAF type ${l.lcafType} is decoded, so it cannot be sent opaque`);
  return checkUint(l.lcafType, 8, 'LCAF type');
}

/** Writes the LCAF (after its AFI) at off; returns the end offset. */
export function writeLcaf(l: Lcaf, buf: Buffer, off: number, ap: Parts<Address>): number {
  const len = bodyLength(l, ap);
  if (len > 0xffff) encodeError(`LCAF body of ${len} bytes exceeds 65535`);
  buf[off] = checkUint(l.rsvd1 ?? 0, 8, 'LCAF Rsvd1');
  buf[off + 1] = checkUint(l.flags ?? 0, 8, 'LCAF flags');
  buf[off + 2] = typeOf(l);
  buf[off + 3] = checkUint(rsvd2Of(l), 8, 'LCAF Rsvd2');
  buf.writeUInt16BE(len, off + 4);
  let p = off + 6;
  const put = (a: Address) => {
    p = ap.write(a, buf, p);
  };
  switch (l.type) {
    case 'afi-list':
      l.addresses.forEach(put);
      break;
    case 'instance-id':
      buf.writeUInt32BE(checkUint(l.instanceId, 32, 'instance-id'), p);
      p += 4;
      put(l.address);
      break;
    case 'nat-traversal':
      buf.writeUInt16BE(checkUint(l.msPort, 16, 'MS UDP port'), p);
      buf.writeUInt16BE(checkUint(l.etrPort, 16, 'ETR UDP port'), p + 2);
      p += 4;
      [l.globalEtrRloc, l.msRloc, l.privateEtrRloc, ...l.rtrRlocs].forEach(put);
      break;
    case 'elp':
      for (const h of l.hops) {
        const f = (checkUint(h.reserved ?? 0, 13, 'ELP hop reserved') << 3) | (h.lookup ? 4 : 0) | (h.probe ? 2 : 0) | (h.strict ? 1 : 0);
        buf.writeUInt16BE(f, p);
        p += 2;
        put(h.address);
      }
      break;
    case 'source-dest':
      buf.writeUInt16BE(checkUint(l.reserved ?? 0, 16, 'source-dest reserved'), p);
      buf[p + 2] = checkUint(l.sourceMaskLen, 8, 'source mask-len');
      buf[p + 3] = checkUint(l.destMaskLen, 8, 'destination mask-len');
      p += 4;
      put(l.source);
      put(l.dest);
      break;
    case 'json': {
      const j = jsonBytes(l.json);
      buf.writeUInt16BE(j.length, p);
      p += 2 + j.copy(buf, p + 2);
      put(l.address);
      break;
    }
    case 'opaque':
      p += l.body.copy(buf, p);
      break;
  }
  return p;
}
