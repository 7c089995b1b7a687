import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowHash4, packetFlowHash, udpSourcePort } from '../../../src/table/index.js';

/** IPv4 header (20 bytes) + 4 port bytes + payload. */
function ipv4(src: number[], dst: number[], protocol: number, sport: number, dport: number, flagsFrag = 0, payload = 0): Uint8Array {
  return Uint8Array.of(
    0x45, 0, 0, 28, 0, 1, flagsFrag >>> 8, flagsFrag & 0xff, 64, protocol, 0, 0,
    ...src, ...dst,
    sport >>> 8, sport & 0xff, dport >>> 8, dport & 0xff, payload,
  );
}

function ipv6(src: number, dst: number, nextHeader: number, sport: number, dport: number, flowLabel = 0, payload = 0): Uint8Array {
  const b = new Uint8Array(40 + 8);
  b[0] = 0x60 | (flowLabel >>> 16);
  b[1] = (flowLabel >>> 8) & 0xff;
  b[2] = flowLabel & 0xff;
  b[6] = nextHeader;
  b.set([0x20, 0x01, 0x0d, 0xb8], 8);
  b[23] = src;
  b.set([0x20, 0x01, 0x0d, 0xb8], 24);
  b[39] = dst;
  b.set([sport >>> 8, sport & 0xff, dport >>> 8, dport & 0xff, payload], 40);
  return b;
}

test('the hash of an IPv4 packet is that of its 5-tuple, whatever the payload', () => {
  const a = ipv4([198, 18, 0, 1], [198, 51, 100, 2], 6, 40000, 443, 0, 1);
  const b = ipv4([198, 18, 0, 1], [198, 51, 100, 2], 6, 40000, 443, 0, 2);
  assert.equal(packetFlowHash(a), flowHash4(0xc6120001, 0xc6336402, 6, 40000, 443));
  assert.equal(packetFlowHash(a), packetFlowHash(b));
  const framed = new Uint8Array(a.length + 14);
  framed.set(a, 14);
  assert.equal(packetFlowHash(framed, 14), packetFlowHash(a));
});

test('every field of the 5-tuple changes the hash', () => {
  const base = flowHash4(0xc6120001, 0xc6336402, 17, 5000, 53);
  for (const other of [
    flowHash4(0xc6120002, 0xc6336402, 17, 5000, 53),
    flowHash4(0xc6120001, 0xc6336403, 17, 5000, 53),
    flowHash4(0xc6120001, 0xc6336402, 6, 5000, 53),
    flowHash4(0xc6120001, 0xc6336402, 17, 5001, 53),
    flowHash4(0xc6120001, 0xc6336402, 17, 5000, 54),
    flowHash4(0xc6336402, 0xc6120001, 17, 53, 5000),
  ]) {
    assert.notEqual(other, base);
  }
});

test('ports are left out for protocols without them and for non-first fragments', () => {
  const icmp1 = ipv4([198, 18, 0, 1], [198, 51, 100, 2], 1, 1, 2);
  const icmp2 = ipv4([198, 18, 0, 1], [198, 51, 100, 2], 1, 3, 4);
  assert.equal(packetFlowHash(icmp1), packetFlowHash(icmp2));
  const fragment = ipv4([198, 18, 0, 1], [198, 51, 100, 2], 17, 7, 7, 0x00b9);
  assert.equal(packetFlowHash(fragment), flowHash4(0xc6120001, 0xc6336402, 17, 0, 0));
  const firstFragment = ipv4([198, 18, 0, 1], [198, 51, 100, 2], 17, 7, 7, 0x2000);
  assert.equal(packetFlowHash(firstFragment), flowHash4(0xc6120001, 0xc6336402, 17, 7, 7));
});

test('IPv6: addresses, flow label, next header and ports', () => {
  const flow = packetFlowHash(ipv6(1, 2, 17, 1000, 2000, 0x12345, 9));
  assert.equal(packetFlowHash(ipv6(1, 2, 17, 1000, 2000, 0x12345, 8)), flow);
  assert.notEqual(packetFlowHash(ipv6(1, 2, 17, 1000, 2001, 0x12345)), flow);
  assert.notEqual(packetFlowHash(ipv6(1, 3, 17, 1000, 2000, 0x12345)), flow);
  assert.notEqual(packetFlowHash(ipv6(1, 2, 17, 1000, 2000, 0x12346)), flow);
  assert.equal(packetFlowHash(ipv6(1, 2, 58, 1, 2)), packetFlowHash(ipv6(1, 2, 58, 3, 4)));
});

test('not an IP packet, or too short: 0', () => {
  assert.equal(packetFlowHash(Uint8Array.of(0x45, 0, 0)), 0);
  assert.equal(packetFlowHash(new Uint8Array(60)), 0);
});

test('the outer UDP source port is in the dynamic range and follows the flow', () => {
  for (const h of [0, 1, 0x3fff, 0x4000, 0xffffffff, flowHash4(1, 2, 6, 3, 4)]) {
    const port = udpSourcePort(h);
    assert.ok(port >= 49152 && port <= 65535, `${port}`);
    assert.equal(udpSourcePort(h), port);
  }
});
