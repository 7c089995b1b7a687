import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frameDatagram, isLispPort, LinkType, udpDatagrams, type UdpDatagram } from '../../../src/capture/index.js';
import { capturesDir } from '../../helpers/vectors.js';
import { ethernet, gre, ipv4, ipv6, udp } from './synth.js';

const payload = Buffer.from('LISP payload');
const v4udp = ipv4(17, udp(4342, 4342, payload));
const v6udp = ipv6(17, udp(4341, 4342, payload));
const vlan5Ipv6 = Buffer.from([0x00, 0x05, 0x86, 0xdd]); // TCI, then the inner ethertype

function dissect(linkType: number, data: Buffer): UdpDatagram | undefined {
  return frameDatagram({ number: 7, timestampNs: 42n, linkType, data, originalLength: data.length });
}

function sll(protocol: number, packet: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt16BE(protocol, 14);
  return Buffer.concat([header, packet]);
}

function sll2(protocol: number, packet: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(protocol, 0);
  return Buffer.concat([header, packet]);
}

function family(af: number, order: 'le' | 'be', packet: Buffer): Buffer {
  const header = Buffer.alloc(4);
  if (order === 'le') header.writeUInt32LE(af);
  else header.writeUInt32BE(af);
  return Buffer.concat([header, packet]);
}

const captured = (name: string) => udpDatagrams(readFileSync(join(capturesDir, name)));

test('an IPv4 UDP datagram in Ethernet, with every field', () => {
  assert.deepEqual(dissect(LinkType.Ethernet, ethernet(0x0800, v4udp)), {
    frame: 7,
    timestampNs: 42n,
    ipVersion: 4,
    src: '192.0.2.1',
    dst: '198.51.100.1',
    sport: 4342,
    dport: 4342,
    payload,
    truncated: false,
  });
});

test('every supported link type reaches the UDP payload', () => {
  const cases: [string, number, Buffer, 4 | 6][] = [
    ['Ethernet, IPv6', LinkType.Ethernet, ethernet(0x86dd, v6udp), 6],
    ['802.1Q', LinkType.Ethernet, ethernet(0x0800, v4udp, [0x8100]), 4],
    ['802.1ad + 802.1Q', LinkType.Ethernet, ethernet(0x86dd, v6udp, [0x88a8, 0x8100]), 6],
    ['Linux SLL', LinkType.LinuxSll, sll(0x0800, v4udp), 4],
    ['Linux SLL, VLAN kept', LinkType.LinuxSll, sll(0x8100, Buffer.concat([vlan5Ipv6, v6udp])), 6],
    ['Linux SLL2', LinkType.LinuxSll2, sll2(0x86dd, v6udp), 6],
    ['raw (101)', LinkType.Raw, v4udp, 4],
    ['raw (12)', LinkType.RawDltBsd, v6udp, 6],
    ['raw (14)', LinkType.RawDltOpenBsd, v4udp, 4],
    ['IPv4 (228)', LinkType.Ipv4, v4udp, 4],
    ['IPv6 (229)', LinkType.Ipv6, v6udp, 6],
    ['null, little-endian AF_INET', LinkType.Null, family(2, 'le', v4udp), 4],
    ['null, big-endian AF_INET6 (FreeBSD)', LinkType.Null, family(28, 'be', v6udp), 6],
    ['loop, AF_INET6 (Darwin)', LinkType.Loop, family(30, 'be', v6udp), 6],
  ];
  for (const [name, linkType, data, version] of cases) {
    const d = dissect(linkType, data);
    assert.equal(d?.ipVersion, version, name);
    assert.deepEqual(d?.payload, payload, name);
  }
});

test('frames without a UDP datagram give undefined', () => {
  const cases: [string, number, Buffer][] = [
    ['ARP', LinkType.Ethernet, ethernet(0x0806, Buffer.alloc(28))],
    ['802.3 length field', LinkType.Ethernet, ethernet(46, v4udp)],
    ['runt Ethernet', LinkType.Ethernet, Buffer.alloc(13)],
    ['VLAN tag cut short', LinkType.Ethernet, ethernet(0x8100, Buffer.alloc(0)).subarray(0, 15)],
    ['unknown link type', 147, v4udp],
    ['raw, version 5', LinkType.Raw, Buffer.from([0x50, ...v4udp.subarray(1)])],
    ['ethertype says IPv6, header is IPv4', LinkType.Ethernet, ethernet(0x86dd, v4udp)],
    ['null, AF_UNIX', LinkType.Null, family(1, 'le', v4udp)],
    ['TCP', LinkType.Raw, ipv4(6, Buffer.alloc(20))],
    ['IHL below 5', LinkType.Raw, Buffer.from([0x44, ...v4udp.subarray(1)])],
    ['IHL beyond the capture', LinkType.Raw, Buffer.from([0x4f, ...v4udp.subarray(1, 30)])],
    ['IPv4 total length below IHL', LinkType.Raw, ipv4(17, udp(1, 2, payload), { totalLength: 19 })],
    ['non-first IPv4 fragment', LinkType.Raw, ipv4(17, udp(1, 2, payload), { fragmentOffset: 185 })],
    ['UDP header cut short', LinkType.Raw, v4udp.subarray(0, 27)],
    ['UDP length below 8', LinkType.Raw, ipv4(17, udp(1, 2, payload, 7))],
    ['IPv6 header cut short', LinkType.Raw, v6udp.subarray(0, 39)],
  ];
  for (const [name, linkType, data] of cases) assert.equal(dissect(linkType, data), undefined, name);
});

