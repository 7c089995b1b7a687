// Loci's decode laid out the way tshark 4.0 shows a LISP packet (field names, nesting
// and bit layout of packet-lisp.c / packet-lisp-data.c), so one deepEqual against
// fieldView() of tshark's JSON compares the two decoders field by field.
//
// Bits tshark names are compared by meaning (Loci's `smr` against tshark's S bit);
// bits it lumps into a "Reserved" field are compared raw, rebuilt from Loci's flags
// and cut with tshark's mask. tshark 4.0's own layout (draft era) shows through:
// a 16-bit Key ID (RFC 9301's Key ID and Algorithm ID), Map-Register reserved bits
// shifted by one (its mask 0xfffe), 11 of the 12 record reserved bits (mask 0x07ff).
import {
  address,
  AFI,
  ECM_FLAGS,
  LCAF_TYPE,
  MAP_REGISTER_FLAGS,
  MAP_REQUEST_FLAGS,
  type Address,
  type DataHeader,
  type Ecm,
  type LispMessage,
  type LocatorRecord,
  type MappingRecord,
  type ReferralRecord,
} from '../../src/packet/index.js';
import type { FieldValue, FieldView } from './tshark.js';

// Message bits Loci keeps as structure rather than as named flags.
const REQUEST_M = 0x04000000;
const REQUEST_I = 0x00100000;

interface AddressKeys {
  afi: string;
  ipv4: string;
  ipv6: string;
}

const keys = (prefix: string): AddressKeys => ({ afi: `${prefix}.afi`, ipv4: `${prefix}.ipv4`, ipv6: `${prefix}.ipv6` });
const LOCATOR_KEYS: AddressKeys = { afi: 'lisp.loc.afi', ipv4: 'lisp.loc.locator', ipv6: 'lisp.loc.locator' };

const bit = (v: boolean): number => (v ? 1 : 0);
const hexBytes = (b: Buffer): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
const uintBytes = (v: bigint, bytes: number): string => hexBytes(Buffer.from(v.toString(16).padStart(bytes * 2, '0'), 'hex'));
const list = (key: string, items: FieldView[]): FieldView => (items.length ? { [key]: items } : {});

/** The bits of a flag table that are set in v. */
function flagBits(v: object, table: Readonly<Record<string, number>>): number {
  return Object.entries(table).reduce((w, [k, mask]) => ((v as Record<string, unknown>)[k] === true ? w | mask : w), 0);
}

/** A field as tshark shows it: the word cut with the field's mask, shifted down. */
function masked(word: number, mask: number): number {
  return ((word & mask) >>> 0) / (mask & -mask);
}

function addressView(a: Address, k: AddressKeys): FieldView {
  const afi: Record<string, FieldValue> = { [k.afi]: AFI[a.afi] };
  switch (a.afi) {
    case 'none':
      return afi;
    case 'ipv4':
      return { ...afi, [k.ipv4]: a.address };
    case 'ipv6':
      return { ...afi, [k.ipv6]: a.address };
    case 'lcaf':
      return { ...afi, 'lisp.lcaf': [lcafView(a)] };
    default:
      throw new Error(`no tshark view for AFI ${a.afi}`);
  }
}

