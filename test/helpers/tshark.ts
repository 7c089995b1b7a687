// Runs tshark (4.0) on a capture and gives its LISP decode in a shape tests can compare.
//
// tshark -T json nests each protocol tree: a field with children appears twice, as
// "<field>": value and "<field>_tree": {children}; a text-only item with children is
// keyed by its label ("EID Prefix: [1] 172.16.42.0"); a repeated key (two locators,
// an ECM's outer and inner LISP layers) would be emitted twice, so --no-duplicate-keys
// merges repeats into one array, which keeps each record and locator its own object.
import { execFileSync } from 'node:child_process';

export type JsonNode = string | JsonNode[] | { [key: string]: JsonNode };
type JsonTree = { [key: string]: JsonNode };

/** A comparable field tree: leaves are numbers (decimal and hex fields), bigints (64-bit and wider hex) or text. */
export type FieldValue = string | number | bigint;
export interface FieldView {
  [field: string]: FieldValue | FieldView[];
}

export interface TsharkPacket {
  frame: number;
  protocols: string[];
  layers: JsonTree;
}

export interface Complaint {
  message: string;
  severity: 'error' | 'warning';
}

// expert.h: PI_WARN and PI_ERROR, as _ws.expert.severity prints them.
const PI_WARN = 0x00600000;
const PI_ERROR = 0x00800000;
/** Byte-string fields: "4b:bb:..." stays text even when it looks like a number. */
const BYTES_FIELDS = new Set(['lisp.auth', 'lisp.msrtr.auth', 'lisp.xtrid', 'lisp.siteid']);

/** Every packet tshark decodes from the file; UDP 4343 is decoded as LISP data (EIGRP OTP). */
export function tsharkPackets(file: string, options: string[] = []): TsharkPacket[] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'json', '--no-duplicate-keys', '-d', 'udp.port==4343,lisp-data', ...options], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const packets = JSON.parse(out) as { _source: { layers: JsonTree } }[];
  return packets.map(({ _source: { layers } }) => {
    const frame = layers.frame as JsonTree;
    return { frame: Number(frame['frame.number']), protocols: String(frame['frame.protocols']).split(':'), layers };
  });
}

/** A repeated key is an array, a single one is not: always an array. */
export function all(node: JsonNode | undefined): JsonNode[] {
  return node === undefined ? [] : Array.isArray(node) ? node : [node];
}

/** The LISP layers of a packet, outermost first: an ECM gives its own header, then its inner message. */
export function lispLayers(p: TsharkPacket): JsonTree[] {
  return [...all(p.layers.lisp), ...all(p.layers['lisp-data'])] as JsonTree[];
}

function leaf(key: string, v: string): FieldValue {
  if (BYTES_FIELDS.has(key)) return v;
  if (/^0x[0-9a-f]+$/i.test(v)) return v.length > 10 ? BigInt(v) : parseInt(v, 16);
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

/**
 * A tshark tree as a FieldView: "_tree" children and label-keyed subtrees are merged
 * into their parent, a field whose parts follow in its "_tree" is dropped (the parts
 * are compared), every subtree field becomes an array, and _ws.* (expert info) is left out.
 */
export function fieldView(tree: JsonTree): FieldView {
  const out: FieldView = {};
  const put = (k: string, v: FieldValue | FieldView[]) => {
    if (k in out) throw new Error(`tshark field ${k} appears twice after merging subtrees`);
    out[k] = v;
  };
  for (const [k, v] of Object.entries(tree)) {
    if (k.startsWith('_ws.')) continue;
    if (typeof v === 'string') {
      if (!(`${k}_tree` in tree)) put(k, leaf(k, v));
    } else if (k.endsWith('_tree') || !/^lisp[.-]/.test(k)) {
      for (const sub of all(v)) for (const [sk, sv] of Object.entries(fieldView(sub as JsonTree))) put(sk, sv);
    } else {
      put(k, all(v).map((sub) => fieldView(sub as JsonTree)));
    }
  }
  return out;
}

/** The named top-level fields of one protocol layer (an IP or UDP header), as comparable values. */
export function pickFields(layer: JsonNode | undefined, keys: readonly string[]): FieldView {
  const tree = (layer ?? {}) as JsonTree;
  return Object.fromEntries(keys.map((k) => [k, leaf(k, String(tree[k]))]));
}

function experts(node: JsonNode, out: Complaint[]): void {
  if (Array.isArray(node)) {
    node.forEach((n) => experts(n, out));
  } else if (typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k !== '_ws.expert') {
        experts(v, out);
        continue;
      }
      for (const e of all(v) as JsonTree[]) {
        const severity = Number(e['_ws.expert.severity']);
        if (severity >= PI_WARN) out.push({ message: String(e['_ws.expert.message']), severity: severity >= PI_ERROR ? 'error' : 'warning' });
      }
    }
  }
}

/**
 * What tshark holds against the LISP part of a packet: a "Malformed Packet" raised
 * while LISP was the innermost protocol, and expert warnings and errors inside LISP layers.
 */
export function lispComplaints(p: TsharkPacket): Complaint[] {
  const out: Complaint[] = [];
  lispLayers(p).forEach((l) => experts(l, out));
  const last = p.protocols.at(-1) ?? '';
  if ('_ws.malformed' in p.layers && /^lisp(-data)?$/.test(last)) out.push({ message: 'Malformed Packet', severity: 'error' });
  return out;
}

/** Every expert warning or error in the whole packet, at any layer ("Malformed Packet" is one). */
export function allComplaints(p: TsharkPacket): Complaint[] {
  const out: Complaint[] = [];
  experts(p.layers, out);
  return out;
}