test('IPv4 options are skipped by IHL', () => {
  const options = Buffer.from([0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00]); // router alert, NOPs, EOL
  const d = dissect(LinkType.Raw, ipv4(17, udp(4342, 4342, payload), { options }));
  assert.deepEqual(d?.payload, payload);
});

test('the payload is bounded by the UDP length, then the IP length, then the capture', () => {
  const padded = Buffer.concat([ethernet(0x0800, ipv4(17, udp(4342, 4342, payload, 8 + 4))), Buffer.alloc(20, 0xee)]);
  assert.deepEqual(dissect(LinkType.Ethernet, padded)?.payload, payload.subarray(0, 4));

  const shortIp = dissect(LinkType.Raw, ipv4(17, udp(4342, 4342, payload), { totalLength: 20 + 8 + 5 }));
  assert.deepEqual([shortIp?.payload, shortIp?.truncated], [payload.subarray(0, 5), true]);

  const snapped = dissect(LinkType.Raw, v4udp.subarray(0, v4udp.length - 2));
  assert.deepEqual([snapped?.payload, snapped?.truncated], [payload.subarray(0, payload.length - 2), true]);

  const firstFragment = dissect(LinkType.Raw, ipv4(17, udp(4342, 4342, payload, 3000), { moreFragments: true }));
  assert.deepEqual([firstFragment?.payload, firstFragment?.truncated], [payload, true]);

  const lengthZero = dissect(LinkType.Raw, ipv6(17, udp(4342, 4342, payload, 0)));
  assert.deepEqual([lengthZero?.payload, lengthZero?.truncated], [payload, false]);
});

test('IPv6 extension headers are walked; non-first fragments are skipped', () => {
  const hopByHop: [number, Buffer] = [0, Buffer.from([0, 1, 4, 0, 0, 0, 0])];
  const routing: [number, Buffer] = [43, Buffer.from([0, 0, 0, 0, 0, 0, 0])];
  const destination: [number, Buffer] = [60, Buffer.concat([Buffer.from([1]), Buffer.alloc(14)])];
  const fragment = (offset: number): [number, Buffer] => {
    const body = Buffer.from([0, 0, 0, 1, 2, 3, 4]); // reserved, offset + flags, identification
    body.writeUInt16BE(offset << 3, 1);
    return [44, body];
  };
  const inner = udp(4342, 4342, payload);

  const walked = dissect(LinkType.Raw, ipv6(17, inner, { extensions: [hopByHop, routing, destination, fragment(0)] }));
  assert.deepEqual([walked?.sport, walked?.payload], [4342, payload]);
  assert.equal(dissect(LinkType.Raw, ipv6(17, inner, { extensions: [hopByHop, fragment(100)] })), undefined);
  const overrun: [number, Buffer] = [60, Buffer.from([200, 0, 0, 0, 0, 0, 0])];
  assert.equal(dissect(LinkType.Raw, ipv6(17, inner, { extensions: [overrun] })), undefined);
  assert.equal(dissect(LinkType.Raw, ipv6(59, Buffer.alloc(0))), undefined, 'no next header');
});

