// What the flood sends: mutated real captures (the decoder fuzzer's seeded mutators over the
// control and data payloads of test/vectors/captures), and structured hostile messages that
// decode and reach the roles' own checks. Every builder draws only from the flood's seeded Rng.
import {
  encapsulate,
  encodeAuthenticated,
  encodeMessage,
  ipAddress,
  mapRequestFor,
  MAP_NOTIFY_FLAGS,
  MAP_REGISTER_FLAGS,
  noFlags,
  dataHeader,
  type Address,
  type LocatorRecord,
  type MappingRecord,
} from '../../src/packet/index.js';
import { writeIpHeader, writeUdpHeader, type Ipv4Header } from '../../src/packet/ip-header.js';
import { internetChecksum } from '../../src/packet/index.js';
import { mutate, type Rng } from '../fuzz/mutate.js';

export interface FloodContext {
  /** Seeds of the mutators: capture payloads sent to or from a control port, and data payloads. */
  controlSeeds: readonly Buffer[];
  dataSeeds: readonly Buffer[];
  /** The attacker's own addresses (ITR-RLOCs whose answers come back to it). */
  own: readonly string[];
  /** Prefixes of the Map-Server's sites ("198.18.1.0/24"): forged Map-Registers claim them. */
  sitePrefixes: readonly string[];
  /** Map-Registers of the correct ETR captured off the wire, sent again as they are. */
  replays: readonly Buffer[];
}

/** The EID a target answers for: Map-Requests and data packets aimed at it use it. */
export interface TargetFacts {
  eid?: string;
}

export type Builder = (rng: Rng, ctx: FloodContext, target: TargetFacts) => Buffer;

const nonce = (rng: Rng): bigint => rng.bytes(8).readBigUInt64BE(0);
const octet = (rng: Rng): number => rng.below(256);
/** An address of 198.18.0.0/15 (the EID space of the lab). */
const randomEid = (rng: Rng): string => `198.${18 + rng.below(2)}.${octet(rng)}.${octet(rng)}`;
const randomEid6 = (rng: Rng): string => `2001:db8:${rng.below(0x10000).toString(16)}::${rng.below(0x10000).toString(16)}`;
const underlay = ['192.0.2', '198.51.100', '203.0.113'];
const randomRloc = (rng: Rng): string => `${rng.pick(underlay)}.${1 + rng.below(254)}`;

const locator = (address: string, rng: Rng): LocatorRecord => ({
  priority: rng.below(256),
  weight: rng.below(256),
  mPriority: 255,
  mWeight: 0,
  local: rng.below(2) === 1,
  probed: false,
  reachable: true,
  address: ipAddress(address),
});

/** A record for a site prefix, or a more-specific inside it, with 1-3 random locators. */
function siteRecord(rng: Rng, ctx: FloodContext): MappingRecord {
  const [base = '198.18.1.0', len = '24'] = rng.pick(ctx.sitePrefixes).split('/');
  const more = rng.below(3) === 0;
  const maskLen = more ? 32 : Number(len);
  const eid = more ? base.replace(/\d+$/, String(octet(rng))) : base;
  return {
    ttl: rng.pick([0, 1, 1440, 0xffffffff]),
    maskLen,
    eid: ipAddress(eid),
    act: 0,
    authoritative: true,
    mapVersion: 0,
    locators: Array.from({ length: 1 + rng.below(3) }, () => locator(randomRloc(rng), rng)),
  };
}

function register(rng: Rng, ctx: FloodContext, o: { keyId: number; algorithmId: number; authData?: Buffer; key?: string }): Buffer {
  const m = {
    type: 'map-register' as const,
    ...noFlags(MAP_REGISTER_FLAGS),
    proxyReply: rng.below(2) === 1,
    wantMapNotify: rng.below(4) !== 0,
    useTtl: rng.below(8) === 0,
    nonce: nonce(rng),
    keyId: o.keyId,
    algorithmId: o.algorithmId,
    authData: o.authData ?? Buffer.alloc(0),
    records: Array.from({ length: 1 + rng.below(2) }, () => siteRecord(rng, ctx)),
    ...(rng.below(2) === 0 ? { xtrId: nonce(rng) << 64n, siteId: 0n } : {}),
  };
  return o.key === undefined ? encodeMessage(m) : encodeAuthenticated(m, o.key);
}

