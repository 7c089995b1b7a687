// How a daemon starts, reloads and stops without harming itself or others: its API socket is never
// taken from a live node and is private whatever the umask; a node that fails to start registers
// nothing; a clean stop withdraws its registrations; a reload that would give one prefix to two
// sites is refused and changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LociClient } from '../../src/client/client.js';
import { SystemClock } from '../../src/core/clock.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { loadConfig } from '../../src/config/index.js';
import { udpNetwork } from '../../src/io/udp.js';
import { LispError } from '../../src/packet/index.js';
import { until } from '../helpers/until.js';

const MS = '127.0.20.1';
const ETR = '127.0.20.2';

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'loci-safety-'));
  const ms = join(dir, 'ms.yaml');
  const msYaml = (extraSite = '') =>
    `name: safety-ms\nroles: [ms, mr]\nlisten: [${MS}]\napi: { socket: ${dir}/ms.sock }\nsites:\n  - { name: a, key: k, eid-prefixes: [198.18.20.0/24] }\n${extraSite}`;
  writeFileSync(ms, msYaml());
  const etr = join(dir, 'etr.yaml');
  writeFileSync(
    etr,
    `name: safety-etr\nroles: [etr]\nlisten: [${ETR}]\napi: { socket: ${dir}/etr.sock }\nregister-interval: 1\n` +
      `map-servers: [{ address: ${MS}, key: k }]\ndatabase: [{ eid-prefix: 198.18.20.0/24, rlocs: [{ address: ${ETR} }] }]\n`,
  );
  return { dir, ms, etr, msYaml };
}

const io = () => ({ network: udpNetwork, clock: new SystemClock(), log: pino({ level: 'silent' }, { write: () => undefined }) });
const inUse = (e: unknown) => e instanceof LispError && e.code === 'ERR_LISP_IN_USE';

test('a second node with the same API socket is refused and the first keeps its API; a stale socket is replaced; the socket is 0600 under umask 000', async (t) => {
  const f = files();
  const umask = process.umask(0);
  t.after(() => {
    process.umask(umask);
    rmSync(f.dir, { recursive: true, force: true });
  });
  // A socket file whose node is gone: a process that listened on it was killed.
  spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(join(f.dir, 'ms.sock'))}, () => process.kill(process.pid, 'SIGKILL'))`]);
  assert.equal(statSync(join(f.dir, 'ms.sock')).isSocket(), true);
  const first = await Daemon.create(loadConfig(f.ms), io(), f.ms);
  t.after(() => first.stop());
  assert.equal(statSync(join(f.dir, 'ms.sock')).mode & 0o777, 0o600);
  // The same name (so the same socket) on other addresses.
  const twin = join(f.dir, 'twin.yaml');
  writeFileSync(twin, f.msYaml().replace(MS, '127.0.20.3'));
  await assert.rejects(Daemon.create(loadConfig(twin), io()), inUse);
  const status = await new LociClient(join(f.dir, 'ms.sock')).status();
  assert.equal(status.name, 'safety-ms');
  // A path that is not a socket is never removed.
  writeFileSync(join(f.dir, 'etr.sock'), 'not a socket');
  await assert.rejects(Daemon.create(loadConfig(f.etr), io(), f.etr), inUse);
  assert.equal(statSync(join(f.dir, 'etr.sock')).isFile(), true);
});

test('a node that fails to start registers nothing; a clean stop withdraws its registration at once', async (t) => {
  const f = files();
  t.after(() => rmSync(f.dir, { recursive: true, force: true }));
  const ms = await Daemon.create(loadConfig(f.ms), io(), f.ms);
  t.after(() => ms.stop());
  writeFileSync(join(f.dir, 'etr.sock'), 'not a socket');
  await assert.rejects(Daemon.create(loadConfig(f.etr), io(), f.etr), inUse);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(ms.node.counters.get('map-register.accepted'), 0, 'the failed ETR sent no Map-Register');
  rmSync(join(f.dir, 'etr.sock'));
  const etr = await Daemon.create(loadConfig(f.etr), io(), f.etr);
  await until(() => ms.node.capability('mapServer')!.registrations().length === 1, { what: 'the registration' });
  await etr.stop();
  // Withdrawn, not left to expire 3 minutes later.
  await until(() => ms.node.capability('mapServer')!.registrations().length === 0, { what: 'the withdrawal', timeoutMs: 2000 });
  assert.equal(ms.node.counters.get('registration.withdrawn'), 1);
  assert.equal(ms.node.counters.get('registration.expired'), 0);
});

test('a reload giving a site\'s prefix to a second site is refused; the first site\'s ETR goes on registering', async (t) => {
  const f = files();
  t.after(() => rmSync(f.dir, { recursive: true, force: true }));
  const ms = await Daemon.create(loadConfig(f.ms), io(), f.ms);
  t.after(() => ms.stop());
  const etr = await Daemon.create(loadConfig(f.etr), io(), f.etr);
  t.after(() => etr.stop());
  await until(() => ms.node.capability('mapServer')!.registrations().length === 1, { what: 'the registration' });
  writeFileSync(f.ms, f.msYaml('  - { name: b, key: other, eid-prefixes: [198.18.20.0/24] }\n'));
  assert.equal(await ms.reload(), false);
  writeFileSync(f.ms, f.msYaml());
  assert.equal(await ms.reload(), true);
  const accepted = ms.node.counters.get('map-register.accepted');
  await until(() => ms.node.counters.get('map-register.accepted') > accepted + 1, { what: 'more registrations after the reloads' });
  assert.equal(ms.node.counters.get('map-register.rejected.prefix-not-allowed'), 0);
  assert.deepEqual(ms.node.capability('mapServer')!.sites.list().map((s) => s.name), ['a']);
});

test('apply: log settings change in place; what takes a restart is logged as such and keeps its running value', async (t) => {
  const f = files();
  t.after(() => rmSync(f.dir, { recursive: true, force: true }));
  const lines: { msg: string; keys?: string[] }[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  const config = loadConfig(f.ms);
  const ms = await Daemon.create(config, { ...io(), log });
  t.after(() => ms.stop());
  const next = { ...config, logLevel: 'debug' as const, logHex: true, listen: ['127.0.20.9'] };
  assert.equal(await ms.apply(next), true);
  assert.equal(log.level, 'debug');
  assert.deepEqual(lines.find((l) => l.msg === 'these changes apply after a restart')?.keys, ['listen']);
  assert.deepEqual(ms.node.localAddresses.map((e) => e.address), [MS]);
  // The running listen stays the reference: the same file again still names it as a restart.
  lines.length = 0;
  assert.equal(await ms.apply(next), true);
  assert.deepEqual(lines.find((l) => l.msg === 'these changes apply after a restart')?.keys, ['listen']);
  assert.equal(await ms.reload(), false, 'not started from a file: nothing to read again');
});