test('GRE and IP-in-IP tunnels are followed to the inner UDP datagram', () => {
  const inner = ipv4(17, udp(4342, 4342, payload), { src: '203.0.113.1', dst: '203.0.113.2' });
  const inner6 = ipv6(17, udp(4342, 4342, payload), { src: '2001:db8::a', dst: '2001:db8::b' });
  const cases: [string, Buffer, string][] = [
    ['GRE, basic header', ipv4(47, gre(0x0800, inner)), '203.0.113.1'],
    ['GRE, all optional fields', ipv4(47, gre(0x0800, inner, { checksum: true, key: true, sequence: true })), '203.0.113.1'],
    ['GRE over IPv6, carrying IPv6', ipv6(47, gre(0x86dd, inner6, { key: true })), '2001:db8::a'],
    ['GRE, transparent Ethernet', ipv4(47, gre(0x6558, ethernet(0x0800, inner))), '203.0.113.1'],
    ['IPv4 in IPv4', ipv4(4, inner), '203.0.113.1'],
    ['IPv6 in IPv4', ipv4(41, inner6), '2001:db8::a'],
    ['IPv4 in IPv6', ipv6(4, inner), '203.0.113.1'],
  ];
  for (const [name, packet, src] of cases) {
    const d = dissect(LinkType.Raw, packet);
    assert.equal(d?.src, src, name);
    assert.deepEqual(d?.payload, payload, name);
  }
  const routed = Buffer.from(gre(0x0800, inner));
  routed.writeUInt16BE(0x4000, 0);
  assert.equal(dissect(LinkType.Raw, ipv4(47, routed)), undefined, 'source-routed GRE');
  const enhanced = Buffer.from(gre(0x880b, inner));
  enhanced.writeUInt16BE(0x3001, 0);
  assert.equal(dissect(LinkType.Raw, ipv4(47, enhanced)), undefined, 'enhanced GRE (version 1)');
  assert.equal(dissect(LinkType.Raw, ipv4(47, gre(0x0800, inner, { key: true }).subarray(0, 6))), undefined);

  const nest = (depth: number) => Array.from({ length: depth }).reduce<Buffer>((p) => ipv4(4, p), inner);
  assert.equal(dissect(LinkType.Raw, nest(7))?.src, '203.0.113.1');
  assert.equal(dissect(LinkType.Raw, nest(8)), undefined, 'nesting is bounded');
});

test('IPv6 addresses come out in RFC 5952 form', () => {
  const cases: [string, string][] = [
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ];
  for (const [full, text] of cases) {
    assert.equal(dissect(LinkType.Raw, ipv6(17, udp(1, 2, payload), { src: full }))?.src, text);
  }
});

test('isLispPort matches 4341 and 4342 on either side, plus extra ports', () => {
  assert.equal(isLispPort({ sport: 4341, dport: 1 }), true);
  assert.equal(isLispPort({ sport: 1, dport: 4342 }), true);
  assert.equal(isLispPort({ sport: 1280, dport: 4343 }), false);
  assert.equal(isLispPort({ sport: 1280, dport: 4343 }, [4343]), true);
  assert.equal(isLispPort({ sport: 4343, dport: 53 }, [4343]), true);
});

test('capture: LISP inside a GRE tunnel (py-lispnetworking-maprequest.pcap)', () => {
  const [d, ...rest] = captured('py-lispnetworking-maprequest.pcap');
  assert.equal(rest.length, 0);
  assert.ok(d);
  assert.deepEqual([d.src, d.dst, d.sport, d.dport, d.truncated], ['10.1.1.1', '10.1.2.255', 4342, 4342, false]);
  assert.equal(d.payload.length, 60);
  assert.equal(d.payload.readBigUInt64BE(4), 0x74a230db801e52fen, 'the Map-Request nonce of the ECM capture');
});

test('capture: 802.1Q VLAN 105 on every frame (py-lispnetworking-various_lisp_packets.pcap)', () => {
  const buf = readFileSync(join(capturesDir, 'py-lispnetworking-various_lisp_packets.pcap'));
  const datagrams = udpDatagrams(buf, (d) => isLispPort(d));
  assert.equal(datagrams.length, 19);
  assert.ok(datagrams.every((d) => d.ipVersion === 4 && !d.truncated));
  assert.deepEqual(
    datagrams.filter((d) => d.sport !== 4342).map((d) => [d.frame, d.sport]),
    [[6, 65416]],
  );
});

test('capture: IPv6 outer headers (py-lispnetworking-dual_stack_lisp.pcap)', () => {
  const datagrams = captured('py-lispnetworking-dual_stack_lisp.pcap');
  assert.equal(datagrams.filter((d) => d.ipVersion === 6).length, 27);
  const second = datagrams[1];
  assert.ok(second);
  assert.deepEqual([second.ipVersion, second.src, second.dst], [6, '2001:6e0:4:2::2', '2001:6e0:4::1']);
  assert.equal(second.payload.readUInt8(0) >> 4, 8, 'an ECM');
});

test('capture: the UDP length bounds the payload (tcpdump-lisp_invalid_length.pcap)', () => {
  const [d] = captured('tcpdump-lisp_invalid_length.pcap');
  assert.deepEqual([d?.sport, d?.dport, d?.truncated], [61, 4342, false]);
  assert.deepEqual(d?.payload, Buffer.from('364000171d002000', 'hex'));
});

test('capture: a snapped frame gives a truncated datagram (tcpdump-lisp_invalid.pcap)', () => {
  const datagrams = captured('tcpdump-lisp_invalid.pcap');
  assert.deepEqual(
    datagrams.map((d) => [d.frame, d.payload.length, d.truncated]),
    [
      [1, 132, false],
      [2, 41, true],
    ],
  );
});

test('capture: only the outer UDP datagram of an ECM is returned', () => {
  const [d, ...rest] = captured('py-lispnetworking-encapsulated_control_message.pcap');
  assert.ok(d);
  assert.equal(rest.length, 0);
  assert.deepEqual([d.payload.length, d.payload.readUInt8(0) >> 4], [92, 8]);
});
