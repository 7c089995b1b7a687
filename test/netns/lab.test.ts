// The namespace lab: links carry v4 and v6, destroy removes exactly what one lab made,
// and the demo topology is an underlay ready for LISP (EIDs unreachable without encapsulation).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, type LabOptions } from '../../src/lab/lab.js';
import { until } from '../helpers/until.js';
import { buildDemoTopology } from '../../src/lab/topology.js';
import { requireRoot, requireTool } from '../helpers/env.js';

const systemNamespaces = (): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');

async function newLab(t: TestContext, opts?: LabOptions): Promise<Lab> {
  const lab = await Lab.create('test', opts);
  t.after(() => lab.destroy());
  return lab;
}

function rootWithTools(t: TestContext): boolean {
  return requireRoot(t) && requireTool(t, 'ip') && requireTool(t, 'ping') && requireTool(t, 'sysctl');
}

/** One echo request; deadlineS bounds the wait (1 s is enough for the expected failures). */
/** ping's exit code: 0 answered, 1 unanswered, 2 an error. */
async function ping(lab: Lab, ns: string, to: string, { deadlineS = 2, extra = [] as string[] } = {}): Promise<number> {
  const r = await lab.exec(ns, ['ping', '-n', '-c', '1', '-w', String(deadlineS), ...extra, to], { timeoutMs: 5000 });
  return r.code;
}

async function assertPings(lab: Lab, pairs: [ns: string, to: string][]): Promise<void> {
  const results = await Promise.all(pairs.map(([ns, to]) => ping(lab, ns, to)));
  const failed = pairs.filter((_, i) => results[i] !== 0).map(([ns, to]) => `${ns} -> ${to}`);
  assert.deepEqual(failed, [], 'pings that failed');
}

test('names and addresses are checked before anything runs', async (t) => {
  if (!requireTool(t, 'ip')) return;
  const lab = await Lab.create('test');
  t.after(() => lab.destroy());
  assert.match(lab.id, /^[0-9a-z]{4}$/);
  await assert.rejects(lab.namespace('Bad_Name'), /bad namespace name/);
  await assert.rejects(lab.link('a', 'an-interface-name', 'b', 'x'), /bad interface name/);
  await assert.rejects(lab.address('a', 'eth0', '192.0.2.1'), /bad CIDR/);
  await assert.rejects(lab.address('a', 'eth0', '192.0.2.1/24'), /no namespace "a"/);
  assert.throws(() => lab.exec('lother-x', ['true']), /no namespace "lother-x"/);
  assert.throws(() => lab.spawn('a', ['true']), /no namespace "a"/);
});

test('two namespaces joined by a link ping each other over IPv4 and IPv6', async (t) => {
  if (!rootWithTools(t)) return;
  const lab = await newLab(t);
  const [a, b] = await Promise.all([lab.namespace('a'), lab.namespace('b')]);
  assert.deepEqual([a, b], [`l${lab.id}-a`, `l${lab.id}-b`]);
  await lab.link('a', 'to-b', 'b', 'to-a', { mtu: 1400 });
  await Promise.all([
    lab.address('a', 'to-b', '192.0.2.1/24'),
    lab.address('b', 'to-a', '192.0.2.2/24'),
    lab.address('a', 'to-b', '2001:db8::1/64'),
    lab.address(b, 'to-a', '2001:db8::2/64'),
  ]);
  await assertPings(lab, [
    ['a', '192.0.2.2'],
    ['b', '192.0.2.1'],
    ['a', '2001:db8::2'],
    ['b', '2001:db8::1'],
  ]);
  assert.match((await lab.exec('a', ['ip', 'link', 'show', 'to-b'])).stdout, /mtu 1400/);
  await lab.setLink('b', 'to-a', 'down');
  assert.equal(await ping(lab, 'a', '192.0.2.2', { deadlineS: 1 }), 1);
  await lab.setLink('b', 'to-a', 'up');
  await until(async () => (await ping(lab, 'a', '192.0.2.2')) === 0, { what: 'the link to come back', timeoutMs: 5000 });
});

