// Codec throughput: decode and encode rates of three typical control messages, each
// against the rate of copying the same bytes (Buffer.from) measured in the same run.
// Run: node --import tsx bench/codec.ts. Warm-up, then the median of ROUNDS rounds,
// the operations of a message interleaved round by round so drift hits all alike.
import assert from 'node:assert/strict';
import {
  noFlags,
  MAP_REQUEST_FLAGS,
  MAP_REGISTER_FLAGS,
  decodeMessage,
  encodeAuthenticated,
  encodeMessage,
  LispDecodeError,
  verifyMessage,
  type Address,
  type LispMessage,
  type LocatorRecord,
  type MapRegister,
  type MapReply,
  type MapRequest,
  type MappingRecord,
} from '../src/packet/index.js';

const WARMUP_MS = 300;
const ROUND_MS = 150;
const ROUNDS = 7;
const BATCH = 200;
const KEY = 'bench-key';

const v4 = (address: string): Address => ({ afi: 'ipv4', address });
const v6 = (address: string): Address => ({ afi: 'ipv6', address });

const locator = (address: Address): LocatorRecord => ({
  priority: 1,
  weight: 50,
  mPriority: 255,
  mWeight: 0,
  local: false,
  probed: false,
  reachable: true,
  address,
});

const record = (eid: string, maskLen: number, locators: LocatorRecord[]): MappingRecord => ({
  ttl: 1440,
  maskLen,
  eid: v4(eid),
  act: 0,
  authoritative: true,
  mapVersion: 0,
  locators,
});

const mapRequest: MapRequest = {
  type: 'map-request',
  ...noFlags(MAP_REQUEST_FLAGS),
  nonce: 0x1f2e3d4c5b6a7988n,
  sourceEid: v4('198.18.0.10'),
  itrRlocs: [v4('192.0.2.1'), v6('2001:db8::1')],
  records: [{ notify: false, maskLen: 32, eid: v4('198.19.1.1') }],
};

const mapRegister: MapRegister = {
  type: 'map-register',
  ...noFlags(MAP_REGISTER_FLAGS),
  wantMapNotify: true,
  nonce: 0x0102030405060708n,
  keyId: 1,
  algorithmId: 2,
  authData: Buffer.alloc(0),
  records: [
    record('198.18.1.0', 24, [locator(v4('192.0.2.1')), locator(v6('2001:db8::1'))]),
    record('198.18.2.0', 24, [locator(v4('198.51.100.1')), locator(v6('2001:db8:1::1'))]),
  ],
};

const mapReply: MapReply = {
  type: 'map-reply',
  probe: false,
  echoNonceCapable: false,
  nonce: 0x1f2e3d4c5b6a7988n,
  records: [
    record(
      '198.19.0.0',
      16,
      Array.from({ length: 8 }, (_, i) => locator(i % 2 === 0 ? v4(`203.0.113.${i + 1}`) : v6(`2001:db8:${i}::1`))),
    ),
  ],
};

function decode(bytes: Buffer) {
  const r = decodeMessage(bytes);
  if (r instanceof LispDecodeError) throw r;
  return r.value;
}

interface Op<T = unknown> {
  name: string;
  /** Returns something truthy; the result is checked so the work cannot be skipped. */
  run: () => T;
}

interface Case {
  name: string;
  bytes: Buffer;
  /** What decoding bytes must give. */
  value: LispMessage;
  decode: Op;
  encode: Op<Buffer>;
}

const requestBytes = encodeMessage(mapRequest);
const registerBytes = encodeAuthenticated(mapRegister, KEY);
const replyBytes = encodeMessage(mapReply);

const cases: Case[] = [
  {
    name: 'Map-Request (ITR-RLOCs IPv4 + IPv6, 1 record)',
    bytes: requestBytes,
    value: mapRequest,
    decode: { name: 'decode', run: () => decode(requestBytes) },
    encode: { name: 'encode', run: () => encodeMessage(mapRequest) },
  },
  {
    name: 'Map-Register (2 records, HMAC-SHA-256)',
    bytes: registerBytes,
    value: { ...mapRegister, authData: registerBytes.subarray(16, 48) },
    decode: { name: 'decode + verify', run: () => verifyMessage(registerBytes, KEY) && decode(registerBytes) },
    encode: { name: 'encode + sign', run: () => encodeAuthenticated(mapRegister, KEY) },
  },
  {
    name: 'Map-Reply (1 record, 8 locators IPv4/IPv6)',
    bytes: replyBytes,
    value: mapReply,
    decode: { name: 'decode', run: () => decode(replyBytes) },
    encode: { name: 'encode', run: () => encodeMessage(mapReply) },
  },
];

// Each operation is checked once before it is timed.
for (const c of cases) {
  assert.ok(c.encode.run().equals(c.bytes), `${c.name}: encode gives other bytes`);
  assert.deepStrictEqual(decode(c.bytes), c.value, `${c.name}: decode gives another value`);
}
assert.ok(verifyMessage(registerBytes, KEY), 'the Map-Register verifies');

/** Operations per second over about ms milliseconds. */
function rate(op: () => unknown, ms: number): number {
  const start = process.hrtime.bigint();
  let n = 0;
  let elapsedMs = 0;
  do {
    for (let i = 0; i < BATCH; i++) if (!op()) throw new Error('operation failed');
    n += BATCH;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsedMs < ms);
  return (n / elapsedMs) * 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? NaN;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(11);

console.log(`codec throughput, messages/s: median of ${ROUNDS} rounds of ${ROUND_MS} ms after ${WARMUP_MS} ms warm-up (node ${process.version})`);
console.log('baseline: Buffer.from(bytes) of the same message in the same rounds; ratio = operation rate / copy rate\n');
console.log(`${'message'.padEnd(46)} ${'bytes'.padStart(5)}  ${'operation'.padEnd(15)} ${'msg/s'.padStart(11)} ${'copy/s'.padStart(11)}  ratio`);
for (const c of cases) {
  const ops: Op[] = [{ name: 'copy', run: () => Buffer.from(c.bytes) }, c.decode, c.encode];
  for (const op of ops) rate(op.run, WARMUP_MS);
  const rounds = Array.from({ length: ROUNDS }, () => ops.map((op) => rate(op.run, ROUND_MS)));
  const medianOf = (j: number) => median(rounds.map((r) => r[j] ?? NaN));
  const copy = medianOf(0);
  [c.decode, c.encode].forEach((op, k) => {
    const r = medianOf(k + 1);
    const [label, size] = k === 0 ? [c.name, String(c.bytes.length)] : ['', ''];
    console.log(`${label.padEnd(46)} ${size.padStart(5)}  ${op.name.padEnd(15)} ${fmt(r)} ${fmt(copy)}  ${(r / copy).toFixed(3)}`);
  });
}
