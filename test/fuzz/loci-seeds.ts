// Messages encoded by Loci itself, so that every decoder path has a seed even where
// the interop captures have none: ECM variants, Map-Referral signatures, Info with the
// NAT-traversal LCAF, every decoded LCAF type and an opaque one, MAC and DN addresses.
import {
  noFlags,
  MAP_REQUEST_FLAGS,
  dataHeader,
  encodeAuthenticated,
  encodeMessage,
  type Address,
  type Ecm,
  type Lcaf,
  type LispMessage,
  type LocatorRecord,
  type MapReply,
  type MapRequest,
  type MappingRecord,
} from '../../src/packet/index.js';

const v4 = (address: string): Address => ({ afi: 'ipv4', address });
const v6 = (address: string): Address => ({ afi: 'ipv6', address });
const lcaf = (l: Lcaf): Address => ({ afi: 'lcaf', lcaf: l });
const iid = (instanceId: number, address: Address): Address => lcaf({ type: 'instance-id', instanceId, maskLen: 32, address });

const locator = (address: Address, flags: Partial<LocatorRecord> = {}): LocatorRecord => ({
  priority: 1,
  weight: 100,
  mPriority: 255,
  mWeight: 0,
  local: false,
  probed: false,
  reachable: true,
  address,
  ...flags,
});

const record = (eid: Address, maskLen: number, locators: LocatorRecord[]): MappingRecord => ({
  ttl: 1440,
  maskLen,
  eid,
  act: 0,
  authoritative: true,
  mapVersion: 0,
  locators,
});

const REQUEST_FLAGS = noFlags(MAP_REQUEST_FLAGS);

/** Every optional part of a Map-Request: M-bit mapping, xTR-ID and site-ID, a DN source EID. */
const fullMapRequest: MapRequest = {
  type: 'map-request',
  ...REQUEST_FLAGS,
  smrInvoked: true,
  nonce: 0x0123456789abcdefn,
  sourceEid: { afi: 'dn', name: 'xtr-1.example' },
  itrRlocs: [v4('192.0.2.1'), v6('2001:db8::1')],
  records: [{ notify: true, maskLen: 24, eid: iid(7, v4('198.18.1.0')) }],
  mapReply: { ...record(v4('198.18.2.0'), 24, [locator(v4('192.0.2.1'), { local: true })]), versionReserved: 3, reserved: 1 },
  xtrId: 0x00112233445566778899aabbccddeeffn,
  siteId: 42n,
};

const plainMapRequest: MapRequest = {
  type: 'map-request',
  ...REQUEST_FLAGS,
  probe: true,
  nonce: 7n,
  sourceEid: { afi: 'none' },
  itrRlocs: [v4('203.0.113.9')],
  records: [{ notify: false, maskLen: 32, eid: v4('198.19.0.1') }],
};

/** One decoded LCAF of each type (1, 10, 12, 14 text and binary) plus an opaque type-4 body. */
const lcafZoo: MapReply = {
  type: 'map-reply',
  probe: false,
  echoNonceCapable: true,
  nonce: 99n,
  records: [
    record(lcaf({ type: 'source-dest', sourceMaskLen: 24, destMaskLen: 16, source: v4('198.18.0.0'), dest: v4('198.19.0.0') }), 0, [
      locator(lcaf({ type: 'afi-list', addresses: [v4('192.0.2.7'), v6('2001:db8::7')] })),
      locator(
        lcaf({
          type: 'elp',
          hops: [
            { lookup: false, probe: true, strict: false, address: v4('198.51.100.1') },
            { lookup: true, probe: false, strict: true, address: v6('2001:db8:1::1') },
          ],
        }),
      ),
      locator(lcaf({ type: 'json', json: '{"rtt":12}', address: v4('203.0.113.4') })),
      locator(lcaf({ type: 'json', json: Buffer.from([0xa1, 0x01, 0x02]), address: { afi: 'none' } })),
      locator(lcaf({ type: 'opaque', lcafType: 4, rsvd2: 1, body: Buffer.from('0000fde8', 'hex') })),
    ]),
    record({ afi: 'mac', address: '00:00:5e:00:53:01' }, 48, []),
  ],
  authData: Buffer.from('01020304', 'hex'),
};

const mapReferral: LispMessage = {
  type: 'map-referral',
  nonce: 0xfeedn,
  records: [
    {
      ttl: 1440,
      maskLen: 15,
      eid: iid(0, v4('198.18.0.0')),
      act: 2,
      authoritative: true,
      incomplete: true,
      mapVersion: 5,
      refs: [locator(v4('192.0.2.53')), locator(v6('2001:db8::53'))],
      signatures: [
        { originalTtl: 1440, expiration: 1_900_000_000, inception: 1_800_000_000, keyTag: 7, algorithm: 1, signature: Buffer.alloc(20, 0xab) },
        { originalTtl: 60, expiration: 2, inception: 1, keyTag: 8, algorithm: 2, reserved: 5, signature: Buffer.alloc(0) },
      ],
    },
  ],
};

