// A LISP-DDT tree on loopback UDP, nodes composed in-process: a root, two second-level DDT nodes for
// 198.18.0.0/16 (the same data, two RLOCs) and one for 198.19.0.0/16, a DDT Map-Server under each
// branch with a registered ETR (site b asks for proxy replies), and a DDT Map-Resolver. `loci lig`
// and an ITR resolve through the Map-Resolver; `loci rig` walks the tree from the root; killing one
// of the two RLOCs of the 198.18.0.0/16 level is survived.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLig } from '../../src/cli/lig.js';
import { runRig } from '../../src/cli/rig.js';
import { SystemClock } from '../../src/core/clock.js';
import { LispNode } from '../../src/core/node.js';
import type { RoleFactory } from '../../src/core/role.js';
import { ddtMr, ddtMs, ddtNode, etr, itr, ms } from '../../src/core/roles/index.js';
import { locatorsOf } from '../../src/core/wire-mapping.js';
import { udpNetwork } from '../../src/io/udp.js';
import { parsePrefix } from '../../src/table/index.js';
import { until } from '../helpers/until.js';

const clock = new SystemClock();
const p = parsePrefix;
const at = (n: number) => `127.0.21.${n}`;
const nodeAt = (name: string, n: number, roles: RoleFactory[]) => new LispNode({ name, listen: [at(n)], network: udpNetwork, clock, roles });
const key = { keyId: 0, key: 'ddt-secret', algorithm: 'sha256' as const };
const site = (name: string, ...prefixes: string[]) => ({ name, keys: [key], prefixes: prefixes.map((x) => ({ prefix: p(x), acceptMoreSpecifics: false })) });
const etrFor = (n: number, prefix: string, mapServer: number, proxyReply: boolean) =>
  nodeAt(`etr-${n}`, n, [etr({ mapServers: [{ address: at(mapServer), port: 4342, ...key, proxyReply, wantMapNotify: true }], database: [{ eid: p(prefix), locators: locatorsOf([{ address: at(n), priority: 1, weight: 100 }]) }] })]);
const branchA = () =>
  ddtNode({
    authoritative: [p('198.18.0.0/16')],
    delegations: [
      { prefix: p('198.18.1.0/24'), ddtNodes: [], mapServers: [at(30)] },
      { prefix: p('198.18.2.0/24'), ddtNodes: [], mapServers: [at(30)] },
    ],
  });

