// fast-check arbitraries for every wire type of src/packet, in decoded form: a
// reserved field is absent or non-zero within its mask, the way decoders return it.
import fc from 'fast-check';
import {
  DATA_FLAGS,
  ECM_FLAGS,
  MAP_REGISTER_FLAGS,
  MAP_REPLY_FLAGS,
  MAP_REQUEST_FLAGS,
  type Address,
  type DataHeader,
  type Ecm,
  type ElpHop,
  type InfoMessage,
  type IpHeader,
  type Lcaf,
  type LispMessage,
  type LocatorRecord,
  type MapNotify,
  type MapReferral,
  type MapRegister,
  type MapReply,
  type MapRequest,
  type MappingRecord,
  type ReferralRecord,
  type ReferralSignature,
  type RequestRecord,
  type SharedExtension,
  type UdpHeader,
} from '../../../src/packet/index.js';

// ---- building blocks

const uint = (bits: number) => fc.integer({ min: 0, max: 2 ** bits - 1 });
const u8 = uint(8);
const u16 = uint(16);
const u32 = uint(32);
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
const bytes = (maxLength: number, minLength = 0) => fc.uint8Array({ minLength, maxLength }).map((b) => Buffer.from(b));

/** Non-zero bits within mask (reserved fields are omitted when zero). */
const bitsIn = (mask: number) =>
  fc
    .nat({ max: mask >>> 0 })
    .map((x) => (x & mask) >>> 0)
    .filter((x) => x !== 0);

/** fc.record with plain objects, as decoders return. */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

/** The required object, plus each optional key absent or set, half the time each. */
function withOptional<R extends object, O extends object>(
  required: fc.Arbitrary<R>,
  optional: { [K in keyof O]: fc.Arbitrary<O[K]> },
): fc.Arbitrary<R & Partial<O>> {
  const entries = Object.entries<fc.Arbitrary<unknown>>(optional).map(([k, a]) =>
    fc.option(a.map((v): [string, unknown] => [k, v]), { freq: 2, nil: undefined }),
  );
  return fc
    .tuple(required, fc.tuple(...entries))
    .map(([r, kv]) => ({ ...r, ...Object.fromEntries(kv.filter((e) => e !== undefined)) }) as R & Partial<O>);
}

/** One boolean per named flag of a flag table. */
function flagsOf<T extends Record<string, number>>(table: T): fc.Arbitrary<{ [K in keyof T]: boolean }> {
  const model = Object.fromEntries(Object.keys(table).map((k) => [k, fc.boolean()]));
  return record(model) as fc.Arbitrary<{ [K in keyof T]: boolean }>;
}

/** xTR-ID and site-ID, both or neither. */
const xtrPair = fc.option(record({ xtrId: u128, siteId: u64 }), { freq: 2, nil: undefined }).map((x) => x ?? {});

// ---- addresses

const ipv4Text = fc.ipV4();

/** RFC 5952 text for 8 groups: WHATWG URL serialisation, dotted tail for IPv4-mapped. */
function formatGroups(g: number[]): string {
  const [, , , , , g5 = 0, g6 = 0, g7 = 0] = g;
  if (g.slice(0, 5).every((x) => x === 0) && g5 === 0xffff) return `::ffff:${g6 >>> 8}.${g6 & 0xff}.${g7 >>> 8}.${g7 & 0xff}`;
  return new URL(`http://[${g.map((x) => x.toString(16)).join(':')}]`).hostname.slice(1, -1);
}

/** Canonical IPv6 text, biased towards runs of zero groups and IPv4-mapped addresses. */
const ipv6Text = fc
  .oneof(
    { weight: 4, arbitrary: fc.array(fc.oneof(fc.constant(0), u16), { minLength: 8, maxLength: 8 }) },
    { weight: 1, arbitrary: fc.tuple(u16, u16).map(([a, b]) => [0, 0, 0, 0, 0, 0xffff, a, b]) },
  )
  .map(formatGroups);

const macText = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':'));

/** Printable ASCII, no NUL. */
const dnName = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 24 });

export const plainAddress: fc.Arbitrary<Address> = fc.oneof(
  fc.constant<Address>({ afi: 'none' }),
  ipv4Text.map((address): Address => ({ afi: 'ipv4', address })),
  ipv6Text.map((address): Address => ({ afi: 'ipv6', address })),
  macText.map((address): Address => ({ afi: 'mac', address })),
  dnName.map((name): Address => ({ afi: 'dn', name })),
);