const natTraversal: Lcaf = {
  type: 'nat-traversal',
  msPort: 4342,
  etrPort: 16001,
  globalEtrRloc: v4('203.0.113.50'),
  msRloc: v4('192.0.2.10'),
  privateEtrRloc: v4('198.51.100.50'),
  rtrRlocs: [v4('192.0.2.20'), v6('2001:db8::20')],
};

const auth = { nonce: 0x5555n, keyId: 1, algorithmId: 2, authData: Buffer.alloc(0) };

/** An ECM over IPv6 (the captures carry ECMs over IPv4, and over IPv6 without the D and R bits). */
const inIpv6Ecm = (message: LispMessage): Ecm => ({
  type: 'ecm',
  ddt: true,
  forwardToEtr: false,
  toMapServer: false,
  rtr: true,
  relayed: false,
  ip: { version: 6, trafficClass: 0, flowLabel: 0x12345, hopLimit: 64, src: '2001:db8::1', dst: '2001:db8:ff::1' },
  udp: { sport: 61000, dport: 4342 },
  message,
});

const ecmV4Authenticated = (adType: 1 | 2): LispMessage => ({
  type: 'ecm',
  ddt: false,
  forwardToEtr: true,
  toMapServer: true,
  rtr: false,
  relayed: true,
  // Type 1 (LISP-SEC): 32 bytes then a length that counts itself; type 2 (MS-RTR): 8 bytes with the length at 6.
  authData: adType === 1 ? Buffer.concat([Buffer.from([1]), Buffer.alloc(31), Buffer.from('00040000', 'hex')]) : Buffer.from('0200000100000000', 'hex'),
  ip: {
    version: 4,
    tos: 0,
    identification: 1,
    flags: 2,
    fragmentOffset: 0,
    ttl: 32,
    src: '192.0.2.1',
    dst: '198.18.0.1',
    options: Buffer.from('01010100', 'hex'),
  },
  udp: { sport: 4342, dport: 4342 },
  message: plainMapRequest,
});

const messages: LispMessage[] = [
  fullMapRequest,
  lcafZoo,
  mapReferral,
  inIpv6Ecm(fullMapRequest),
  inIpv6Ecm(inIpv6Ecm(plainMapRequest)),
  ecmV4Authenticated(1),
  ecmV4Authenticated(2),
  {
    type: 'map-notify',
    rtr: true,
    ...auth,
    authData: Buffer.alloc(32),
    records: [record(v4('198.18.4.0'), 24, [locator(v4('192.0.2.4'))])],
    xtrId: 1n,
    siteId: 2n,
    rtrAuth: { keyId: 3, authData: Buffer.alloc(20, 0x11) },
  },
  { type: 'map-notify-ack', rtr: false, ...auth, records: [] },
  { type: 'info', reply: false, ...auth, ttl: 0, maskLen: 0, eid: { afi: 'none' }, natInfo: { afi: 'none' } },
  { type: 'shared-extension', subType: 1, body: Buffer.from('deadbeef', 'hex') },
];

/** An Info-Reply with the NAT-traversal LCAF, signed the way an xTR would sign it. */
const infoReply = encodeAuthenticated(
  { type: 'info', reply: true, ...auth, ttl: 15, maskLen: 32, eid: v4('198.18.9.9'), natInfo: lcaf(natTraversal) },
  'fuzz-key',
);

/** Control messages encoded by Loci, one of them a signed Info-Reply. */
export const lociMessageSeeds: Buffer[] = [...messages.map((m) => encodeMessage(m)), infoReply];

/** Nesting far beyond any sane limit: ECMs in ECMs, instance-id LCAFs in instance-id LCAFs. */
const TOO_DEEP = 16;
let deepEcm: LispMessage = plainMapRequest;
let deepEid = v4('198.18.0.1');
for (let i = 0; i < TOO_DEEP; i++) {
  deepEcm = inIpv6Ecm(deepEcm);
  deepEid = iid(i, deepEid);
}
/** Messages every decoder must reject with ERR_LISP_TOO_DEEP. */
export const lociTooDeepSeeds: Buffer[] = [encodeMessage(deepEcm), encodeMessage({ ...plainMapRequest, sourceEid: deepEid })];

/** Data headers: nonce (N), map-versions (V), instance-id (I) with the other flags. */
export const lociDataHeaderSeeds: Buffer[] = [
  { n: true, l: true, e: true, v: false, i: true, p: false, kk: 1, nonce: 0xabcdef, sourceMapVersion: 0, destMapVersion: 0, instanceId: 7, lsb: 3 },
  { n: false, l: false, e: false, v: true, i: false, p: true, kk: 0, nonce: 0, sourceMapVersion: 1, destMapVersion: 2, instanceId: 0, lsb: 0xffffffff },
].map((h) => dataHeader.encode(h));
