// Human-readable dumps naming every field (in the manner of the LIP6 control plane's
// Map-Register printout), a classic hex dump, and JSON-safe values.
import type { Address } from './address.js';
import type { DataHeader } from './data-header.js';
import type { Ecm } from './ecm.js';
import type { IpHeader } from './ip-header.js';
import type { Lcaf } from './lcaf.js';
import type { MapReferral } from './map-referral.js';
import { formatXtrId } from './map-register-view.js';
import type { LispMessage } from './message.js';
import { ACT_NAMES, type LocatorRecord, type MappingRecord, type RequestRecord } from './records.js';

const ALGORITHMS = ['none', 'HMAC-SHA-1-96', 'HMAC-SHA-256-128', 'HMAC-SHA-256-128+HKDF-SHA256'];
const TITLES: Record<LispMessage['type'], string> = {
  'map-request': 'Map-Request',
  'map-reply': 'Map-Reply',
  'map-register': 'Map-Register',
  'map-notify': 'Map-Notify',
  'map-notify-ack': 'Map-Notify-Ack',
  'map-referral': 'Map-Referral',
  info: 'Info',
  ecm: 'Encapsulated Control Message',
  'shared-extension': 'Shared Extension Message',
};

const hex64 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;
const bit = (name: string, v: boolean) => `${name}=${v ? 1 : 0}`;
const reserved = (v: number | undefined, width = 8) => (v ? ` reserved=0x${v.toString(16).padStart(width, '0')}` : '');

export function formatAddress(a: Address): string {
  switch (a.afi) {
    case 'none':
      return '(no address)';
    case 'ipv4':
    case 'ipv6':
    case 'mac':
      return a.address;
    case 'dn':
      return `"${a.name}"`;
    case 'lcaf':
      return formatLcaf(a.lcaf);
  }
}

function formatLcaf(l: Lcaf): string {
  const head = `${l.rsvd1 ? ` rsvd1=${l.rsvd1}` : ''}${l.flags ? ` flags=0x${l.flags.toString(16)}` : ''}`;
  const r2 = 'rsvd2' in l && l.rsvd2 ? ` rsvd2=0x${l.rsvd2.toString(16)}` : '';
  const list = (as: Address[]) => as.map(formatAddress).join(', ');
  switch (l.type) {
    case 'afi-list':
      return `afi-list(${list(l.addresses)})${head}${r2}`;
    case 'instance-id':
      return `[${l.instanceId}]${formatAddress(l.address)}${l.maskLen ? ` (iid-mask-len ${l.maskLen})` : ''}${head}`;
    case 'nat-traversal':
      return (
        `nat(ms-port ${l.msPort}, etr-port ${l.etrPort}, global-etr ${formatAddress(l.globalEtrRloc)}, ` +
        `ms ${formatAddress(l.msRloc)}, private-etr ${formatAddress(l.privateEtrRloc)}, rtrs [${list(l.rtrRlocs)}])${head}${r2}`
      );
    case 'elp':
      return `elp(${l.hops
        .map((h) => `${formatAddress(h.address)} ${bit('L', h.lookup)} ${bit('P', h.probe)} ${bit('S', h.strict)}${reserved(h.reserved, 4)}`)
        .join(' -> ')})${head}${r2}`;
    case 'source-dest':
      return `(${formatAddress(l.source)}/${l.sourceMaskLen} -> ${formatAddress(l.dest)}/${l.destMaskLen})${reserved(l.reserved, 4)}${head}${r2}`;
    case 'json':
      return `json(${typeof l.json === 'string' ? l.json : `binary ${l.json.toString('hex')}`}, ${formatAddress(l.address)})${head}${r2}`;
    case 'opaque':
      return `lcaf-type-${l.lcafType}(${l.body.toString('hex')})${head}${r2}`;
  }
}

/** An EID-prefix: address/mask-len, an instance-id in brackets in front. */
export function formatWirePrefix(a: Address, maskLen: number): string {
  if (a.afi === 'lcaf' && a.lcaf.type === 'instance-id') {
    const l = a.lcaf;
    return `[${l.instanceId}]${formatWirePrefix(l.address, maskLen)}${l.maskLen ? ` (iid-mask-len ${l.maskLen})` : ''}`;
  }
  return `${formatAddress(a)}/${maskLen}`;
}

function locatorLines(l: LocatorRecord, i: number, noun = 'locator'): string[] {
  return [
    `${noun} ${i + 1}: ${formatAddress(l.address)}  priority ${l.priority} weight ${l.weight}  m-priority ${l.mPriority} m-weight ${l.mWeight}  ` +
      `${bit('L', l.local)} ${bit('p', l.probed)} ${bit('R', l.reachable)}${reserved(l.unusedFlags, 4)}`,
  ];
}