/** Known LCAF types are decoded; every other type number stays opaque. */
const OPAQUE_LCAF_TYPES = [0, 3, 4, 5, 6, 8, 9, 11, 13, 15, 16, 255];

const lcafHeader = withOptional(fc.constant({}), { rsvd1: bitsIn(0xff), flags: bitsIn(0xff) });

const elpHop = (depth: number): fc.Arbitrary<ElpHop> =>
  withOptional(record({ lookup: fc.boolean(), probe: fc.boolean(), strict: fc.boolean(), address: address(depth) }), {
    reserved: bitsIn(0x1fff),
  });

const jsonText = fc.oneof(fc.json({ maxDepth: 1 }), fc.string({ unit: 'grapheme', maxLength: 12 }));

/** LCAF bodies by type; nested addresses go at most `depth` levels further. */
function lcafBody(depth: number): Record<string, fc.Arbitrary<Lcaf>> {
  const a = address(depth);
  const rsvd2 = { rsvd2: bitsIn(0xff) };
  return {
    'afi-list': withOptional(record({ type: fc.constant('afi-list' as const), addresses: fc.array(a, { maxLength: 3 }) }), rsvd2),
    'instance-id': record({
      type: fc.constant('instance-id' as const),
      instanceId: u32,
      maskLen: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 255 })),
      address: a,
    }),
    'nat-traversal': withOptional(
      record({
        type: fc.constant('nat-traversal' as const),
        msPort: u16,
        etrPort: u16,
        globalEtrRloc: a,
        msRloc: a,
        privateEtrRloc: a,
        rtrRlocs: fc.array(a, { maxLength: 3 }),
      }),
      rsvd2,
    ),
    elp: withOptional(record({ type: fc.constant('elp' as const), hops: fc.array(elpHop(depth), { maxLength: 3 }) }), rsvd2),
    'source-dest': withOptional(
      record({ type: fc.constant('source-dest' as const), sourceMaskLen: u8, destMaskLen: u8, source: a, dest: a }),
      { ...rsvd2, reserved: bitsIn(0xffff) },
    ),
    json: withOptional(
      record({ type: fc.constant('json' as const), json: fc.oneof(jsonText, bytes(24)), address: a }),
      // The low bit of Rsvd2 is B (binary JSON): it follows from the json field.
      { rsvd2: bitsIn(0xfe) },
    ),
    opaque: withOptional(record({ type: fc.constant('opaque' as const), lcafType: fc.constantFrom(...OPAQUE_LCAF_TYPES), body: bytes(16) }), rsvd2),
  };
}

/** An LCAF of the given type name, with its reserved header bytes. */
export const lcafOf = (type: string, depth = 1): fc.Arbitrary<Address> =>
  fc.tuple(lcafHeader, lcafBody(depth)[type]!).map(([h, body]): Address => ({ afi: 'lcaf', lcaf: { ...h, ...body } }));

export const LCAF_TYPE_NAMES = Object.keys(lcafBody(0));

/** Any address; LCAFs nest at most `depth` levels. */
function address(depth = 2): fc.Arbitrary<Address> {
  if (depth <= 0) return plainAddress;
  return fc.oneof({ weight: 3, arbitrary: plainAddress }, { weight: 1, arbitrary: fc.oneof(...LCAF_TYPE_NAMES.map((t) => lcafOf(t, depth - 1))) });
}

// ---- records

const locator: fc.Arbitrary<LocatorRecord> = withOptional(
  record({
    priority: u8,
    weight: u8,
    mPriority: u8,
    mWeight: u8,
    local: fc.boolean(),
    probed: fc.boolean(),
    reachable: fc.boolean(),
    address: address(1),
  }),
  { unusedFlags: bitsIn(0x1fff) },
);

const recordHead = { ttl: u32, maskLen: u8, eid: address(1), act: uint(3), authoritative: fc.boolean(), mapVersion: uint(12) };

const mappingRecord: fc.Arbitrary<MappingRecord> = withOptional(
  record({ ...recordHead, locators: fc.array(locator, { maxLength: 3 }) }),
  { reserved: bitsIn(0xfff), versionReserved: bitsIn(0xf) },
);

const requestRecord: fc.Arbitrary<RequestRecord> = withOptional(record({ notify: fc.boolean(), maskLen: u8, eid: address(1) }), {
  reserved: bitsIn(0x7f),
});

