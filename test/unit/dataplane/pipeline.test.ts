import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataPacket } from '../../../src/packet/index.js';
import { parsePrefix, type Locator } from '../../../src/table/index.js';
import { DataCounters } from '../../../src/dataplane/counters.js';
import { Fib, type FibLocator } from '../../../src/dataplane/fib.js';
import { formatIpv6, internetChecksum } from '../../../src/packet/index.js';
import { allUp, LISP_HEADER_LENGTH } from '../../../src/dataplane/lisp-header.js';
import { MissQueue } from '../../../src/dataplane/miss-queue.js';
import { trafficClassOf } from '../../../src/dataplane/inner-packet.js';
import { Decapsulator, Encapsulator } from '../../../src/dataplane/pipeline.js';
import { OwnEids } from '../../../src/dataplane/own-eids.js';
import { marking } from '../../../src/io/linux/udp-fd.js';
import { innerPacket } from './packets.js';

const loc = (address: string, weight = 50, state: Locator['state'] = 'up'): Locator => ({
  address,
  family: address.includes(':') ? 'ipv6' : 'ipv4',
  priority: 1,
  weight,
  state,
});

/** An encapsulator and a decapsulator over in-memory sinks. */
function setup(instanceId = 0, underlayMtu = 1500, queue = new MissQueue({ holdMs: 1000 })) {
  const fib = new Fib();
  const counters = new DataCounters();
  const sent: { bytes: Buffer; locator: FibLocator; hash: number; mark: number }[] = [];
  const tun: Buffer[] = [];
  const misses: string[] = [];
  // Two RLOCs of our own, both up.
  const options = { fib, counters, instanceId, underlayMtu, locatorStatusBits: allUp(2, instanceId) };
  const tunWriter = { write: (b: Buffer, o: number, n: number) => (tun.push(Buffer.from(b.subarray(o, o + n))), true) };
  const encap = new Encapsulator(
    options,
    { send: (b, o, n, locator, hash, mark) => (sent.push({ bytes: Buffer.from(b.subarray(o, o + n)), locator, hash, mark }), true), flush: () => {} },
    tunWriter,
    queue,
    (d) => misses.push(`${d.family}:${Buffer.from(d.address).toString('hex')}`),
  );
  // The EIDs behind the decapsulating xTR: the sites' prefixes the tests send to.
  const decap = new Decapsulator(options, tunWriter, new OwnEids([parsePrefix('198.18.0.0/15'), parsePrefix('2001:db8::/32')]));
  /** Runs a packet through the encapsulator as the TUN worker does: read with headroom. */
  const push = (packet: Buffer, now = 0) => {
    const buf = Buffer.alloc(LISP_HEADER_LENGTH + packet.length);
    packet.copy(buf, LISP_HEADER_LENGTH);
    encap.process(buf, LISP_HEADER_LENGTH, packet.length, now);
  };
  return { fib, counters, sent, tun, misses, encap, decap, push };
}

const COMBINATIONS = [
  { inner: ['198.18.1.10', '198.18.2.10'], rloc: '203.0.113.10', prefix: '198.18.2.0/24' },
  { inner: ['198.18.1.10', '198.18.2.10'], rloc: '2001:db8:0:b1::10', prefix: '198.18.2.0/24' },
  { inner: ['2001:db8:1::10', '2001:db8:2::10'], rloc: '203.0.113.10', prefix: '2001:db8:2::/64' },
  { inner: ['2001:db8:1::10', '2001:db8:2::10'], rloc: '2001:db8:0:b1::10', prefix: '2001:db8:2::/64' },
] as const;

