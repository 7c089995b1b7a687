// Builders of synthetic capture files and frames for the capture tests.

type Order = 'le' | 'be';

function u16(value: number, order: Order = 'be'): Buffer {
  const b = Buffer.alloc(2);
  if (order === 'le') b.writeUInt16LE(value);
  else b.writeUInt16BE(value);
  return b;
}

function u32(value: number, order: Order = 'be'): Buffer {
  const b = Buffer.alloc(4);
  if (order === 'le') b.writeUInt32LE(value);
  else b.writeUInt32BE(value);
  return b;
}

export interface SynthRecord {
  data: Buffer;
  seconds?: number;
  fraction?: number;
  originalLength?: number;
}

export function pcapFile(
  records: SynthRecord[],
  { order = 'le', nano = false, linkType = 1 }: { order?: Order; nano?: boolean; linkType?: number } = {},
): Buffer {
  const header = Buffer.concat([
    u32(nano ? 0xa1b23c4d : 0xa1b2c3d4, order),
    u16(2, order),
    u16(4, order),
    u32(0, order),
    u32(0, order),
    u32(65535, order),
    u32(linkType, order),
  ]);
  const body = records.map((r) =>
    Buffer.concat([
      u32(r.seconds ?? 0, order),
      u32(r.fraction ?? 0, order),
      u32(r.data.length, order),
      u32(r.originalLength ?? r.data.length, order),
      r.data,
    ]),
  );
  return Buffer.concat([header, ...body]);
}

export function block(type: number, body: Buffer, order: Order = 'le'): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const length = padded.length + 12;
  return Buffer.concat([u32(type, order), u32(length, order), padded, u32(length, order)]);
}

export function option(code: number, value: Buffer, order: Order = 'le'): Buffer {
  const padded = Buffer.concat([value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
  return Buffer.concat([u16(code, order), u16(value.length, order), padded]);
}

export function shb(order: Order = 'le'): Buffer {
  const sectionLength = Buffer.alloc(8, 0xff); // -1: unknown
  return block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d, order), u16(1, order), u16(0, order), sectionLength]), order);
}

export function idb(linkType: number, options: Buffer[] = [], order: Order = 'le', snapLen = 0): Buffer {
  const end = options.length ? [u32(0, order)] : [];
  return block(1, Buffer.concat([u16(linkType, order), u16(0, order), u32(snapLen, order), ...options, ...end]), order);
}

export function epb(iface: number, ticks: bigint, data: Buffer, order: Order = 'le'): Buffer {
  const head = [u32(iface, order), u32(Number(ticks >> 32n), order), u32(Number(ticks & 0xffffffffn), order)];
  return block(6, Buffer.concat([...head, u32(data.length, order), u32(data.length, order), data]), order);
}

export function spb(data: Buffer, order: Order = 'le'): Buffer {
  return block(3, Buffer.concat([u32(data.length, order), data]), order);
}

export function ethernet(etherType: number, payload: Buffer, vlanTpids: number[] = []): Buffer {
  const macs = Buffer.alloc(12, 0x02);
  const tags = vlanTpids.map((tpid, i) => Buffer.concat([u16(tpid), u16(100 + i)]));
  return Buffer.concat([macs, ...tags, u16(etherType), payload]);
}

function addressBytes(text: string): Buffer {
  if (text.includes('.')) return Buffer.from(text.split('.').map(Number));
  const [head = '', tail = ''] = text.split('::');
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = text.includes('::') ? [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  return Buffer.concat(all.map((g) => u16(g)));
}

export interface Ipv4Options {
  src?: string;
  dst?: string;
  options?: Buffer;
  fragmentOffset?: number;
  moreFragments?: boolean;
  totalLength?: number;
}

export function ipv4(protocol: number, payload: Buffer, o: Ipv4Options = {}): Buffer {
  const options = o.options ?? Buffer.alloc(0);
  const headerLength = 20 + options.length;
  const h = Buffer.alloc(20);
  h.writeUInt8(0x40 | (headerLength / 4), 0);
  h.writeUInt16BE(o.totalLength ?? headerLength + payload.length, 2);
  h.writeUInt16BE((o.moreFragments ? 0x2000 : 0) | (o.fragmentOffset ?? 0), 6);
  h.writeUInt8(64, 8);
  h.writeUInt8(protocol, 9);
  addressBytes(o.src ?? '192.0.2.1').copy(h, 12);
  addressBytes(o.dst ?? '198.51.100.1').copy(h, 16);
  return Buffer.concat([h, options, payload]);
}

/** An IPv6 packet; each extension is [header type, body after the next-header byte]. */
export function ipv6(
  protocol: number,
  payload: Buffer,
  { src = '2001:db8::1', dst = '2001:db8::2', extensions = [] as [number, Buffer][] } = {},
): Buffer {
  const types = [...extensions.map(([type]) => type), protocol];
  const ext = extensions.map(([, body], i) => Buffer.concat([Buffer.from([types[i + 1] ?? 0]), body]));
  const rest = Buffer.concat([...ext, payload]);
  const h = Buffer.alloc(8);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(rest.length, 4);
  h.writeUInt8(types[0] ?? 0, 6);
  h.writeUInt8(64, 7);
  return Buffer.concat([h, addressBytes(src), addressBytes(dst), rest]);
}

export function udp(sport: number, dport: number, payload: Buffer, length = payload.length + 8): Buffer {
  return Buffer.concat([u16(sport), u16(dport), u16(length), u16(0), payload]);
}

export function gre(
  protocol: number,
  payload: Buffer,
  { checksum = false, key = false, sequence = false } = {},
): Buffer {
  const flags = (checksum ? 0x8000 : 0) | (key ? 0x2000 : 0) | (sequence ? 0x1000 : 0);
  const fields = [checksum && Buffer.alloc(4), key && u32(0xdeadbeef), sequence && u32(7)].filter(
    (b): b is Buffer => b instanceof Buffer,
  );
  return Buffer.concat([u16(flags), u16(protocol), ...fields, payload]);
}
