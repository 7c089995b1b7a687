// Every control packet Loci's nodes send in a full scenario (registration with SHA-1 and
// SHA-256, Map-Notify, ECM Map-Requests, forwarding to an ETR, proxy and negative replies,
// SMR and SMR-invoked requests, lig) is captured on loopback and decoded by tshark with no
// malformed mark and no expert warning or error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLig } from '../../src/cli/lig.js';
import { SystemClock } from '../../src/core/clock.js';
import { LispNode } from '../../src/core/node.js';
import { etr as etrRole, itr as itrRole, mr as mrRole, ms as msRole } from '../../src/core/roles/index.js';
import { locatorsOf } from '../../src/core/wire-mapping.js';
import { udpNetwork } from '../../src/io/udp.js';
import { parsePrefix, type MapCacheEntry } from '../../src/table/index.js';
import { requireRoot, requireTool } from '../helpers/env.js';
import { allComplaints, tsharkPackets } from '../helpers/tshark.js';
import { until } from '../helpers/until.js';

const clock = new SystemClock();


test('tshark decodes every control packet of a full scenario without complaint', async (t) => {
  if (!requireRoot(t) || !requireTool(t, 'dumpcap') || !requireTool(t, 'tshark')) return;
  const dir = mkdtempSync(join(tmpdir(), 'loci-capture-'));
  const file = join(dir, 'lo.pcapng');
  // Only this test's addresses, 127.0.6.64/28.
  const dumpcap = spawn('dumpcap', ['-i', 'lo', '-f', 'udp and net 127.0.6.64/28', '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  dumpcap.stderr.on('data', (d: Buffer) => (err += d.toString()));
  t.after(() => {
    dumpcap.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  // Ready when a probe datagram (to the discard port) shows in dumpcap's live packet count. The
  // probes start once dumpcap says it captures, so that each one counted is captured (a probe sent
  // before, on a loaded machine, would be counted and never seen).
  await until(() => err.includes('Capturing on'), { what: 'dumpcap to start capturing' });
  const probe = createSocket('udp4');
  let probes = 0;
  const probing = setInterval(() => probe.send(Buffer.alloc(1), 9, '127.0.6.79', () => probes++), 50);
  const captured = () => Number(/.*Packets: (\d+)/s.exec(err)?.[1] ?? 0);
  await until(() => captured() > 0, { what: 'dumpcap to capture a probe', timeoutMs: 10_000 });
  clearInterval(probing);
  probe.close();

  const site = (name: string, key: string, algorithm: 'sha1' | 'sha256', prefix: string) => ({ name, keys: [{ keyId: 1, key, algorithm }], prefixes: [{ prefix: parsePrefix(prefix), acceptMoreSpecifics: false }] });
  const ms = new LispNode({
    name: 'ms', listen: ['127.0.6.65'], network: udpNetwork, clock,
    roles: [
      msRole({ sites: [site('a', 'ka', 'sha256', '198.18.30.0/24'), site('b', 'kb', 'sha1', '2001:db8:30::/48')] }),
      mrRole({ referrals: [] }),
    ],
  });
  const etr = (name: string, address: string, key: string, algorithm: 'sha1' | 'sha256', prefix: string, proxyReply: boolean) =>
    new LispNode({
      name, listen: [address], network: udpNetwork, clock,
      roles: [
        etrRole({ mapServers: [{ address: '127.0.6.65', port: 4342, key, keyId: 1, algorithm, proxyReply, wantMapNotify: true }], database: [{ eid: parsePrefix(prefix), locators: locatorsOf([{ address, priority: 1, weight: 100 }, { address: '2001:db8::66', priority: 2, weight: 50 }]) }] }),
      ],
    });
  const a = etr('a', '127.0.6.66', 'ka', 'sha256', '198.18.30.0/24', false);
  const b = etr('b', '127.0.6.67', 'kb', 'sha1', '2001:db8:30::/48', true);
  const itr = new LispNode({
    name: 'itr', listen: ['127.0.6.68'], network: udpNetwork, clock,
    roles: [
      itrRole({ mapResolvers: ['127.0.6.65'] }),
    ],
  });
  const nodes = [ms, a, b, itr];
  t.after(() => Promise.all(nodes.map((n) => n.stop())));
  for (const n of nodes) await n.start();
  await until(() => ms.capability('mapServer')!.registrations().length === 2 && a.counters.get('map-notify.accepted') > 0 && b.counters.get('map-notify.accepted') > 0, { what: 'both registrations' });

  const entry = (eid: string) => itr.capability('mapCache')!.table.match(parsePrefix(eid))?.value as MapCacheEntry | undefined;
  for (const eid of ['198.18.30.1', '2001:db8:30::1', '198.18.99.1']) itr.capability('resolver')!.resolve(parsePrefix(eid));
  await until(() => ['198.18.30.1', '2001:db8:30::1', '198.18.99.1'].every((e) => entry(e)?.state === 'active' || entry(e)?.state === 'negative'), { what: 'three answers' });
  a.capability('database')!.set(parsePrefix('198.18.30.0/24'), locatorsOf([{ address: '127.0.6.66', priority: 1, weight: 10 }]));
  await until(() => entry('198.18.30.1')?.locators[0]?.weight === 10, { what: 'the SMR-invoked update' });
  const lig = await runLig('198.18.30.9', { mapResolver: '127.0.6.65', port: 4342, count: 1, timeout: 2, source: '127.0.6.69', instanceId: 0, json: false }, () => {});
  assert.equal(lig, 0);

  // Stop only when dumpcap has counted every datagram sent (the nodes', lig's one request, the probes).
  // (A node counts every send it tries as sent, and those the kernel refused also as sent.error:
  // the ETRs' second RLOC, 2001:db8::66, has no route.) dumpcap reports its count every half
  // second or so; a loaded machine makes it late.
  const sent = () => probes + 1 + nodes.reduce((n, x) => n + x.counters.get('sent') - x.counters.get('sent.error'), 0);
  await until(() => captured() >= sent(), { what: 'dumpcap to count every datagram sent' }).catch((e: Error) => {
    throw new Error(`${e.message}: ${sent()} sent, ${captured()} captured; dumpcap: ${err.slice(-300)}`, { cause: e });
  });
  t.diagnostic(`${sent()} datagrams sent (${nodes.reduce((n, x) => n + x.counters.get('sent.error'), 0)} more refused by the kernel), ${captured()} captured`);
  const stopped = new Promise((resolve) => dumpcap.once('exit', resolve));
  dumpcap.kill('SIGINT');
  await stopped;
  const packets = tsharkPackets(file, ['-Y', 'not udp.port == 9']);
  const complaints = packets.flatMap((p) => allComplaints(p).map((c) => `frame ${p.frame}: ${c.severity} ${c.message}`));
  assert.deepEqual(complaints, []);
  assert.ok(packets.every((p) => p.protocols.includes('lisp')), 'every captured packet is LISP');
  const types = new Set(packets.flatMap((p) => [...JSON.stringify(p.layers).matchAll(/"lisp\.type":"(\d+)"/g)].map((m) => Number(m[1]))));
  assert.deepEqual([...types].sort((x, y) => x - y), [1, 2, 3, 4, 8]);
  assert.ok(packets.length >= 15, `only ${packets.length} packets captured`);
});
