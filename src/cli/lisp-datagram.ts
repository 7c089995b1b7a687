// Decodes the LISP content of one captured UDP datagram: a control message (UDP 4342)
// or a data-plane header and the inner packet it carries (UDP 4341), and checks that
// it re-encodes to exactly the captured bytes.
import type { UdpDatagram } from '../capture/index.js';
import {
  dataPacket,
  decodeMessage,
  encodeMessage,
  formatIpv4,
  formatIpv6,
  LISP_CONTROL_PORT,
  LISP_DATA_PORT,
  LispDecodeError,
  type DataHeader,
  type LispMessage,
} from '../packet/index.js';

export interface LispPorts {
  control: readonly number[];
  data: readonly number[];
}

export const DEFAULT_PORTS: LispPorts = { control: [LISP_CONTROL_PORT], data: [LISP_DATA_PORT] };

export type LispDatagram =
  | { kind: 'control'; message: LispMessage; exact: boolean }
  | { kind: 'data'; header: DataHeader; inner: string; exact: boolean }
  | { kind: 'control' | 'data'; error: LispDecodeError };

/** Control when either port is a control port (a 4341 socket talking to 4342 is control, as Wireshark has it). */
export function lispKind(d: Pick<UdpDatagram, 'sport' | 'dport'>, ports: LispPorts): 'control' | 'data' | undefined {
  const has = (list: readonly number[]) => list.includes(d.sport) || list.includes(d.dport);
  return has(ports.control) ? 'control' : has(ports.data) ? 'data' : undefined;
}

export function decodeLispDatagram(payload: Buffer, kind: 'control' | 'data'): LispDatagram {
  if (kind === 'control') {
    const r = decodeMessage(payload);
    if (r instanceof LispDecodeError) return { kind, error: r };
    return { kind, message: r.value, exact: encodeMessage(r.value).equals(payload) };
  }
  try {
    const { value } = dataPacket.decode(payload);
    return { kind, header: value.header, inner: innerSummary(value.inner), exact: dataPacket.encode(value).equals(payload) };
  } catch (e) {
    if (e instanceof LispDecodeError) return { kind, error: e };
    throw e;
  }
}

const PROTOCOLS: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' };

/** One line about the encapsulated packet: family, addresses, protocol, length. */
export function innerSummary(p: Buffer): string {
  const v = p.length > 0 ? p[0]! >>> 4 : 0;
  if (v === 4 && p.length >= 20) {
    return `inner IPv4 ${formatIpv4(p, 12)} -> ${formatIpv4(p, 16)}  ${PROTOCOLS[p[9]!] ?? `protocol ${p[9]}`}  length ${p.readUInt16BE(2)}`;
  }
  if (v === 6 && p.length >= 40) {
    return `inner IPv6 ${formatIpv6(p, 8)} -> ${formatIpv6(p, 24)}  ${PROTOCOLS[p[6]!] ?? `next-header ${p[6]}`}  payload-length ${p.readUInt16BE(4)}`;
  }
  return `inner packet: ${p.length} bytes, not a complete IP header`;
}