function lcafView(a: Extract<Address, { afi: 'lcaf' }>): FieldView {
  const l = a.lcaf;
  const head = {
    'lisp.lcaf.res1': l.rsvd1 ?? 0,
    'lisp.lcaf.flags': l.flags ?? 0,
    'lisp.lcaf.type': l.type === 'opaque' ? l.lcafType : LCAF_TYPE[l.type],
    'lisp.lcaf.length': address.encodingLength(a) - 8, // after the AFI and the 6-byte header
  };
  switch (l.type) {
    case 'instance-id':
      return { ...head, 'lisp.lcaf.res2': l.maskLen, 'lisp.lcaf.iid': l.instanceId, ...addressView(l.address, keys('lisp.lcaf.iid')) };
    case 'afi-list':
      return { ...head, 'lisp.lcaf.res2': l.rsvd2 ?? 0, 'lisp.lcaf.afi_list.item': l.addresses.map((x) => addressView(x, keys('lisp.lcaf.afi_list'))) };
    case 'nat-traversal':
      return {
        ...head,
        'lisp.lcaf.res2': l.rsvd2 ?? 0,
        'lisp.lcaf.natt.msport': l.msPort,
        'lisp.lcaf.natt.etrport': l.etrPort,
        'lisp.lcaf.natt.rloc': [l.globalEtrRloc, l.msRloc, l.privateEtrRloc, ...l.rtrRlocs].map((x) => addressView(x, keys('lisp.lcaf.natt.rloc'))),
      };
    case 'elp':
      return {
        ...head,
        'lisp.lcaf.res2': l.rsvd2 ?? 0,
        'lisp.lcaf.elp_hop': l.hops.map((h) => ({
          'lisp.lcaf.elp_hop.flags.res': h.reserved ?? 0,
          'lisp.lcaf.elp_hop.flags.local': bit(h.lookup),
          'lisp.lcaf.elp_hop.flags.probe': bit(h.probe),
          'lisp.lcaf_elp_hop.flags.strict': bit(h.strict), // sic: tshark's field name
          ...addressView(h.address, keys('lisp.lcaf.elp_hop')),
        })),
      };
    case 'source-dest':
      return {
        ...head,
        'lisp.lcaf.res2': l.rsvd2 ?? 0,
        'lisp.lcaf.srcdst.res': l.reserved ?? 0,
        'lisp.lcaf.srcdst.src.masklen': l.sourceMaskLen,
        'lisp.lcaf.srcdst.dst.masklen': l.destMaskLen,
        'lisp.lcaf.srcdst.src': [addressView(l.source, keys('lisp.lcaf.srcdst.src'))],
        'lisp.lcaf.srcdst.dst': [addressView(l.dest, keys('lisp.lcaf.srcdst.dst'))],
      };
    case 'json':
      // tshark 4.0 leaves type 14 undecoded: the header only (Rsvd2 holds the B bit).
      return { ...head, 'lisp.lcaf.res2': (l.rsvd2 ?? 0) | bit(typeof l.json !== 'string') };
    case 'opaque':
      throw new Error(`no tshark view for LCAF type ${l.lcafType}`);
  }
}

function locatorView(l: LocatorRecord): FieldView {
  return {
    'lisp.loc.priority': l.priority,
    'lisp.loc.weight': l.weight,
    'lisp.loc.multicast_priority': l.mPriority,
    'lisp.loc.multicast_weight': l.mWeight,
    'lisp.loc.flags.res': l.unusedFlags ?? 0,
    'lisp.loc.flags.local': bit(l.local),
    'lisp.loc.flags.probe': bit(l.probed),
    'lisp.loc.flags.reach': bit(l.reachable),
    ...addressView(l.address, LOCATOR_KEYS),
  };
}

function mappingView(r: MappingRecord): FieldView {
  return {
    'lisp.mapping.ttl': r.ttl,
    'lisp.mapping.loccnt': r.locators.length,
    'lisp.mapping.eid.masklen': r.maskLen,
    'lisp.mapping.act': r.act,
    'lisp.mapping.auth': bit(r.authoritative),
    'lisp.mapping.res1': (r.reserved ?? 0) & 0x7ff,
    'lisp.mapping.res2': r.versionReserved ?? 0,
    'lisp.mapping.ver': r.mapVersion,
    ...addressView(r.eid, keys('lisp.mapping.eid')),
    ...list('lisp.loc', r.locators.map(locatorView)),
  };
}

function referralView(r: ReferralRecord): FieldView {
  if (r.signatures.length) throw new Error('tshark 4.0 does not show Map-Referral signatures');
  return {
    'lisp.mapping.ttl': r.ttl,
    'lisp.mapping.loccnt': r.refs.length,
    'lisp.mapping.eid.masklen': r.maskLen,
    'lisp.mapping.act': r.act,
    'lisp.mapping.auth': bit(r.authoritative),
    'lisp.referral.incomplete': bit(r.incomplete),
    'lisp.mapping.res1': r.reserved ?? 0,
    'lisp.referral.sigcnt': 0,
    'lisp.mapping.ver': r.mapVersion,
    ...addressView(r.eid, keys('lisp.mapping.eid')),
    ...list('lisp.loc', r.refs.map(locatorView)),
  };
}

function authView(m: { keyId: number; algorithmId: number; authData: Buffer }): FieldView {
  return {
    'lisp.keyid': (m.keyId << 8) | m.algorithmId, // one 16-bit Key ID in tshark 4.0
    'lisp.authlen': m.authData.length,
    'lisp.auth': hexBytes(m.authData),
  };
}