/** 1-32 ITR-RLOCs drawn from 198.18.0.0/15: thousands of distinct requesters over a flood. */
const baitRlocs = (rng: Rng): string[] => Array.from({ length: 1 + rng.below(32) }, () => randomEid(rng));

/** Inner IPv4 packet to dst from a random EID: an ICMP echo request or a UDP datagram to a random port. */
function innerPacket(rng: Rng, dst: string): Buffer {
  const payload = 8 + rng.below(120);
  const buf = Buffer.alloc(20 + 8 + payload);
  const ip: Ipv4Header = { version: 4, tos: 0, identification: rng.below(0x10000), flags: 2, fragmentOffset: 0, ttl: 64, src: randomEid(rng), dst };
  rng.bytes(payload).copy(buf, 28);
  writeIpHeader(ip, 8 + payload, buf, 0);
  if (rng.below(2) === 0) {
    writeUdpHeader({ sport: 1024 + rng.below(60000), dport: 1 + rng.below(65535) }, ip, payload, buf, 20, 0);
    return buf;
  }
  // ICMP echo request: the IPv4 header says UDP until here.
  buf[9] = 1;
  buf.writeUInt16BE(0, 10);
  buf.writeUInt16BE(internetChecksum(buf, 0, 20, 0), 10);
  buf.writeUInt32BE(0x08000000, 20);
  buf.writeUInt32BE(rng.below(2 ** 32) >>> 0, 24);
  buf.writeUInt16BE(internetChecksum(buf, 20, buf.length, 0), 22);
  return buf;
}

const wrongKey = (rng: Rng): string => `not-the-key-${rng.below(1000)}`;