// A reply is asked for again only after 5 s: on loopback the walk takes milliseconds, or one
// timeout of the Map-Resolver (0.5 s) when a DDT node is down.
async function lig(eid: string) {
  const lines: string[] = [];
  const code = await runLig(eid, { mapResolver: at(50), port: 4342, count: 2, timeout: 5, source: at(1), instanceId: 0, json: false }, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

async function rig(eid: string, o: { json?: boolean; timeout?: number; count?: number } = {}) {
  const lines: string[] = [];
  const code = await runRig(eid, { ddtNode: at(10), port: 4342, count: o.count ?? 2, timeout: o.timeout ?? 5, source: at(1), instanceId: 0, maxReferrals: 16, json: o.json ?? false }, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

test('a DDT tree: lig and an ITR resolve through the DDT Map-Resolver, rig shows each walk, and a dead RLOC of a level is survived', async (t) => {
  const root = nodeAt('root', 10, [
    ddtNode({
      authoritative: [p('0.0.0.0/0')],
      delegations: [
        { prefix: p('198.18.0.0/16'), ddtNodes: [at(20), at(21)], mapServers: [] },
        { prefix: p('198.19.0.0/16'), ddtNodes: [at(22)], mapServers: [] },
      ],
    }),
  ]);
  const a1 = nodeAt('ddt-a1', 20, [branchA()]);
  const a2 = nodeAt('ddt-a2', 21, [branchA()]);
  const b = nodeAt('ddt-b', 22, [ddtNode({ authoritative: [p('198.19.0.0/16')], delegations: [{ prefix: p('198.19.1.0/24'), ddtNodes: [], mapServers: [at(31)] }] })]);
  const msA = nodeAt('ms-a', 30, [ms({ sites: [site('a', '198.18.1.0/24', '198.18.2.0/24')] }), ddtMs({ peers: [] })]);
  const msB = nodeAt('ms-b', 31, [ms({ sites: [site('b', '198.19.1.0/24')] }), ddtMs({ peers: [] })]);
  const etrA = etrFor(40, '198.18.1.0/24', 30, false);
  const etrB = etrFor(41, '198.19.1.0/24', 31, true);
  const mr = nodeAt('ddt-mr', 50, [ddtMr({ roots: [at(10)], timeoutMs: 500, maxPending: 1000, maxReferrals: 16, cacheSize: 1000 })]);
  const xtr = nodeAt('itr', 60, [itr({ mapResolvers: [at(50)], retransmitMs: 5000 })]);
  const nodes = [root, a1, a2, b, msA, msB, etrA, etrB, mr, xtr];
  t.after(() => Promise.all(nodes.map((n) => n.stop())));
  for (const n of nodes) await n.start();
  await until(() => msA.capability('mapServer')!.registrations().length === 1 && msB.capability('mapServer')!.registrations().length === 1, { what: 'both registrations' });

  // Branch A: the Map-Server forwards to the ETR, which answers; branch B: the Map-Server proxy-replies.
  const ra = await lig('198.18.1.7');
  assert.equal(ra.code, 0);
  assert.match(ra.out, /Received map-reply from 127\.0\.21\.40:4342/);
  assert.match(ra.out, /198\.18\.1\.0\/24, via map-reply, record ttl: 1440, auth, not mobile\n {2}Locator +State +Priority\/Weight\n {2}127\.0\.21\.40 +up +1\/100/);
  const rb = await lig('198.19.1.7');
  assert.match(rb.out, /Received map-reply from 127\.0\.21\.31:4342/);
  assert.match(rb.out, /198\.19\.1\.0\/24, via map-reply, record ttl: 1440, not auth, not mobile/);
  // A hole under branch A (its node's least-specific undelegated prefix), a configured prefix nobody
  // registered, and an EID outside every delegation (the root's hole): negative replies from the Map-Resolver.
  const negative = (prefix: string, ttl: number) => new RegExp(`Received map-reply from 127\\.0\\.21\\.50:4342[^]*${prefix.replace(/[./]/g, '\\$&')}, via map-reply, record ttl: ${ttl}, not auth, not mobile\\n  Negative cache entry, action: natively-forward`);
  assert.match((await lig('198.18.99.1')).out, negative('198.18.64.0/18', 15));
  assert.match((await lig('198.18.2.9')).out, negative('198.18.2.0/24', 1));
  assert.match((await lig('192.0.2.1')).out, negative('192.0.0.0/6', 15));

  // An ITR resolving through the DDT Map-Resolver as through any other.
  assert.ok(xtr.capability('resolver')!.resolve(p('198.19.1.9/32')));
  await until(() => xtr.capability('mapCache')!.lookup(p('198.19.1.9/32'))?.locators?.[0]?.address === at(41), { what: 'the ITR to cache site b' });

  // rig walks from the root: each step, the DDT Map-Request and the Map-Referral.
  const walk = await rig('198.18.1.7');
  assert.equal(walk.code, 0);
  assert.match(
    walk.out,
    new RegExp(
      [
        'Send rig map-request to 127\\.0\\.21\\.10:4342 for EID 198\\.18\\.1\\.7 \\.\\.\\.',
        'Received map-referral from 127\\.0\\.21\\.10:4342 with rtt \\d+\\.\\d{5} secs',
        'EID-prefix: 198\\.18\\.0\\.0/16, ttl: 1440, referral-type: node-referral',
        '  Referrals: 127\\.0\\.21\\.20, 127\\.0\\.21\\.21',
        'Send rig map-request to 127\\.0\\.21\\.20:4342 for EID 198\\.18\\.1\\.7 \\.\\.\\.',
        'Received map-referral from 127\\.0\\.21\\.20:4342 with rtt \\d+\\.\\d{5} secs',
        'EID-prefix: 198\\.18\\.1\\.0/24, ttl: 1440, referral-type: ms-referral',
        '  Referrals: 127\\.0\\.21\\.30',
        'Send rig map-request to 127\\.0\\.21\\.30:4342 for EID 198\\.18\\.1\\.7 \\.\\.\\.',
        'Received map-referral from 127\\.0\\.21\\.30:4342 with rtt \\d+\\.\\d{5} secs',
        'EID-prefix: 198\\.18\\.1\\.0/24, ttl: 1440, referral-type: ms-ack, incomplete',
        '  Referrals: 127\\.0\\.21\\.30$',
      ].join('\\n'),
    ),
  );
  const ends = async (eid: string, last: string) => {
    const r = await rig(eid);
    assert.equal(r.code, 0, r.out);
    assert.ok(r.out.endsWith(last), r.out);
  };
  await ends('198.18.99.1', 'EID-prefix: 198.18.64.0/18, ttl: 15, referral-type: delegation-hole');
  await ends('198.18.2.9', 'EID-prefix: 198.18.2.0/24, ttl: 1, referral-type: ms-not-registered, incomplete\n  Referrals: 127.0.21.30');
  await ends('192.0.2.1', 'EID-prefix: 192.0.0.0/6, ttl: 15, referral-type: delegation-hole');
  const json = JSON.parse((await rig('198.19.1.7', { json: true })).out) as { outcome: string; steps: { kind: string; from?: { address: string } }[] };
  assert.equal(json.outcome, 'ms-ack');
  assert.deepEqual(json.steps.filter((s) => s.kind === 'referral').map((s) => s.from!.address), [at(10), at(22), at(31)]);

  // One of the two RLOCs of 198.18.0.0/16 dies. rig asks it, hears nothing, and goes on with the other.
  await a1.stop();
  const survived = await rig('198.18.1.7', { timeout: 1, count: 1 });
  assert.equal(survived.code, 0, survived.out);
  assert.match(survived.out, /No map-referral from 127\.0\.21\.20:4342\nSend rig map-request to 127\.0\.21\.21:4342/);
  assert.match(survived.out, /referral-type: ms-ack/);
  // The Map-Resolver, walking from its cached referral for the /16, times out on the dead node,
  // asks the other, and from then on asks that one first.
  const timeouts = mr.counters.get('ddt.timeout');
  assert.match((await lig('198.18.200.1')).out, negative('198.18.128.0/17', 15));
  assert.equal(mr.counters.get('ddt.timeout'), timeouts + 1);
  assert.match((await lig('198.18.3.1')).out, negative('198.18.3.0/24', 15));
  assert.equal(mr.counters.get('ddt.timeout'), timeouts + 1);
});
