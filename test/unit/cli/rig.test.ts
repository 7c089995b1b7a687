// loci rig against scripted DDT nodes on loopback: how a walk that cannot end is reported (exit 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRig } from '../../../src/cli/rig.js';
import { referralRecord, type Referral } from '../../../src/core/roles/ddt-referrals.js';
import { udpNetwork } from '../../../src/io/udp.js';
import { decodeMessage, encodeMessage, LispDecodeError } from '../../../src/packet/index.js';
import { parsePrefix } from '../../../src/table/index.js';

/** A DDT node stand-in on address:4342 that answers every DDT Map-Request with answer(nonce) (nothing when undefined). */
async function fakeNode(address: string, answer: (nonce: bigint) => { nonce: bigint; referral: Referral } | undefined) {
  const socket = await udpNetwork.bind({ address, port: 4342 }, (data, from) => {
    const r = decodeMessage(data);
    if (r instanceof LispDecodeError || r.value.type !== 'ecm' || !r.value.ddt || r.value.message.type !== 'map-request') return;
    const a = answer(r.value.message.nonce);
    if (a) void socket.send(encodeMessage({ type: 'map-referral', nonce: a.nonce, records: [referralRecord(a.referral)] }), from);
  });
  return socket;
}

async function rig(ddtNode: string, json = false) {
  const lines: string[] = [];
  const code = await runRig('198.18.1.1', { ddtNode, port: 4342, count: 1, timeout: 1, source: '127.0.22.1', instanceId: 0, maxReferrals: 16, json }, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

test('rig: a referral no more specific than the one before is a loop; a Map-Referral with another nonce is not an answer', async (t) => {
  const back = (to: string) => (nonce: bigint) => ({ nonce, referral: { action: 'node-referral' as const, prefix: parsePrefix('198.18.0.0/16'), refs: [to], incomplete: false } });
  const sockets = [await fakeNode('127.0.22.10', back('127.0.22.11')), await fakeNode('127.0.22.11', back('127.0.22.10')), await fakeNode('127.0.22.12', (nonce) => ({ nonce: nonce + 1n, referral: back('127.0.22.10')(nonce).referral }))];
  t.after(() => Promise.all(sockets.map((s) => s.close())));
  const loop = await rig('127.0.22.10');
  assert.equal(loop.code, 1);
  assert.match(loop.out, /Received map-referral from 127\.0\.22\.11:4342 .*\nEID-prefix: 198\.18\.0\.0\/16, ttl: 1440, referral-type: node-referral\n {2}Referrals: 127\.0\.22\.10\n\*\*\* Referral loop/);
  const forged = await rig('127.0.22.12', true);
  assert.equal(forged.code, 1);
  const j = JSON.parse(forged.out) as { outcome: string; steps: { kind: string }[] };
  assert.equal(j.outcome, 'no-referral');
  assert.deepEqual(j.steps.map((s) => s.kind), ['sent', 'silent']);
});