function xtrView(m: { xtrId?: bigint; siteId?: bigint }): FieldView {
  return m.xtrId === undefined ? {} : { 'lisp.xtrid': uintBytes(m.xtrId, 16), 'lisp.siteid': uintBytes(m.siteId ?? 0n, 8) };
}

function messageView(m: Exclude<LispMessage, Ecm>): FieldView {
  switch (m.type) {
    case 'map-request':
      return {
        'lisp.type': 1,
        'lisp.mreq.flags.auth': bit(m.authoritative),
        'lisp.mreq.flags.mrp': bit(m.mapReply !== undefined),
        'lisp.mreq.flags.probe': bit(m.probe),
        'lisp.mreq.flags.smr': bit(m.smr),
        'lisp.mreq.flags.pitr': bit(m.pitr),
        'lisp.mreq.flags.smri': bit(m.smrInvoked),
        'lisp.mreq.res': masked(
          flagBits(m, MAP_REQUEST_FLAGS) | (m.mapReply ? REQUEST_M : 0) | (m.xtrId !== undefined ? REQUEST_I : 0) | (m.reservedFlags ?? 0),
          0x003fe000,
        ),
        'lisp.irc': m.itrRlocs.length - 1,
        'lisp.records': m.records.length,
        'lisp.nonce': m.nonce,
        ...(m.sourceEid.afi === 'none'
          ? { 'lisp.mreq.srceid.afi': 0, 'lisp.mreq.srceid.string': 'not set' }
          : addressView(m.sourceEid, { afi: 'lisp.mreq.srceid.afi', ipv4: 'lisp.mreq.srceid.ipv4', ipv6: 'lisp.mreq.srceid_ipv6' })),
        'lisp.mreq.itr_rloc': m.itrRlocs.map((a) =>
          addressView(a, { afi: 'lisp.mreq.itr_rloc.afi', ipv4: 'lisp.mreq.itr_rloc_ipv4', ipv6: 'lisp.mreq.itr_rloc_ipv6' }),
        ),
        ...list(
          'lisp.mreq.record',
          m.records.map((r) => ({
            'lisp.mreq.record.res': (r.notify ? 0x80 : 0) | (r.reserved ?? 0),
            'lisp.mreq.record.prefix.length': r.maskLen,
            ...addressView(r.eid, keys('lisp.mreq.record.prefix')),
          })),
        ),
        ...(m.mapReply ? { 'lisp.mrep.record': [{ 'lisp.mapping': [mappingView(m.mapReply)] }] } : {}),
      };
    case 'map-reply':
      return {
        'lisp.type': 2,
        'lisp.mrep.flags.probe': bit(m.probe),
        'lisp.mrep.flags.enlr': bit(m.echoNonceCapable),
        'lisp.mrep.flags.sec': bit(m.authData !== undefined),
        'lisp.mrep.res': masked(m.reservedFlags ?? 0, 0x01ffff00),
        'lisp.records': m.records.length,
        'lisp.nonce': m.nonce,
        ...list('lisp.mapping', m.records.map(mappingView)),
      };
    case 'map-register':
      return {
        'lisp.type': 3,
        'lisp.mreg.flags.pmr': bit(m.proxyReply),
        'lisp.mreg.flags.sec': bit(m.securityCapable),
        'lisp.mreg.flags.xtrid': bit(m.xtrId !== undefined),
        'lisp.mreg.flags.rtr': bit(m.rtr),
        'lisp.mreg.res': masked(flagBits(m, MAP_REGISTER_FLAGS) | (m.reservedFlags ?? 0), 0x00fffe00),
        'lisp.mreg.flags.wmn': bit(m.wantMapNotify),
        'lisp.records': m.records.length,
        'lisp.nonce': m.nonce,
        ...authView(m),
        ...list('lisp.mapping', m.records.map(mappingView)),
        ...xtrView(m),
      };
    case 'map-notify':
      if (m.rtrAuth) throw new Error('no tshark view for MS-RTR authentication');
      return {
        'lisp.type': 4,
        'lisp.mnot.flags.xtrid': bit(m.xtrId !== undefined && !m.xtrIdUnflagged),
        'lisp.mnot.flags.rtr': bit(m.rtr),
        'lisp.mnot.res': masked(m.reservedFlags ?? 0, 0x03ffff00),
        'lisp.records': m.records.length,
        'lisp.nonce': m.nonce,
        ...authView(m),
        ...list('lisp.mapping', m.records.map(mappingView)),
        // Without the I bit tshark shows the xTR-ID and site-ID as "Data".
        ...(m.xtrIdUnflagged ? { 'data.data': `${uintBytes(m.xtrId!, 16)}:${uintBytes(m.siteId ?? 0n, 8)}`, 'data.len': 24 } : xtrView(m)),
      };
    case 'map-notify-ack':
      return { 'lisp.type': 5 }; // not in tshark 4.0's type table: the type only
    case 'map-referral':
      return {
        'lisp.type': 6,
        'lisp.mref.res': masked(m.reservedFlags ?? 0, 0x0fffff00),
        'lisp.records': m.records.length,
        'lisp.nonce': m.nonce,
        ...list('lisp.mapping', m.records.map(referralView)),
      };
    case 'info':
      return {
        'lisp.type': 7,
        'lisp.info.r': bit(m.reply),
        'lisp.info.res1': m.reservedFlags ?? 0,
        'lisp.nonce': m.nonce,
        ...authView(m),
        'lisp.info.ttl': m.ttl,
        'lisp.info.res2': m.reserved ?? 0,
        'lisp.info.prefix.masklen': m.maskLen,
        ...addressView(m.eid, keys('lisp.info.prefix')),
        ...addressView(m.natInfo, keys('lisp.info')),
      };
    case 'shared-extension':
      throw new Error('tshark 4.0 does not decode the Shared Extension Message');
  }
}

