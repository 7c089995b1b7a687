// `loci decode FILE|HEX` (its options in commands.ts): print every LISP packet of a capture (pcap, pcapng)
// or one hex-encoded UDP payload, as a field-by-field dump, with --hex and --json variants;
// --verify fails when a message does not decode or does not re-encode to its bytes.
import { existsSync, readFileSync } from 'node:fs';
import { udpDatagrams, type UdpDatagram } from '../capture/index.js';
import { formatDataHeader, formatMessage, hexDump, LispError, toJsonValue } from '../packet/index.js';
import { decodeLispDatagram, DEFAULT_PORTS, lispKind, type LispDatagram, type LispPorts } from './lisp-datagram.js';

export interface DecodeOptions {
  port: number[];
  controlPort: number[];
  data: boolean;
  hex: boolean;
  json: boolean;
  verify: boolean;
}

interface Packet {
  datagram: Pick<UdpDatagram, 'frame' | 'src' | 'dst' | 'sport' | 'dport' | 'payload' | 'truncated' | 'timestampNs'> | undefined;
  payload: Buffer;
  lisp: LispDatagram;
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export function runDecode(input: string, opts: DecodeOptions, { out, err }: Output): number {
  const packets = readPackets(input, opts);
  const failures: string[] = [];
  for (const p of packets) {
    const why = problem(p);
    if (why) failures.push(`${where(p)}: ${why}`);
    out(opts.json ? JSON.stringify(jsonOf(p, opts.hex)) : textOf(p, opts.hex));
  }
  if (!opts.json) out(`${packets.length} LISP packets, ${packets.length - failures.length} decoded and re-encoded exactly, ${failures.length} with problems`);
  if (opts.verify && failures.length > 0) {
    for (const f of failures) err(`verify: ${f}`);
    return 1;
  }
  return 0;
}

function readPackets(input: string, opts: DecodeOptions): Packet[] {
  if (!existsSync(input)) {
    const hex = input.replace(/[\s:]/g, '');
    if (!/^([0-9a-fA-F]{2})+$/.test(hex)) {
      throw new LispError('ERR_LISP_CAPTURE', `"${input}" is neither a file nor an even-length hex string`);
    }
    const payload = Buffer.from(hex, 'hex');
    return [{ datagram: undefined, payload, lisp: decodeLispDatagram(payload, opts.data ? 'data' : 'control') }];
  }
  const ports: LispPorts = { control: [...DEFAULT_PORTS.control, ...opts.controlPort], data: [...DEFAULT_PORTS.data, ...opts.port] };
  const out: Packet[] = [];
  for (const d of udpDatagrams(readFileSync(input))) {
    const kind = lispKind(d, ports);
    if (kind) out.push({ datagram: d, payload: d.payload, lisp: decodeLispDatagram(d.payload, kind) });
  }
  return out;
}

function problem(p: Packet): string | undefined {
  if ('error' in p.lisp) return `${p.lisp.error.code}: ${p.lisp.error.message}`;
  if (p.datagram?.truncated) return 'the capture holds fewer bytes than the UDP length';
  if (!p.lisp.exact) return 're-encoding does not give back the captured bytes';
  return undefined;
}

const where = (p: Packet) => (p.datagram ? `frame ${p.datagram.frame}` : 'input');

function headline(p: Packet): string {
  const d = p.datagram;
  if (!d) return `input  (${p.payload.length} bytes)`;
  const time = d.timestampNs ? `  ${new Date(Number(d.timestampNs / 1_000_000n)).toISOString()}` : '';
  const host = (a: string, port: number) => (a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);
  return `frame ${d.frame}${time}  ${host(d.src, d.sport)} -> ${host(d.dst, d.dport)}  (${p.payload.length} bytes${d.truncated ? ', truncated' : ''})`;
}

function textOf(p: Packet, hex: boolean): string {
  const l = p.lisp;
  const body =
    'error' in l
      ? `  ${l.kind === 'data' ? 'LISP data header' : 'LISP control message'}: ${l.error.code}: ${l.error.message}`
      : l.kind === 'control'
        ? formatMessage(l.message)
        : `${formatDataHeader(l.header)}\n  ${l.inner}`;
  const exact = !('error' in l) && !l.exact ? '\n  !! re-encoding differs from the captured bytes' : '';
  return `${headline(p)}\n${body}${exact}${hex ? `\n${hexDump(p.payload)}` : ''}\n`;
}

function jsonOf(p: Packet, hex: boolean): unknown {
  const d = p.datagram;
  const l = p.lisp;
  return toJsonValue({
    ...(d ? { frame: d.frame, timestampNs: d.timestampNs, src: d.src, dst: d.dst, sport: d.sport, dport: d.dport, truncated: d.truncated } : {}),
    kind: l.kind,
    length: p.payload.length,
    ...('error' in l
      ? { error: { code: l.error.code, messageType: l.error.messageType, offset: l.error.offset, message: l.error.message } }
      : l.kind === 'control'
        ? { message: l.message, exact: l.exact }
        : { header: l.header, inner: l.inner, exact: l.exact }),
    ...(hex ? { hex: p.payload } : {}),
  });
}
