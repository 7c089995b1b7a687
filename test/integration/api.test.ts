// The management API of running nodes, through the typed client and through `loci map` / `loci status`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { LociClient } from '../../src/client/client.js';
import { SystemClock } from '../../src/core/clock.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { loadConfig } from '../../src/config/index.js';
import { udpNetwork } from '../../src/io/udp.js';
import { LispError } from '../../src/packet/index.js';
import { until } from '../helpers/until.js';
import { LOCI_BIN } from '../helpers/loci.js';

const run = promisify(execFile);
const bin = LOCI_BIN;
const loci = (...args: string[]) => run(process.execPath, [bin, ...args]);


const rejectsWith = (p: Promise<unknown>, code: string) => assert.rejects(p, (e) => e instanceof LispError && e.code === code);

test('the API reads and changes a running node; loci map and loci status use it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loci-api-'));
  writeFileSync(join(dir, 'ms.yaml'), `name: api-ms\nroles: [ms, mr]\nlisten: [127.0.3.41]\napi: { socket: ${dir}/ms.sock }\nsites:\n  - { name: s, key: k, eid-prefixes: [{ eid-prefix: 198.18.8.0/21, accept-more-specifics: true }] }\n`);
  writeFileSync(
    join(dir, 'xtr.yaml'),
    `name: api-xtr\nroles: [itr, etr]\nlisten: [127.0.3.40]\napi: { socket: ${dir}/xtr.sock }\nmap-resolvers: [127.0.3.41]\n` +
      `map-servers: [{ address: 127.0.3.41, key: k }]\ndatabase: [{ eid-prefix: 198.18.8.0/24, rlocs: [{ address: 127.0.3.40 }] }]\n`,
  );
  const io = { network: udpNetwork, clock: new SystemClock(), log: pino({ level: 'silent' }) };
  const ms = await Daemon.create(loadConfig(join(dir, 'ms.yaml')), io);
  const xtr = await Daemon.create(loadConfig(join(dir, 'xtr.yaml')), io);
  t.after(async () => {
    await xtr.stop();
    await ms.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const x = new LociClient(join(dir, 'xtr.sock'));
  const m = new LociClient(join(dir, 'ms.sock'));

  const { mapServers, ...first } = await x.status();
  assert.deepEqual(first, { name: 'api-xtr', roles: ['itr', 'etr'], listen: ['127.0.3.40:4342'], database: 1, mapCache: 0, sites: 0, registrations: 0 });
  assert.deepEqual(mapServers.map((s) => s.mapServer), ['127.0.3.41']);
  await until(async () => (await x.status()).mapServers[0]?.state === 'registered', { what: 'the xTR to see its registration acknowledged' });
  await until(async () => (await m.registrations()).length === 1, { what: 'the registration' });

  // A database entry added through the API is registered at once.
  await x.setDatabaseEntry({ 'eid-prefix': '198.18.9.0/24', rlocs: [{ address: '127.0.3.40', priority: 2, weight: 30 }] });
  await until(async () => (await m.registrations()).some((r) => r.eidPrefix === '198.18.9.0/24'), { what: 'the new registration' });
  assert.deepEqual((await m.lookup('198.18.9.7')).map((v) => [v.source, v.eidPrefix, v.locators[0]!.priority, v.locators[0]!.weight]), [['registration', '198.18.9.0/24', 2, 30]]);

  // Static map-cache entries: add, read, delete; errors carry their codes.
  await x.setMapCacheEntry({ 'eid-prefix': '198.19.0.0/16', rlocs: [{ address: '192.0.2.1', priority: 1, weight: 100 }] });
  const [cached] = await x.lookup('198.19.4.4');
  assert.deepEqual(cached, { eidPrefix: '198.19.0.0/16', source: 'map-cache', state: 'active', static: true, action: 'no-action', expiresIn: null, locators: [{ address: '192.0.2.1', priority: 1, weight: 100, state: 'up' }] });
  await x.deleteMapCacheEntry('198.19.0.0/16');
  assert.deepEqual(await x.mapCache(), []);
  await rejectsWith(x.deleteMapCacheEntry('198.19.0.0/16'), 'ERR_LISP_NOT_FOUND');
  await rejectsWith(x.setMapCacheEntry({ 'eid-prefix': '198.19.0.0/33', rlocs: [{ address: '192.0.2.1' }] }), 'ERR_LISP_INVALID');
  await rejectsWith(x.setMapCacheEntry({ 'eid-prefix': '198.19.0.0/16', rlocs: [] }), 'ERR_LISP_INVALID');
  await rejectsWith(m.setMapCacheEntry({ 'eid-prefix': '198.19.0.0/16', rlocs: [{ address: '192.0.2.1' }] }), 'ERR_LISP_ROLE');
  await rejectsWith(new LociClient(join(dir, 'nobody.sock')).status(), 'ERR_LISP_NOT_FOUND');

  // The same through the CLI.
  const sock = join(dir, 'xtr.sock');
  assert.equal((await loci('map', 'add', '198.18.200.0/24', '--rloc', '203.0.113.9,3,40', '--rloc', '2001:db8::9', '--socket', sock)).stdout, 'added 198.18.200.0/24\n');
  const got = JSON.parse((await loci('map', 'get', '198.18.200.1', '--socket', sock, '--json')).stdout) as { eidPrefix: string; locators: { address: string; priority: number; weight: number }[] }[];
  assert.deepEqual(got[0]!.locators.map((l) => [l.address, l.priority, l.weight]), [['203.0.113.9', 3, 40], ['2001:db8::9', 1, 100]]);
  assert.match((await loci('map', 'get', '198.18.200.1', '--socket', sock)).stdout, /^198\.18\.200\.0\/24 {2}\[map-cache, active \(static\), never expires\]\n {2}203\.0\.113\.9 +up +3\/40\n/);
  assert.equal((await loci('map', 'delete', '198.18.200.0/24', '--socket', sock)).stdout, 'deleted 198.18.200.0/24\n');
  await assert.rejects(loci('map', 'delete', '198.18.200.0/24', '--socket', sock), (e: { code: number; stderr: string }) => e.code === 2 && /ERR_LISP_NOT_FOUND: no map-cache entry for 198\.18\.200\.0\/24/.test(e.stderr));
  // map add --database from the command line: the node's own EID-prefix, registered at once.
  assert.match((await loci('map', 'add', '198.18.10.0/24', '--database', '--rloc', '127.0.3.40,4,60', '--socket', sock)).stdout, /^added 198\.18\.10\.0\/24/);
  await until(async () => (await m.registrations()).some((r) => r.eidPrefix === '198.18.10.0/24'), { what: 'the registration of the database entry added by loci map add --database' });
  assert.deepEqual((await m.lookup('198.18.10.7')).map((v) => [v.source, v.eidPrefix, v.locators.map((l) => [l.address, l.priority, l.weight])]), [['registration', '198.18.10.0/24', [['127.0.3.40', 4, 60]]]]);
  assert.deepEqual((await x.mapCache()).map((e) => e.eidPrefix), [], 'a database entry, not a map-cache entry');
  assert.equal((await x.status()).database, 3);
  assert.match((await loci('map', 'delete', '198.18.10.0/24', '--database', '--socket', sock)).stdout, /^deleted 198\.18\.10\.0\/24/);
  assert.equal((await x.status()).database, 2, 'the configured entry and the one added through the API remain');
  const status = JSON.parse((await loci('status', '--socket', sock, '--json')).stdout) as { name: string; counters: Record<string, number> };
  assert.equal(status.name, 'api-xtr');
  assert.ok(status.counters['map-register.sent']! >= 2);

  const doc = await new Promise<string>((resolve, reject) => {
    get({ socketPath: sock, path: '/v1/openapi.json' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  const openapi = JSON.parse(doc) as { openapi: string; paths: Record<string, unknown> };
  assert.equal(openapi.openapi, '3.1.0');
  assert.ok('/v1/map-cache' in openapi.paths);
});