test('destroy stops only its processes and deletes only its namespaces', async (t) => {
  if (!rootWithTools(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'loci-lab-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const mine = await newLab(t, { graceMs: 300 });
  const other = await newLab(t);
  assert.notEqual(mine.id, other.id);
  await Promise.all([mine.namespace('x'), other.namespace('x')]);

  const log = join(dir, 'stubborn.log');
  const stubborn = mine.spawn('x', [process.execPath, '-e', "process.on('SIGTERM', () => {}); console.log(process.env.LAB_WORD); setInterval(() => {}, 1000)"], {
    env: { LAB_WORD: 'ready' },
    logFile: log,
  });
  const sleeper = mine.spawn('x', ['sleep', '60']);
  const otherSleeper = other.spawn('x', ['sleep', '60']);
  await until(() => readFileSync(log, 'utf8').includes('ready'), { what: 'the stubborn process to start', timeoutMs: 5000 });
  assert.deepEqual(mine.pids.sort(), [stubborn.pid, sleeper.pid].sort());
  // `ip netns exec` runs the command in place: the recorded PID is the command's, inside the namespace.
  assert.equal(execFileSync('ip', ['netns', 'identify', String(sleeper.pid)], { encoding: 'utf8' }).trim(), `l${mine.id}-x`);

  await mine.destroy();
  await mine.destroy();
  assert.equal(sleeper.signalCode, 'SIGTERM');
  assert.equal(stubborn.signalCode, 'SIGKILL');
  assert.throws(() => process.kill(sleeper.pid ?? 0, 0), { code: 'ESRCH' });
  assert.equal(otherSleeper.exitCode, null);
  assert.equal(otherSleeper.signalCode, null);
  const left = systemNamespaces();
  assert.ok(!left.some((ns) => ns.startsWith(`l${mine.id}-`)), `left: ${left.join(' ')}`);
  assert.ok(left.includes(`l${other.id}-x`));
  assert.deepEqual(mine.namespaces, []);
  assert.throws(() => mine.exec('x', ['true']), /destroyed/);

  await other.destroy();
  assert.equal(otherSleeper.signalCode, 'SIGTERM');
  assert.ok(!systemNamespaces().includes(`l${other.id}-x`));
});

test('the demo topology is a LISP-ready underlay: RLOCs reach each other, EIDs do not', async (t) => {
  if (!rootWithTools(t)) return;
  const lab = await newLab(t);
  const topo = await buildDemoTopology(lab, { ipv6: true });
  const { core, ms, xtrA, xtrB, hostA, hostB } = topo;
  assert.equal(topo.namespaces.length, 6);
  assert.ok(topo.namespaces.every((ns) => ns.startsWith(`l${lab.id}-`)));
  assert.deepEqual(xtrB.uplinks.map((u) => [u.v4, u.v6]), [
    ['203.0.113.10', '2001:db8:0:b1::10'],
    ['203.0.113.138', '2001:db8:0:b2::10'],
  ]);
  const [up1, up2] = xtrB.uplinks;

  await assertPings(lab, [
    [xtrA.ns, ms.uplink.v4],
    [xtrA.ns, ms.uplink.v6 ?? ''],
    [xtrA.ns, up1.v4],
    [xtrA.ns, up1.v6 ?? ''],
    [xtrA.ns, up2.v4],
    [xtrA.ns, up2.v6 ?? ''],
    [hostA.ns, xtrA.lan.v4],
    [hostA.ns, xtrA.lan.v6 ?? ''],
    [hostB.ns, xtrB.lan.v4],
  ]);
  // Host-a's packets reach the core, which has no route to the other site's EIDs.
  const [reach4, reach6] = await Promise.all([
    ping(lab, hostA.ns, hostB.lan.v4, { deadlineS: 1 }),
    ping(lab, hostA.ns, hostB.lan.v6 ?? '', { deadlineS: 1 }),
  ]);
  assert.equal(reach4, 1, 'host-a reached host-b without LISP (or ping failed)');
  assert.equal(reach6, 1, 'host-a reached host-b over IPv6 without LISP (or ping failed)');
  for (const eid of [hostB.lan.v4, hostB.lan.v6 ?? '', hostA.lan.v4]) {
    const r = await lab.exec(core.ns, ['ip', 'route', 'get', eid]);
    assert.notEqual(r.code, 0, `the core has a route to ${eid}: ${r.stdout}`);
  }
  // Xtr-b's second RLOC sends out of its own uplink.
  assert.match((await lab.exec(xtrB.ns, ['ip', 'route', 'get', ms.uplink.v4, 'from', up2.v4])).stdout, new RegExp(`dev ${up2.ifname} `));
  assert.match((await lab.exec(xtrB.ns, ['ip', '-6', 'route', 'get', ms.uplink.v6 ?? '', 'from', up2.v6 ?? ''])).stdout, new RegExp(`dev ${up2.ifname} `));
  assert.match((await lab.exec(xtrB.ns, ['ip', 'route', 'get', ms.uplink.v4])).stdout, new RegExp(`dev ${up1.ifname} `));
  assert.equal(await ping(lab, xtrB.ns, ms.uplink.v4, { extra: ['-I', up2.v4] }), 0);

  await lab.destroy();
  const left = systemNamespaces().filter((ns) => ns.startsWith(`l${lab.id}-`));
  assert.deepEqual(left, []);
});

test('the demo topology without IPv6 has no IPv6 addresses', async (t) => {
  if (!rootWithTools(t)) return;
  const lab = await newLab(t);
  const topo = await buildDemoTopology(lab, { ipv6: false });
  assert.equal(topo.xtrA.uplinks[0].v6, undefined);
  assert.equal(topo.xtrB.eid6, undefined);
  await assertPings(lab, [[topo.xtrA.ns, topo.xtrB.uplinks[1].v4]]);
  const r = await lab.exec(topo.xtrA.ns, ['ip', '-6', 'addr', 'show', 'scope', 'global']);
  assert.equal(r.stdout.trim(), '');
});