const records = fc.array(mappingRecord, { maxLength: 3 });

// ---- messages

export const mapRequest: fc.Arbitrary<MapRequest> = fc
  .tuple(
    withOptional(
      record({
        type: fc.constant('map-request' as const),
        flags: flagsOf(MAP_REQUEST_FLAGS),
        nonce: u64,
        sourceEid: address(1),
        itrRlocs: fc.array(address(1), { minLength: 1, maxLength: 32 }),
        records: fc.array(requestRecord, { maxLength: 3 }),
      }),
      { reservedFlags: bitsIn(0x000f8000), mapReply: mappingRecord },
    ),
    // xTR-ID alone (lispers.net), with a site-ID (RFC 9437), or neither.
    fc.oneof(fc.constant({}), record({ xtrId: u128 }), record({ xtrId: u128, siteId: u64 })),
  )
  .map(([{ flags, ...m }, xtr]) => ({ ...flags, ...m, ...xtr }));

export const mapReply: fc.Arbitrary<MapReply> = withOptional(
  record({ type: fc.constant('map-reply' as const), flags: flagsOf(MAP_REPLY_FLAGS), nonce: u64, records }),
  { reservedFlags: bitsIn(0x01ffff00), authData: bytes(40) },
).map(({ flags, ...m }) => ({ ...flags, ...m }));

const authFields = { nonce: u64, keyId: u8, algorithmId: u8, authData: bytes(32) };

export const mapRegister: fc.Arbitrary<MapRegister> = fc
  .tuple(
    withOptional(
      record({ type: fc.constant('map-register' as const), flags: flagsOf(MAP_REGISTER_FLAGS), ...authFields, records }),
      { reservedFlags: bitsIn(0x00ffe000) },
    ),
    xtrPair,
  )
  .map(([{ flags, ...m }, xtr]) => ({ ...flags, ...m, ...xtr }));

/** Map-Notify or Map-Notify-Ack; MS-RTR authentication only with R; an xTR-ID without the I bit (lispers.net) only without R. */
export const mapNotify: fc.Arbitrary<MapNotify> = fc
  .tuple(
    withOptional(
      record({ type: fc.constantFrom('map-notify' as const, 'map-notify-ack' as const), ...authFields, records }),
      { reservedFlags: bitsIn(0x03ffff00) },
    ),
    xtrPair,
    fc.oneof(
      fc.constant({ rtr: false }),
      fc.constant({ rtr: true }),
      record({ rtr: fc.constant(true), rtrAuth: record({ keyId: u16, authData: bytes(32) }) }),
    ),
    fc.boolean(),
  )
  .map(([m, xtr, rtr, unflagged]) => ({ ...m, ...xtr, ...rtr, ...(unflagged && 'xtrId' in xtr && !rtr.rtr ? { xtrIdUnflagged: true as const } : {}) }));

const signature: fc.Arbitrary<ReferralSignature> = withOptional(
  record({ originalTtl: u32, expiration: u32, inception: u32, keyTag: u16, algorithm: u8, signature: bytes(64) }),
  { reserved: bitsIn(0xffffff) },
);

const referralRecord: fc.Arbitrary<ReferralRecord> = withOptional(
  record({
    ...recordHead,
    incomplete: fc.boolean(),
    refs: fc.array(locator, { maxLength: 3 }),
    signatures: fc.array(signature, { maxLength: 2 }),
  }),
  { reserved: bitsIn(0x7ff) },
);

export const mapReferral: fc.Arbitrary<MapReferral> = withOptional(
  record({ type: fc.constant('map-referral' as const), nonce: u64, records: fc.array(referralRecord, { maxLength: 3 }) }),
  { reservedFlags: bitsIn(0x0fffff00) },
);

/** Info-Request (AFI 0 after the EID) or Info-Reply (NAT-Traversal LCAF). */
export const info: fc.Arbitrary<InfoMessage> = fc
  .tuple(
    withOptional(
      record({ type: fc.constant('info' as const), ...authFields, ttl: u32, maskLen: u8, eid: address(1) }),
      { reservedFlags: bitsIn(0x07ffffff), reserved: bitsIn(0xff) },
    ),
    fc.oneof(
      fc.constant({ reply: false, natInfo: { afi: 'none' } as Address }),
      lcafOf('nat-traversal', 0).map((natInfo) => ({ reply: true, natInfo })),
    ),
  )
  .map(([m, kind]) => ({ ...m, ...kind }));