/** One view per LISP layer tshark shows: an ECM's header, then its inner message. */
export function messageViews(m: LispMessage): FieldView[] {
  if (m.type !== 'ecm') return [messageView(m)];
  const ecmView: FieldView = {
    'lisp.type': 8,
    'lisp.ecm.flags.sec': bit(m.authData !== undefined),
    'lisp.ecm.flags.ddt': bit(m.ddt),
    'lisp.ecm.res': masked(flagBits(m, ECM_FLAGS) | (m.reservedFlags ?? 0), 0x03ffffff),
  };
  return [ecmView, ...messageViews(m.message)];
}

/** The IP and UDP headers inside an ECM, under tshark's ip / ipv6 and udp field names. */
export function ecmHeaderViews(e: Ecm): { ip: FieldView; udp: FieldView } {
  const ip: FieldView =
    e.ip.version === 4
      ? {
          'ip.dsfield': e.ip.tos,
          'ip.len': e.ip.totalLength ?? -1,
          'ip.id': e.ip.identification,
          'ip.flags': e.ip.flags,
          'ip.frag_offset': e.ip.fragmentOffset,
          'ip.ttl': e.ip.ttl,
          'ip.checksum': e.ip.checksum ?? -1,
          'ip.src': e.ip.src,
          'ip.dst': e.ip.dst,
        }
      : {
          'ipv6.tclass': e.ip.trafficClass,
          'ipv6.flow': e.ip.flowLabel,
          'ipv6.plen': e.ip.payloadLength ?? -1,
          'ipv6.hlim': e.ip.hopLimit,
          'ipv6.src': e.ip.src,
          'ipv6.dst': e.ip.dst,
        };
  const udp: FieldView = {
    'udp.srcport': e.udp.sport,
    'udp.dstport': e.udp.dport,
    'udp.length': e.udp.length ?? -1,
    'udp.checksum': e.udp.checksum ?? -1,
  };
  return { ip, udp };
}

export function dataHeaderView(h: DataHeader): FieldView {
  return {
    'lisp-data.flags.nonce': bit(h.n),
    'lisp-data.flags.lsb': bit(h.l),
    'lisp-data.flags.enr': bit(h.e),
    'lisp-data.flags.mv': bit(h.v),
    'lisp-data.flags.iid': bit(h.i),
    'lisp-data.flags.res': (h.p ? 4 : 0) | h.kk, // P (LISP-GPE) and KK (RFC 8061) are "Reserved" to tshark 4.0
    ...(h.n ? { 'lisp-data.nonce': h.nonce } : h.v ? { 'lisp-data.srcmapver': h.sourceMapVersion, 'lisp-data.dstmapver': h.destMapVersion } : {}),
    ...(h.i ? { 'lisp-data.iid': h.instanceId } : {}),
    ...(h.l ? (h.i ? { 'lisp-data.lsb8': h.lsb } : { 'lisp-data.lsb': h.lsb }) : {}),
  };
}