function recordLines(r: MappingRecord, i: number): string[] {
  const act = r.locators.length === 0 ? `  act ${r.act} (${ACT_NAMES[r.act]})` : r.act ? `  act ${r.act}` : '';
  return [
    `record ${i + 1}: ${formatWirePrefix(r.eid, r.maskLen)}  ttl ${r.ttl === 0xffffffff ? 'unlimited' : `${r.ttl} min`}${act}  ` +
      `${bit('A', r.authoritative)}  map-version ${r.mapVersion}  locators ${r.locators.length}` +
      `${reserved(r.reserved, 3)}${r.versionReserved ? ` version-reserved=${r.versionReserved}` : ''}`,
    ...r.locators.flatMap((l, j) => locatorLines(l, j).map((s) => `  ${s}`)),
  ];
}

const requestRecordLine = (r: RequestRecord, i: number) =>
  `eid-record ${i + 1}: ${formatWirePrefix(r.eid, r.maskLen)}  ${bit('N', r.notify)}${reserved(r.reserved, 2)}`;

function authLines(m: { nonce: bigint; keyId: number; algorithmId: number; authData: Buffer }): string[] {
  return [
    `nonce ${hex64(m.nonce)}`,
    `key-id ${m.keyId}  algorithm-id ${m.algorithmId} (${ALGORITHMS[m.algorithmId] ?? 'unknown'})  auth-data-length ${m.authData.length}`,
    `auth-data ${m.authData.toString('hex') || '(none)'}`,
  ];
}

const xtrLines = (m: { xtrId?: bigint; siteId?: bigint }) => [
  ...(m.xtrId !== undefined ? [`xtr-id 0x${formatXtrId(m.xtrId)}`] : []),
  ...(m.siteId !== undefined ? [`site-id ${hex64(m.siteId)}`] : []),
];

function ipLines(ip: IpHeader): string {
  return ip.version === 4
    ? `inner IPv4 ${ip.src} -> ${ip.dst}  tos ${ip.tos} ttl ${ip.ttl} id ${ip.identification} flags ${ip.flags} frag ${ip.fragmentOffset} ` +
        `total-length ${ip.totalLength ?? '-'} checksum ${ip.checksum === undefined ? '-' : `0x${ip.checksum.toString(16).padStart(4, '0')}`}` +
        `${ip.options ? ` options ${ip.options.toString('hex')}` : ''}`
    : `inner IPv6 ${ip.src} -> ${ip.dst}  traffic-class ${ip.trafficClass} flow-label ${ip.flowLabel} hop-limit ${ip.hopLimit} payload-length ${ip.payloadLength ?? '-'}`;
}

function ecmLines(m: Ecm): string[] {
  const u = m.udp;
  return [
    `${bit('S', m.authData !== undefined)} ${bit('D', m.ddt)} ${bit('E', m.forwardToEtr)} ${bit('M', m.toMapServer)} ${bit('R', m.rtr)} ${bit('N', m.relayed)}${reserved(m.reservedFlags)}`,
    ...(m.authData ? [`auth-data (type ${m.authData[0]}) ${m.authData.toString('hex')}`] : []),
    ipLines(m.ip),
    `inner UDP ${u.sport} -> ${u.dport}  length ${u.length ?? '-'} checksum ${u.checksum === undefined ? '-' : `0x${u.checksum.toString(16).padStart(4, '0')}`}`,
    ...formatMessage(m.message).split('\n'),
  ];
}

function referralLines(m: MapReferral): string[] {
  return m.records.flatMap((r, i) => [
    `referral ${i + 1}: ${formatWirePrefix(r.eid, r.maskLen)}  ttl ${r.ttl} min  action ${r.act}  ${bit('A', r.authoritative)} ${bit('I', r.incomplete)}  ` +
      `map-version ${r.mapVersion}  refs ${r.refs.length}  signatures ${r.signatures.length}${reserved(r.reserved, 3)}`,
    ...r.refs.flatMap((l, j) => locatorLines(l, j, 'ref').map((s) => `  ${s}`)),
    ...r.signatures.map(
      (s, j) =>
        `  signature ${j + 1}: original-ttl ${s.originalTtl} expiration ${s.expiration} inception ${s.inception} key-tag ${s.keyTag} ` +
        `algorithm ${s.algorithm}${reserved(s.reserved, 6)} ${s.signature.toString('hex')}`,
    ),
  ]);
}