export const sharedExtension: fc.Arbitrary<SharedExtension> = record({
  type: fc.constant('shared-extension' as const),
  subType: uint(12),
  body: bytes(32),
});

// ---- ECM

const ipv4Header: fc.Arbitrary<IpHeader> = withOptional(
  record({
    version: fc.constant(4 as const),
    tos: u8,
    totalLength: u16,
    identification: u16,
    flags: uint(3),
    fragmentOffset: uint(13),
    ttl: u8,
    checksum: u16,
    src: ipv4Text,
    dst: ipv4Text,
  }),
  { options: fc.integer({ min: 1, max: 10 }).chain((words) => bytes(4 * words, 4 * words)) },
);

const ipv6Header: fc.Arbitrary<IpHeader> = record({
  version: fc.constant(6 as const),
  trafficClass: u8,
  flowLabel: uint(20),
  payloadLength: u16,
  hopLimit: u8,
  src: ipv6Text,
  dst: ipv6Text,
});

/** Inner IP and UDP headers with every length and checksum given (decoders return them all). */
const innerHeaders: fc.Arbitrary<{ ip: IpHeader; udp: UdpHeader }> = record({
  ip: fc.oneof(ipv4Header, ipv6Header),
  udp: record({ sport: u16, dport: u16, length: u16, checksum: u16 }),
});

/** ECM authentication data with internally consistent lengths. */
const ecmAuthData = fc.oneof(
  // AD type 1 (LISP-SEC): 32 bytes up to the OTK, then the EID-AD whose length counts itself.
  fc.tuple(bytes(31, 31), u16, bytes(24)).map(([head, kdfId, rest]) => {
    const eidAd = Buffer.alloc(4 + rest.length);
    eidAd.writeUInt16BE(eidAd.length, 0);
    eidAd.writeUInt16BE(kdfId, 2);
    rest.copy(eidAd, 4);
    return Buffer.concat([Buffer.from([1]), head, eidAd]);
  }),
  // AD type 2 (MS-RTR): type, 3 reserved, key ID, length, data.
  fc.tuple(bytes(3, 3), u16, bytes(32)).map(([rsvd, keyId, data]) => {
    const head = Buffer.alloc(8);
    head[0] = 2;
    rsvd.copy(head, 1);
    head.writeUInt16BE(keyId, 4);
    head.writeUInt16BE(data.length, 6);
    return Buffer.concat([head, data]);
  }),
);

/** Every control message except ECM. */
export const nonEcmMessage: fc.Arbitrary<LispMessage> = fc.oneof(mapRequest, mapReply, mapRegister, mapNotify, mapReferral, info, sharedExtension);

/** An ECM; its inner message is any other message or, up to `depth` more levels, an ECM. */
export function ecm(depth = 2): fc.Arbitrary<Ecm> {
  const inner = depth > 0 ? fc.oneof({ weight: 3, arbitrary: nonEcmMessage }, { weight: 1, arbitrary: ecm(depth - 1) }) : nonEcmMessage;
  return withOptional(
    record({ type: fc.constant('ecm' as const), flags: flagsOf(ECM_FLAGS), headers: innerHeaders, message: inner }),
    { reservedFlags: bitsIn(0x009fffff), authData: ecmAuthData },
  ).map(({ flags, headers, ...e }) => ({ ...flags, ...headers, ...e }));
}

// ---- data plane

/** Bits 8-31 hold map-versions only when V is set without N; word 1 is IID + LSBs only with I. */
const versions = record({ nonce: fc.constant(0), sourceMapVersion: uint(12), destMapVersion: uint(12) });
const nonce = record({ nonce: uint(24), sourceMapVersion: fc.constant(0), destMapVersion: fc.constant(0) });
const iidAndLsbs = record({ instanceId: uint(24), lsb: u8 });
const lsbs = record({ instanceId: fc.constant(0), lsb: u32 });

export const dataHeader: fc.Arbitrary<DataHeader> = fc
  .tuple(flagsOf(DATA_FLAGS), uint(2))
  .chain(([f, kk]) => fc.tuple(f.v && !f.n ? versions : nonce, f.i ? iidAndLsbs : lsbs).map(([low, word1]) => ({ ...f, kk, ...low, ...word1 })));
