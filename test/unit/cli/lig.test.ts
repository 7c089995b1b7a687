import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLig } from '../../../src/cli/lig.js';
import { udpNetwork } from '../../../src/io/udp.js';
import { decodeMessage, encodeMessage, LispDecodeError, MAP_REPLY_FLAGS, noFlags, type MapReply, type MapRequest, type MappingRecord } from '../../../src/packet/index.js';

type Answer = (request: MapRequest) => MapReply[];

/** A Map-Resolver stand-in on loopback: decapsulates each ECM and sends back what `answer` says, to the ITR-RLOC and inner source port. */
async function fakeMapResolver(address: string, answer: Answer) {
  const seen: { request: MapRequest; innerDst: string }[] = [];
  const socket = await udpNetwork.bind({ address, port: 0 }, (data) => {
    const r = decodeMessage(data);
    if (r instanceof LispDecodeError || r.value.type !== 'ecm' || r.value.message.type !== 'map-request') return;
    const request = r.value.message;
    seen.push({ request, innerDst: r.value.ip.dst });
    const itr = request.itrRlocs[0]!;
    if (itr.afi !== 'ipv4' && itr.afi !== 'ipv6') return;
    for (const reply of answer(request)) void socket.send(encodeMessage(reply), { address: itr.address, port: r.value.udp.sport });
  });
  return { socket, seen };
}

const reply = (nonce: bigint, records: MappingRecord[]): MapReply => ({ type: 'map-reply', ...noFlags(MAP_REPLY_FLAGS), nonce, records });
const positive: MappingRecord = {
  ttl: 1440, maskLen: 24, eid: { afi: 'ipv4', address: '198.18.1.0' }, act: 0, authoritative: true, mapVersion: 0,
  locators: [
    { priority: 1, weight: 100, mPriority: 255, mWeight: 0, local: false, probed: false, reachable: true, address: { afi: 'ipv4', address: '198.51.100.10' } },
    { priority: 2, weight: 0, mPriority: 255, mWeight: 0, local: false, probed: false, reachable: false, address: { afi: 'ipv6', address: '2001:db8::10' } },
  ],
};
const negative: MappingRecord = { ttl: 15, maskLen: 16, eid: { afi: 'ipv4', address: '198.19.0.0' }, act: 1, authoritative: false, mapVersion: 0, locators: [] };

// 5 s before a second request: a reply the fake Map-Resolver sends at once is never outrun by a
// retransmission on a loaded machine (the tests count the requests it saw).
async function lig(eid: string, mr: { socket: { local: { address: string; port: number } } }, extra: Partial<Parameters<typeof runLig>[1]> = {}) {
  const lines: string[] = [];
  const code = await runLig(eid, { mapResolver: mr.socket.local.address, port: mr.socket.local.port, count: 2, timeout: 5, source: '127.0.7.1', instanceId: 0, json: false, ...extra }, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

test('lig prints the mapping of a positive Map-Reply, ignoring replies with another nonce', async () => {
  const mr = await fakeMapResolver('127.0.7.2', (q) => [reply(q.nonce ^ 1n, [negative]), reply(q.nonce, [positive])]);
  const r = await lig('198.18.1.5', mr);
  await mr.socket.close();
  assert.equal(r.code, 0);
  assert.match(r.out, /^Send map-request to 127\.0\.7\.2:\d+ for 198\.18\.1\.5 \.\.\.\nReceived map-reply from 127\.0\.7\.2:\d+ with rtt \d+\.\d{5} secs\n\nMapping entry for EID '198\.18\.1\.5':\n/);
  assert.ok(r.out.endsWith(
    "198.18.1.0/24, via map-reply, record ttl: 1440, auth, not mobile\n" +
    '  Locator        State  Priority/Weight\n' +
    '  198.51.100.10  up     1/100\n' +
    '  2001:db8::10   down   2/0',
  ), r.out);
  assert.equal(mr.seen.length, 1);
  assert.equal(mr.seen[0]!.innerDst, '198.18.1.5');
  assert.deepEqual(mr.seen[0]!.request.records[0]!.eid, { afi: 'ipv4', address: '198.18.1.5' });
});

test('lig says the action of a negative Map-Reply', async () => {
  const mr = await fakeMapResolver('127.0.7.3', (q) => [reply(q.nonce, [negative])]);
  const r = await lig('198.19.7.7', mr);
  await mr.socket.close();
  assert.equal(r.code, 0);
  assert.ok(r.out.endsWith("198.19.0.0/16, via map-reply, record ttl: 15, not auth, not mobile\n  Negative cache entry, action: natively-forward"), r.out);
});

test('lig retries, then says no map-reply was received and fails', async () => {
  const mr = await fakeMapResolver('127.0.7.4', () => []);
  const r = await lig('198.18.1.5', mr, { timeout: 0.2 });
  await mr.socket.close();
  assert.equal(r.code, 1);
  assert.match(r.out, /\*\*\* No map-reply received \*\*\*$/);
  assert.equal(mr.seen.length, 2);
});

test('lig --json, with an instance-id and an IPv6 EID', async () => {
  const mr = await fakeMapResolver('127.0.7.5', (q) => [reply(q.nonce, [positive])]);
  const r = await lig('2001:db8:1::5', mr, { json: true, instanceId: 7 });
  await mr.socket.close();
  const j = JSON.parse(r.out) as { replied: boolean; instanceId: number; records: { locators: { address: { address: string } }[] }[] };
  assert.equal(j.replied, true);
  assert.equal(j.instanceId, 7);
  assert.equal(j.records[0]!.locators[0]!.address.address, '198.51.100.10');
  const eid = mr.seen[0]!.request.records[0]!.eid;
  assert.deepEqual(eid, { afi: 'lcaf', lcaf: { type: 'instance-id', instanceId: 7, maskLen: 0, address: { afi: 'ipv6', address: '2001:db8:1::5' } } });
  assert.equal(mr.seen[0]!.innerDst, '2001:db8:1::5');
});