describe('data-plane pipeline', () => {
  for (const c of COMBINATIONS) {
    it(`encapsulates ${c.inner[1]} to ${c.rloc} and decapsulates it back (instance-id 1000)`, () => {
      const s = setup(1000);
      s.fib.apply({ op: 'add', prefix: parsePrefix(`[1000]${c.prefix}`), route: { kind: 'forward', locators: [loc(c.rloc)] } });
      const packet = innerPacket(c.inner[0], c.inner[1]);
      s.push(packet);
      assert.equal(s.sent.length, 1);
      const out = s.sent[0]!;
      assert.equal(out.locator.address, c.rloc);
      const decoded = dataPacket.decode(out.bytes).value;
      assert.equal(decoded.header.n, true);
      assert.equal(decoded.header.i, true);
      assert.equal(decoded.header.instanceId, 1000);
      assert.equal(decoded.header.l, true);
      assert.equal(decoded.header.lsb, 0b11, 'the LSBs say both our RLOCs are up');
      assert.deepEqual(decoded.inner, packet);
      s.decap.process(out.bytes, 0, out.bytes.length, 0, 0);
      assert.deepEqual(s.tun, [packet]);
      assert.equal(s.counters.get('encap.packets'), 1);
      assert.equal(s.counters.get('decap.packets'), 1);
    });
  }

  it('queues packets to a destination without a route, reports the miss once, and sends them in order when the route comes', () => {
    const s = setup();
    const a = innerPacket('198.18.1.10', '198.18.2.10', { sport: 1 });
    const b = innerPacket('198.18.1.10', '198.18.2.10', { sport: 2 });
    s.push(a);
    s.push(b);
    assert.deepEqual(s.misses, ['ipv4:c612020a']);
    assert.equal(s.sent.length, 0);
    s.encap.drainQueue(10);
    assert.equal(s.sent.length, 0, 'still no route');
    s.fib.apply({ op: 'add', prefix: parsePrefix('198.18.2.0/24'), route: { kind: 'forward', locators: [loc('203.0.113.10')] } });
    s.encap.drainQueue(20);
    assert.deepEqual(s.sent.map((x) => x.bytes.subarray(LISP_HEADER_LENGTH)), [a, b]);
    assert.equal(s.counters.get('encap.queue-sent'), 2);
  });

  it('sends a queued packet larger than an Ethernet frame over a jumbo underlay', () => {
    const s = setup(0, 9000);
    const big = innerPacket('198.18.1.10', '198.18.2.10', { size: 8000, df: true });
    s.push(big);
    s.fib.apply({ op: 'add', prefix: parsePrefix('198.18.2.0/24'), route: { kind: 'forward', locators: [loc('203.0.113.10')] } });
    s.encap.drainQueue(1);
    assert.deepEqual(s.sent.map((x) => x.bytes.subarray(LISP_HEADER_LENGTH)), [big]);
  });

  it('answers a queued packet too big for the underlay with ICMP quoting that packet', () => {
    const s = setup(0, 1500);
    const big = innerPacket('198.18.1.10', '198.18.2.10', { size: 1480, df: true });
    s.push(big);
    s.fib.apply({ op: 'add', prefix: parsePrefix('198.18.2.0/24'), route: { kind: 'forward', locators: [loc('203.0.113.10')] } });
    s.encap.drainQueue(1);
    assert.equal(s.sent.length, 0);
    const icmp = s.tun[0]!;
    assert.deepEqual(icmp.subarray(28, 48), big.subarray(0, 20), 'the quoted header is the packet\'s');
    assert.equal(internetChecksum(icmp, 20, icmp.length, 0), 0);
  });

  it('the miss queue of the data plane (its defaults, as the encap worker makes it) holds 32 packets per destination, 1,024 destinations, for 3 s', () => {
    const s = setup(0, 1500, new MissQueue());
    const to = (i: number) => `198.18.${2 + (i >> 8)}.${i & 0xff}`;
    for (let n = 0; n < 40; n++) s.push(innerPacket('198.18.1.10', to(0), { sport: n + 1 }), 0);
    assert.equal(s.counters.get('encap.queued'), 32);
    assert.equal(s.counters.get('encap.queue-dropped'), 8, 'beyond 32 packets for one destination');
    for (let i = 1; i < 1100; i++) s.push(innerPacket('198.18.1.10', to(i)), 0);
    assert.equal(s.misses.length, 1024, 'destinations beyond 1,024 are not queued, nor reported');
    assert.equal(s.counters.get('encap.queue-dropped'), 8 + 1100 - 1024);
    s.encap.drainQueue(3000);
    assert.equal(s.counters.get('encap.queue-expired'), 0, 'still waiting at 3 s');
    s.fib.apply({ op: 'add', prefix: parsePrefix('198.18.2.0/24'), route: { kind: 'forward', locators: [loc('203.0.113.10')] } });
    s.encap.drainQueue(3000);
    assert.equal(s.sent.length, 32 + 255, 'what waited for 198.18.2.0/24 goes out');
    s.encap.drainQueue(3001);
    assert.equal(s.counters.get('encap.queue-expired'), 1024 - 256, 'the rest is dropped after 3 s');
    s.push(innerPacket('198.18.1.10', to(1099)), 3002);
    assert.equal(s.misses.length, 1025, 'room again: a new destination waits and is reported');
  });

  it('drops queued packets that waited longer than the hold time, and reports the destination again later', () => {
    const s = setup();
    s.push(innerPacket('198.18.1.10', '198.18.2.10'), 0);
    s.encap.drainQueue(1001);
    assert.equal(s.counters.get('encap.queue-expired'), 1);
    s.push(innerPacket('198.18.1.10', '198.18.2.10'), 1002);
    assert.equal(s.misses.length, 2);
  });

  it('applies negative routes: drop, and natively-forward without a PETR is counted and dropped', () => {
    const s = setup();
    s.fib.apply({ op: 'add', prefix: parsePrefix('198.18.4.0/24'), route: { kind: 'negative', action: 'drop' } });
    s.fib.apply({ op: 'add', prefix: parsePrefix('198.18.5.0/24'), route: { kind: 'negative', action: 'natively-forward' } });
    s.push(innerPacket('198.18.1.10', '198.18.4.1'));
    s.push(innerPacket('198.18.1.10', '198.18.5.1'));
    assert.equal(s.sent.length + s.misses.length, 0);
    assert.equal(s.counters.get('encap.negative-drop'), 1);
    assert.equal(s.counters.get('encap.negative-no-petr'), 1);
  });

  it('splits flows 50/50 between two locators of equal weight, keeps each flow on one, and skips a down locator', () => {
    const s = setup();
    const route = (state: Locator['state']) =>
      s.fib.apply({ op: 'add', prefix: parsePrefix('198.18.2.0/24'), route: { kind: 'forward', locators: [loc('203.0.113.10', 50, state), loc('203.0.113.138')] } });
    route('up');
    for (let port = 1; port <= 2000; port++) s.push(innerPacket('198.18.1.10', '198.18.2.10', { sport: port }));
    const first = s.sent.filter((x) => x.locator.address === '203.0.113.10').length;
    assert.ok(Math.abs(first - 1000) < 100, `${first} of 2000 flows on the first locator`);
    s.push(innerPacket('198.18.1.10', '198.18.2.10', { sport: 7 }));
    assert.equal(s.sent.at(-1)!.locator.address, s.sent[6]!.locator.address, 'a flow stays on its locator');
    route('down');
    s.sent.length = 0;
    for (let port = 1; port <= 100; port++) s.push(innerPacket('198.18.1.10', '198.18.2.10', { sport: port }));
    assert.ok(s.sent.every((x) => x.locator.address === '203.0.113.138'));
  });

  it('answers a DF packet too big for the underlay with ICMP fragmentation-needed, and IPv6 with packet-too-big', () => {
    const s = setup(0, 1500);
    s.fib.apply({ op: 'add', prefix: parsePrefix('198.18.2.0/24'), route: { kind: 'forward', locators: [loc('203.0.113.10')] } });
    s.fib.apply({ op: 'add', prefix: parsePrefix('2001:db8:2::/64'), route: { kind: 'forward', locators: [loc('2001:db8:0:b1::10')] } });
    s.push(innerPacket('198.18.1.10', '198.18.2.10', { size: 1480, df: true }));
    s.push(innerPacket('198.18.1.10', '198.18.2.10', { size: 1480, df: false }));
    s.push(innerPacket('2001:db8:1::10', '2001:db8:2::10', { size: 1450 }));
    assert.equal(s.sent.length, 1, 'the packet without DF is sent (the underlay fragments it)');
    assert.equal(s.tun.length, 2);
    const [v4, v6] = s.tun as [Buffer, Buffer];
    assert.equal(v4.readUInt8(20), 3);
    assert.equal(v4.readUInt8(21), 4);
    assert.equal(v4.readUInt16BE(26), 1464);
    assert.equal(v4.subarray(16, 20).join('.'), '198.18.1.10');
    assert.equal(v4.subarray(12, 16).join('.'), '192.0.0.8', 'ICMPv4 comes from 192.0.0.8 (RFC 7600)');
    assert.equal(formatIpv6(v6, 8), '2001:db8:2::10', 'ICMPv6 comes from the destination the packet was sent to');
    assert.equal(formatIpv6(v6, 24), '2001:db8:1::10');
    assert.equal(internetChecksum(v4, 0, 20, 0), 0, 'IPv4 header checksum');
    assert.equal(internetChecksum(v4, 20, v4.length, 0), 0, 'ICMP checksum');
    assert.equal(v6.readUInt8(40), 2);
    assert.equal(v6.readUInt32BE(44), 1444);
    assert.ok(v6.length <= 1280);
    const pseudo = [...v6.subarray(8, 40)].reduce((sum, _b, i, a) => (i % 2 ? sum : sum + ((a[i]! << 8) | a[i + 1]!)), 0) + (v6.length - 40) + 58;
    assert.equal(internetChecksum(v6, 40, v6.length, pseudo), 0, 'ICMPv6 checksum');
    assert.equal(s.counters.get('encap.too-big'), 2);
  });

  it('decapsulation caps the inner TTL at the outer one, keeping the IPv4 checksum right', () => {
    const s = setup();
    const packet = innerPacket('198.18.2.10', '198.18.1.10', { ttl: 64 });
    const lisp = Buffer.concat([Buffer.from('8000000100000000', 'hex'), packet]);
    s.decap.process(lisp, 0, lisp.length, 5, 0);
    const out = s.tun[0]!;
    assert.equal(out[8], 5);
    assert.equal(internetChecksum(out, 0, 20, 0), 0);
  });

  it('copies the inner TTL and TOS (or hop limit and traffic class) to the outer header', () => {
    const s = setup();
    s.fib.apply({ op: 'add', prefix: parsePrefix('198.18.2.0/24'), route: { kind: 'forward', locators: [loc('203.0.113.10')] } });
    s.fib.apply({ op: 'add', prefix: parsePrefix('2001:db8:2::/64'), route: { kind: 'forward', locators: [loc('2001:db8:0:b1::10')] } });
    s.push(innerPacket('198.18.1.10', '198.18.2.10', { ttl: 61, tos: 0xb8 | 1 }));
    s.push(innerPacket('2001:db8:1::10', '2001:db8:2::10', { ttl: 9, tos: 0x2a }));
    assert.deepEqual(
      s.sent.map((x) => x.mark),
      [marking(61, 0xb9), marking(9, 0x2a)],
    );
  });

  for (const [family, src, dst] of [
    ['IPv4', '198.18.2.10', '198.18.1.10'],
    ['IPv6', '2001:db8:2::10', '2001:db8:1::10'],
  ] as const) {
    it(`decapsulation copies an outer Congestion Experienced mark into the inner ${family} header, and nothing else`, () => {
      const s = setup();
      const header = Buffer.from('8000000100000000', 'hex');
      for (const [outerTos, innerTos] of [
        [0x03, 0x01],
        [0x02, 0x01],
        [0xb8, 0x00],
      ] as const) {
        const lisp = Buffer.concat([header, innerPacket(src, dst, { tos: innerTos })]);
        s.decap.process(lisp, 0, lisp.length, 0, outerTos);
      }
      assert.deepEqual(
        s.tun.map((p) => trafficClassOf(p, 0)),
        [0x03, 0x01, 0x00],
      );
      if (family === 'IPv4') assert.equal(internetChecksum(s.tun[0]!, 0, 20, 0), 0, 'the IPv4 header checksum is updated');
    });
  }

  it('sends 32 Locator-Status-Bits without an instance-id, 8 with one, none without RLOCs', () => {
    assert.equal(allUp(2, 0), 0b11);
    assert.equal(allUp(40, 0), 0xffffffff);
    assert.equal(allUp(12, 7), 0xff);
    assert.equal(allUp(0, 0), 0);
    const s = setup(0);
    s.fib.apply({ op: 'add', prefix: parsePrefix('198.18.2.0/24'), route: { kind: 'forward', locators: [loc('203.0.113.10')] } });
    s.push(innerPacket('198.18.1.10', '198.18.2.10'));
    const header = dataPacket.decode(s.sent[0]!.bytes).value.header;
    assert.deepEqual([header.l, header.i, header.lsb], [true, false, 0b11]);
  });

  it('counts and drops what it cannot decapsulate', () => {
    const s = setup(7);
    const packet = innerPacket('198.18.2.10', '198.18.1.10');
    const cases: [string, Buffer][] = [
      ['decap.truncated', Buffer.from('8800000700000700', 'hex')],
      ['decap.wrong-instance-id', Buffer.concat([Buffer.from('8800000100000800', 'hex'), packet])],
      ['decap.unsupported-header', Buffer.concat([Buffer.from('8c00000100000700', 'hex'), packet])],
      ['decap.not-ip', Buffer.concat([Buffer.from('8800000100000700', 'hex'), packet.subarray(0, 60)])],
      // Anybody may send to UDP 4341: a packet for an address that is not one of our EIDs is not delivered.
      ['decap.not-our-eid', Buffer.concat([Buffer.from('8800000100000700', 'hex'), innerPacket('198.18.2.10', '203.0.113.99')])],
      ['decap.not-our-eid', Buffer.concat([Buffer.from('8800000100000700', 'hex'), innerPacket('2001:db8:2::10', '2001:db9::1')])],
    ];
    for (const [counter, bytes] of cases) {
      const before = s.counters.get(counter as 'decap.not-ip');
      s.decap.process(bytes, 0, bytes.length, 0, 0);
      assert.equal(s.counters.get(counter as 'decap.not-ip'), before + 1, counter);
    }
    assert.equal(s.tun.length, 0);
  });
});

describe('data-plane pipeline filters', () => {
  it('drops multicast, broadcast and IPv6 link-local destinations without a miss', () => {
    const s = setup();
    for (const [src, dst] of [
      ['198.18.1.10', '224.0.0.22'],
      ['198.18.1.10', '255.255.255.255'],
      ['fe80::1', 'ff02::16'],
      ['fe80::1', 'fe80::2'],
    ] as const) {
      s.push(innerPacket(src, dst));
    }
    assert.equal(s.counters.get('encap.not-unicast'), 4);
    assert.equal(s.misses.length, 0);
  });
});