function bodyLines(m: LispMessage): string[] {
  switch (m.type) {
    case 'map-request':
      return [
        `${bit('A', m.authoritative)} ${bit('M', m.mapReply !== undefined)} ${bit('P', m.probe)} ${bit('S', m.smr)} ${bit('p', m.pitr)} ` +
          `${bit('s', m.smrInvoked)} ${bit('m', m.mobileNode)} ${bit('I', m.xtrId !== undefined)} ${bit('L', m.localXtr)} ${bit('D', m.dontMapReply)}` +
          `${reserved(m.reservedFlags)}  irc ${m.itrRlocs.length - 1}  records ${m.records.length}`,
        `nonce ${hex64(m.nonce)}`,
        `source-eid ${formatAddress(m.sourceEid)}`,
        ...m.itrRlocs.map((a, i) => `itr-rloc ${i + 1}: ${formatAddress(a)}`),
        ...m.records.map(requestRecordLine),
        ...(m.mapReply ? ['map-reply record:', ...recordLines(m.mapReply, 0).map((s) => `  ${s}`)] : []),
        ...xtrLines(m),
      ];
    case 'map-reply':
      return [
        `${bit('P', m.probe)} ${bit('E', m.echoNonceCapable)} ${bit('S', m.authData !== undefined)}${reserved(m.reservedFlags)}  records ${m.records.length}`,
        `nonce ${hex64(m.nonce)}`,
        ...m.records.flatMap(recordLines),
        ...(m.authData ? [`auth-data ${m.authData.toString('hex')}`] : []),
      ];
    case 'map-register':
      return [
        `${bit('P', m.proxyReply)} ${bit('S', m.securityCapable)} ${bit('I', m.xtrId !== undefined)} ${bit('R', m.rtr)} ${bit('E', m.eidNotify)} ` +
          `${bit('T', m.useTtl)} ${bit('a', m.merge)} ${bit('m', m.mobileNode)} ${bit('M', m.wantMapNotify)}${reserved(m.reservedFlags)}  records ${m.records.length}`,
        ...authLines(m),
        ...m.records.flatMap(recordLines),
        ...xtrLines(m),
      ];
    case 'map-notify':
    case 'map-notify-ack':
      return [
        `${bit('I', m.xtrId !== undefined && !m.xtrIdUnflagged)} ${bit('R', m.rtr)}${reserved(m.reservedFlags)}  records ${m.records.length}`,
        ...authLines(m),
        ...m.records.flatMap(recordLines),
        ...(m.xtrIdUnflagged ? ['(xTR-ID and site-ID follow the records without the I bit, as lispers.net sends them)'] : []),
        ...xtrLines(m),
        ...(m.rtrAuth ? [`ms-rtr key-id ${m.rtrAuth.keyId} auth-data ${m.rtrAuth.authData.toString('hex')}`] : []),
      ];
    case 'map-referral':
      return [`records ${m.records.length}${reserved(m.reservedFlags)}`, `nonce ${hex64(m.nonce)}`, ...referralLines(m)];
    case 'info':
      return [
        `${m.reply ? 'Info-Reply' : 'Info-Request'}  ${bit('R', m.reply)}${reserved(m.reservedFlags)}`,
        ...authLines(m),
        `ttl ${m.ttl} min  eid-prefix ${formatWirePrefix(m.eid, m.maskLen)}${reserved(m.reserved, 2)}`,
        `nat-info ${formatAddress(m.natInfo)}`,
      ];
    case 'ecm':
      return ecmLines(m);
    case 'shared-extension':
      return [`sub-type ${m.subType}  data ${m.body.toString('hex')}`];
  }
}

/** A multi-line dump of a control message: its name, then every field, indented. */
export function formatMessage(m: LispMessage): string {
  return [TITLES[m.type], ...bodyLines(m).map((s) => `  ${s}`)].join('\n');
}

export function formatDataHeader(h: DataHeader): string {
  const flags = `${bit('N', h.n)} ${bit('L', h.l)} ${bit('E', h.e)} ${bit('V', h.v)} ${bit('I', h.i)} ${bit('P', h.p)} KK=${h.kk}`;
  const mid = h.v && !h.n ? `source-map-version ${h.sourceMapVersion} dest-map-version ${h.destMapVersion}` : `nonce 0x${h.nonce.toString(16).padStart(6, '0')}`;
  const tail = h.i ? `instance-id ${h.instanceId} lsb 0x${h.lsb.toString(16).padStart(2, '0')}` : `lsb 0x${h.lsb.toString(16).padStart(8, '0')}`;
  return `LISP data header\n  ${flags}\n  ${mid}\n  ${tail}`;
}

/** Classic hex dump: offset, 16 bytes in hex, printable ASCII. */
export function hexDump(buf: Buffer): string {
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i += 16) {
    const row = buf.subarray(i, i + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(4, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

/** A JSON-safe copy: bigints become 0x-hex strings, byte buffers hex strings. */
export function toJsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return `0x${v.toString(16)}`;
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  return v;
}
