// Real nodes on loopback UDP: a Map-Server/Map-Resolver, ETRs registering with SHA-1
// and SHA-256, and `loci lig` asking the Map-Resolver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLig } from '../../src/cli/lig.js';
import { SystemClock } from '../../src/core/clock.js';
import { LispNode } from '../../src/core/node.js';
import { etr as etrRole, mr as mrRole, ms as msRole } from '../../src/core/roles/index.js';
import { udpNetwork } from '../../src/io/udp.js';
import { locatorsOf } from '../../src/core/wire-mapping.js';
import { parsePrefix } from '../../src/table/index.js';
import { until } from '../helpers/until.js';

const clock = new SystemClock();
const locators = (address: string) => locatorsOf([{ address, priority: 1, weight: 100 }]);


// A Map-Request is sent again only after 5 s without an answer: on loopback nothing is lost, so a
// slow machine never makes a second request (which the counters below would see).
async function lig(eid: string) {
  const lines: string[] = [];
  const code = await runLig(eid, { mapResolver: '127.0.1.10', port: 4342, count: 2, timeout: 5, source: '127.0.1.1', instanceId: 0, json: false }, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

test('ETRs register (SHA-256 and SHA-1) and lig through the Map-Resolver gets their mappings', async (t) => {
  const msmr = new LispNode({
    name: 'ms-mr', listen: ['127.0.1.10'], network: udpNetwork, clock,
    roles: [
      msRole({ sites: [
      { name: 'site-a', keys: [{ keyId: 0, key: 'a-secret', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.1.0/24'), acceptMoreSpecifics: false }] },
      { name: 'site-b', keys: [{ keyId: 1, key: 'b-secret', algorithm: 'sha1' }], prefixes: [{ prefix: parsePrefix('198.18.2.0/24'), acceptMoreSpecifics: false }] },
      { name: 'site-c', keys: [{ keyId: 0, key: 'c-secret', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.3.0/24'), acceptMoreSpecifics: false }] },
    ] }),
      mrRole({ referrals: [] }),
    ],
  });
  const etr = (name: string, address: string, prefix: string, ms: { key: string; keyId: number; algorithm: 'sha1' | 'sha256'; proxyReply: boolean }) =>
    new LispNode({
      name, listen: [address], network: udpNetwork, clock,
      roles: [
        etrRole({ mapServers: [{ address: '127.0.1.10', port: 4342, wantMapNotify: true, ...ms }], database: [{ eid: parsePrefix(prefix), locators: locators(address) }] }),
      ],
    });
  const a = etr('site-a', '127.0.1.11', '198.18.1.0/24', { key: 'a-secret', keyId: 0, algorithm: 'sha256', proxyReply: false });
  const b = etr('site-b', '127.0.1.12', '198.18.2.0/24', { key: 'b-secret', keyId: 1, algorithm: 'sha1', proxyReply: true });
  const wrong = etr('site-c', '127.0.1.13', '198.18.3.0/24', { key: 'not-c-secret', keyId: 0, algorithm: 'sha256', proxyReply: true });
  const nodes = [msmr, a, b, wrong];
  t.after(() => Promise.all(nodes.map((n) => n.stop())));
  for (const n of nodes) await n.start();

  await until(() => msmr.capability('mapServer')!.registrations().length === 2 && a.counters.get('map-notify.accepted') === 1 && b.counters.get('map-notify.accepted') === 1, { what: 'both registrations and their Map-Notifies' });
  await until(() => msmr.counters.get('map-register.rejected.auth-failed') === 1, { what: 'the wrong key to be rejected' });

  // site-a registered without proxy-reply: the MS forwards to the ETR, which answers authoritatively.
  const ra = await lig('198.18.1.7');
  assert.equal(ra.code, 0);
  assert.match(ra.out, /Received map-reply from 127\.0\.1\.11:4342/);
  assert.ok(ra.out.endsWith('198.18.1.0/24, via map-reply, record ttl: 1440, auth, not mobile\n  Locator     State  Priority/Weight\n  127.0.1.11  up     1/100'), ra.out);
  assert.equal(msmr.counters.get('map-request.forwarded'), 1);

  // site-b asked for proxy replies: the Map-Server answers, not authoritative.
  const rb = await lig('198.18.2.7');
  assert.match(rb.out, /Received map-reply from 127\.0\.1\.10:4342/);
  assert.match(rb.out, /198\.18\.2\.0\/24, via map-reply, record ttl: 1440, not auth, not mobile/);

  // site-c's registration failed: configured but unregistered, a 1-minute negative reply.
  const rc = await lig('198.18.3.7');
  assert.match(rc.out, /198\.18\.3\.0\/24, via map-reply, record ttl: 1, not auth, not mobile\n {2}Negative cache entry, action: natively-forward/);

  // Not an EID at all: 15 minutes, for the least-specific prefix holding no site.
  const rn = await lig('192.0.2.1');
  assert.match(rn.out, /192\.0\.0\.0\/6, via map-reply, record ttl: 15, not auth, not mobile\n {2}Negative cache entry, action: natively-forward/);
});

test('a stand-alone Map-Resolver forwards to the Map-Server serving the EID, and answers for EIDs outside them', async (t) => {
  const ms = new LispNode({
    name: 'ms-only', listen: ['127.0.1.80'], network: udpNetwork, clock,
    roles: [
      msRole({ sites: [{ name: 'd', keys: [{ keyId: 0, key: 'd-secret', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.40.0/24'), acceptMoreSpecifics: false }] }] }),
    ],
  });
  const etr = new LispNode({
    name: 'etr-d', listen: ['127.0.1.81'], network: udpNetwork, clock,
    roles: [
      etrRole({ mapServers: [{ address: '127.0.1.80', port: 4342, key: 'd-secret', keyId: 0, algorithm: 'sha256', proxyReply: false, wantMapNotify: true }], database: [{ eid: parsePrefix('198.18.40.0/24'), locators: locators('127.0.1.81') }] }),
    ],
  });
  const mr = new LispNode({
    name: 'mr-only', listen: ['127.0.1.82'], network: udpNetwork, clock,
    roles: [
      mrRole({ referrals: [{ mapServer: '127.0.1.80', prefixes: [parsePrefix('198.18.40.0/22')] }] }),
    ],
  });
  const nodes = [ms, etr, mr];
  t.after(() => Promise.all(nodes.map((n) => n.stop())));
  for (const n of nodes) await n.start();
  await until(() => ms.capability('mapServer')!.registrations().length === 1, { what: 'the registration' });

  const ask = async (eid: string) => {
    const lines: string[] = [];
    await runLig(eid, { mapResolver: '127.0.1.82', port: 4342, count: 2, timeout: 5, source: '127.0.1.1', instanceId: 0, json: false }, (l) => lines.push(l));
    return lines.join('\n');
  };
  // MR -> MS -> ETR, which answers the ITR.
  const registered = await ask('198.18.40.9');
  assert.match(registered, /Received map-reply from 127\.0\.1\.81:4342/);
  assert.match(registered, /198\.18\.40\.0\/24, via map-reply, record ttl: 1440, auth/);
  assert.equal(mr.counters.get('map-request.forwarded-to-map-server'), 1);
  assert.equal(ms.counters.get('map-request.forwarded'), 1);
  // Outside every referral the Map-Resolver answers itself: 15 minutes, least-specific prefix.
  const outside = await ask('192.0.2.1');
  assert.match(outside, /Received map-reply from 127\.0\.1\.82:4342/);
  assert.match(outside, /192\.0\.0\.0\/6, via map-reply, record ttl: 15, not auth, not mobile\n {2}Negative cache entry, action: natively-forward/);
});