/** The kinds of packet the flood sends, by name. */
export const BUILDERS = {
  /** A capture payload of a control port, with 1-4 stacked mutations (test/fuzz/mutate.ts). */
  'mutated-control': (rng, ctx) => mutate(ctx.controlSeeds, rng),
  /** A capture payload of a data port, with 1-4 stacked mutations. */
  'mutated-data': (rng, ctx) => mutate(ctx.dataSeeds, rng),
  /** A Map-Register for a site's prefix with a full-length HMAC made with the wrong key. */
  'register-bad-auth': (rng, ctx) => register(rng, ctx, { keyId: 0, algorithmId: rng.pick([1, 2]), key: wrongKey(rng) }),
  /** A Map-Register whose authentication data is shorter than its algorithm's HMAC (or empty). */
  'register-short-auth': (rng, ctx) => register(rng, ctx, { keyId: 0, algorithmId: rng.pick([1, 2]), authData: rng.bytes(rng.pick([0, 1, 4, 12, 16, 19, 31])) }),
  /** A Map-Register with a Key ID or algorithm no site has. */
  'register-unknown-key': (rng, ctx) => register(rng, ctx, { keyId: 1 + rng.below(255), algorithmId: rng.pick([0, 1, 2, 3, 200]), authData: rng.bytes(32) }),
  /** A Map-Register of the correct ETR, captured earlier, sent again unchanged. */
  'register-replay': (rng, ctx) => (ctx.replays.length > 0 ? rng.pick(ctx.replays) : Buffer.alloc(0)),
  /** A Map-Request for the target's EID naming 1-32 random ITR-RLOCs (SMR and reply bait). */
  'request-bait': (rng, _ctx, t) => encodeMessage(mapRequestFor({ eid: ipAddress(t.eid ?? randomEid(rng)), maskLen: 32, itrRlocs: baitRlocs(rng), nonce: nonce(rng) })),
  /** The same in an ECM (what a Map-Resolver receives). */
  'ecm-bait': (rng, _ctx, t) => {
    const eid = t.eid ?? randomEid(rng);
    const itrRlocs = baitRlocs(rng);
    return encodeMessage(encapsulate(mapRequestFor({ eid: ipAddress(eid), maskLen: 32, itrRlocs, nonce: nonce(rng) }), { src: itrRlocs[0]!, dst: eid, sport: 1024 + rng.below(60000) }));
  },
  /** An ECM Map-Request for a random EID (IPv4 or IPv6, host or shorter), answered to an attacker address. */
  'ecm-random-eid': (rng, ctx) => {
    const v6 = rng.below(4) === 0;
    const eid = v6 ? randomEid6(rng) : randomEid(rng);
    const maskLen = rng.below(2) === 0 ? (v6 ? 128 : 32) : rng.below(v6 ? 129 : 33);
    const own = rng.pick(ctx.own);
    const eidAddress: Address = ipAddress(eid);
    return encodeMessage(encapsulate(mapRequestFor({ eid: eidAddress, maskLen, itrRlocs: [own], nonce: nonce(rng) }), { src: own, dst: eid, sport: 1024 + rng.below(60000) }));
  },
  /** A Map-Reply nobody asked for: a random nonce, records for random EIDs. */
  'reply-unmatched': (rng) =>
    encodeMessage({
      type: 'map-reply',
      probe: rng.below(4) === 0,
      echoNonceCapable: false,
      nonce: nonce(rng),
      records: Array.from({ length: 1 + rng.below(3) }, () => ({
        ttl: rng.pick([1, 1440, 0xffffffff]),
        maskLen: rng.below(33),
        eid: ipAddress(randomEid(rng).replace(/\.\d+$/, '.0')),
        act: 0,
        authoritative: true,
        mapVersion: 0,
        locators: [locator(randomRloc(rng), rng)],
      })),
    }),
  /** A Solicit-Map-Request for a random source EID. */
  smr: (rng, ctx, t) => {
    const m = mapRequestFor({ eid: ipAddress(t.eid ?? randomEid(rng)), maskLen: 32, itrRlocs: [rng.pick(ctx.own)], nonce: nonce(rng), sourceEid: ipAddress(randomEid(rng)) });
    return encodeMessage({ ...m, smr: true });
  },
  /** An RLOC-probe for the target's EID. */
  probe: (rng, ctx, t) => encodeMessage({ ...mapRequestFor({ eid: ipAddress(t.eid ?? randomEid(rng)), maskLen: 32, itrRlocs: [rng.pick(ctx.own)], nonce: nonce(rng) }), probe: true }),
  /** A Map-Notify for a site's prefix signed with the wrong key. */
  'notify-forged': (rng, ctx) =>
    encodeAuthenticated(
      { type: 'map-notify', ...noFlags(MAP_NOTIFY_FLAGS), nonce: nonce(rng), keyId: 0, algorithmId: 2, authData: Buffer.alloc(0), records: [siteRecord(rng, ctx)] },
      wrongKey(rng),
    ),
  /** An Info-Request (NAT traversal) signed with the wrong key. */
  'info-request': (rng) =>
    encodeAuthenticated(
      { type: 'info', reply: false, nonce: nonce(rng), keyId: 0, algorithmId: rng.pick([1, 2]), authData: Buffer.alloc(0), ttl: 0, maskLen: 32, eid: ipAddress(randomEid(rng)), natInfo: { afi: 'none' } },
      wrongKey(rng),
    ),
  /** A well-formed LISP data packet to the target's EID from a random EID: the host answers, the ITR must resolve. */
  'data-to-eid': (rng, _ctx, t) => {
    const header = dataHeader.encode({ n: true, l: false, e: false, v: false, i: false, p: false, kk: 0, nonce: rng.below(1 << 24), sourceMapVersion: 0, destMapVersion: 0, instanceId: 0, lsb: 0 });
    return Buffer.concat([header, innerPacket(rng, t.eid ?? randomEid(rng))]);
  },
} satisfies Record<string, Builder>;

export type Kind = keyof typeof BUILDERS;

export const KINDS = Object.keys(BUILDERS) as Kind[];
