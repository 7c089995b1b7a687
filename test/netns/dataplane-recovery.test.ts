// The data plane recovers: an encap worker that dies comes back with its forwarding table, and an
// xTR killed with SIGKILL starts again over what it left. Real Loci daemons in the demo topology's
// namespaces (see dataplane.test.ts). Needs root and ping.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { demoConfigs, type DemoNode } from '../../src/cli/demo/configs.js';
import { LOCI, startNodes, type DemoClients } from '../../src/cli/demo/nodes.js';
import { Lab } from '../../src/lab/lab.js';
import { until } from '../../src/lab/poll.js';
import { buildDemoTopology, type DemoTopology } from '../../src/lab/topology.js';
import { requireRoot, requireTool } from '../helpers/env.js';

interface Site {
  lab: Lab;
  t: DemoTopology;
  clients: DemoClients;
  dir: string;
  children: Partial<Record<DemoNode, ChildProcess>>;
}

const FAULT_NODE = fileURLToPath(new URL('./fault-node.ts', import.meta.url));

/** The topology (IPv4) with its daemons running and both sites registered; xtr-a through fault-node.ts when asked. */
async function sites(t: TestContext, o: { faultNodeA?: boolean; hostModeA?: boolean } = {}): Promise<Site> {
  const lab = await Lab.create('dprec');
  const dir = mkdtempSync(join(tmpdir(), 'loci-dprec-'));
  t.after(async () => {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const topo = await buildDemoTopology(lab, { ipv6: false });
  const children: Site['children'] = {};
  const clients = await startNodes(lab, topo, demoConfigs(topo, { dir, outer: 'ipv4', logLevel: 'info', hostModeA: o.hostModeA ?? false }), dir, {
    ...(o.faultNodeA ? { command: (node: DemoNode, file: string) => (node === 'xtr-a' ? [process.execPath, '--import', 'tsx', FAULT_NODE, file] : [process.execPath, LOCI, 'run', '-c', file]) } : {}),
    spawned: (node, child) => (children[node] = child),
  });
  return { lab, t: topo, clients, dir, children };
}

/** A ping from host A (from xtr-a itself in host mode) to host B. */
const ping = (s: Site, from = s.t.hostA.ns) => s.lab.exec(from, ['ping', '-4', '-c', '1', '-W', '3', s.t.hostB.lan.v4], { timeoutMs: 10_000 });
const counter = async (s: Site, name: string) => (await s.clients['xtr-a'].counters())[name] ?? 0;
const logLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const rules = async (s: Site) => (await s.lab.exec(s.t.xtrA.ns, ['ip', '-4', 'rule', 'show'])).stdout;
const removedLine = (file: string) => logLines(file).filter((l) => typeof l.msg === 'string' && l.msg.startsWith('removed what an earlier run of this node left'));

/** Kills xtr-a with SIGKILL and starts it again with its config; returns the new run's log file. */
async function killAndRestartA(s: Site, before?: () => Promise<void>): Promise<string> {
  const xtrA = s.children['xtr-a']!;
  const gone = exited(xtrA);
  xtrA.kill('SIGKILL');
  await gone;
  await before?.();
  const log = join(s.dir, 'xtr-a-2.log');
  s.children['xtr-a'] = s.lab.spawn(s.t.xtrA.ns, [process.execPath, LOCI, 'run', '-c', join(s.dir, 'xtr-a.yaml')], { logFile: log });
  await until(async () => (await s.clients['xtr-a'].status()).name === 'xtr-a', { what: `xtr-a to serve again (log: ${log})`, timeoutMs: 30_000, intervalMs: 100 }).catch((e: Error) => {
    throw new Error(`${e.message}\n${readFileSync(log, 'utf8')}`);
  });
  return log;
}

const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));

// A hung step fails its test, not the others (each has its own timeout).
const EACH = { timeout: 120_000 };

describe('data plane recovery', () => {
  it('an encap worker that dies is logged at error level, counted and restarted with its forwarding table: the ping goes through again', EACH, async (t) => {
    if (!requireRoot(t) || !requireTool(t, 'ping')) return;
    const s = await sites(t, { faultNodeA: true });
    assert.equal((await ping(s)).code, 0, 'the overlay works before');
    const before = await counter(s, 'dataplane.encap.packets');
    assert.ok(before > 0);

    s.children['xtr-a']!.kill('SIGUSR2');
    await until(async () => (await counter(s, 'dataplane.worker-restarts')) === 1, { what: 'the encap worker to be restarted', timeoutMs: 15_000 });
    assert.equal(await counter(s, 'dataplane.worker-deaths'), 1);
    const log = join(s.dir, 'xtr-a.log');
    await until(() => logLines(log).some((l) => l.msg === 'worker thread restarted'), { what: 'the restarted line', timeoutMs: 10_000 });
    const deaths = logLines(log).filter((l) => l.msg === 'worker thread died');
    assert.equal(deaths.length, 1);
    assert.equal(deaths[0]!.level, 50, 'logged at error level');
    assert.equal(deaths[0]!.thread, 'data-plane encap worker');

    // The restarted worker got the map-cache: the route to site B is there, no miss needed.
    const misses = await counter(s, 'dataplane.encap.miss');
    const r = await ping(s);
    assert.equal(r.code, 0, `the ping goes through after the restart:\n${r.stdout}`);
    assert.ok((await counter(s, 'dataplane.encap.packets')) > before, 'packets encapsulated again');
    assert.equal(await counter(s, 'dataplane.encap.miss'), misses, 'the route came with the restart, not from a miss');
    t.diagnostic(`restarted ${deaths[0]!.restartInMs} ms after the death`);
  });

  it('an xTR killed with SIGKILL starts again: it removes the rules it left, says so, and traffic flows; rules and routes of other tables stay', EACH, async (t) => {
    if (!requireRoot(t) || !requireTool(t, 'ping')) return;
    const s = await sites(t);
    const ns = s.t.xtrA.ns;
    assert.equal((await ping(s)).code, 0);
    // Someone else's: a rule at the node's priority for another table, a rule at P-1 to main that
    // the node does not install, and a route of another table.
    const planted = [
      ['ip', '-4', 'rule', 'add', 'from', '192.0.2.128/25', 'lookup', '4342', 'pref', '4341'],
      ['ip', '-4', 'rule', 'add', 'to', '192.0.2.128/25', 'lookup', 'main', 'pref', '4340'],
      ['ip', '-4', 'route', 'add', 'unreachable', '192.0.2.128/25', 'table', '4342'],
    ];
    for (const argv of planted) assert.equal((await s.lab.exec(ns, argv)).code, 0, argv.join(' '));

    let left = '';
    const log = await killAndRestartA(s, async () => {
      left = await rules(s);
      assert.match(left, /4341:\s+from 198\.18\.1\.0\/24 lookup 4341/, `the killed run left its rules:\n${left}`);

      // A start that cannot have its TUN device (a veth has the name) fails with one line and touches nothing.
      const bad = join(s.dir, 'xtr-a-bad.yaml');
      const config = readFileSync(join(s.dir, 'xtr-a.yaml'), 'utf8');
      writeFileSync(bad, config.replace(/data-plane: \{\}/, `data-plane: { tun: ${s.t.xtrA.uplinks[0].ifname} }`));
      assert.notEqual(config, readFileSync(bad, 'utf8'));
      const failed = await s.lab.exec(ns, [process.execPath, LOCI, 'run', '-c', bad], { timeoutMs: 30_000 });
      assert.equal(failed.code, 2, failed.stderr);
      const errorLines = failed.stderr.trim().split('\n').filter((l) => !l.startsWith('{'));
      assert.deepEqual(errorLines, [`loci: ERR_LISP_SYSTEM: data plane: a veth link named ${s.t.xtrA.uplinks[0].ifname} exists and is not a TUN device this node made; name another in data-plane.tun`]);
      assert.equal(await rules(s), left, 'the failed start removed nothing');

      // A persistent TUN device of the node's name, as another tool could have left it.
      assert.equal((await s.lab.exec(ns, ['ip', 'tuntap', 'add', 'dev', 'loci0', 'mode', 'tun'])).code, 0);
    });
    const cleaned = removedLine(log);
    assert.equal(cleaned.length, 1, 'one line says what was removed');
    assert.equal(cleaned[0]!.level, 40);
    assert.deepEqual(cleaned[0]!.removed, ['ip -4 rule pref 4340 to 198.18.1.0/24 lookup main', 'ip -4 rule pref 4341 from 198.18.1.0/24 lookup 4341', 'TUN device loci0 (persistent)']);

    const now = await rules(s);
    assert.equal(now.match(/lookup 4341/g)?.length, 1, `one rule of the node's table, not two:\n${now}`);
    assert.match(now, /4341:\s+from 192\.0\.2\.128\/25 lookup 4342/, 'the other table\'s rule stays');
    assert.match(now, /4340:\s+from all to 192\.0\.2\.128\/25 lookup main/, 'the P-1 rule the node does not install stays');
    const other = await s.lab.exec(ns, ['ip', '-4', 'route', 'show', 'table', '4342']);
    assert.match(other.stdout, /unreachable 192\.0\.2\.128\/25/, 'the other table\'s route stays');

    await until(async () => (await ping(s)).code === 0, { what: 'the ping through the restarted xTR', timeoutMs: 20_000, intervalMs: 200 });
  });

  it('host mode: an xTR killed with SIGKILL starts again over its rule from its RLOC and its catch-all rule', EACH, async (t) => {
    if (!requireRoot(t) || !requireTool(t, 'ping')) return;
    const s = await sites(t, { hostModeA: true });
    assert.equal((await ping(s, s.t.xtrA.ns)).code, 0);
    const log = await killAndRestartA(s);
    assert.deepEqual(removedLine(log)[0]?.removed, [`ip -4 rule pref 4340 from ${s.t.xtrA.uplinks[0].v4}/32 lookup main`, 'ip -4 rule pref 4341 lookup 4341']);
    const now = await rules(s);
    assert.equal(now.match(/lookup 4341/g)?.length, 1, now);
    await until(async () => (await ping(s, s.t.xtrA.ns)).code === 0, { what: 'the ping from the restarted host-mode xTR', timeoutMs: 20_000, intervalMs: 200 });
  });
});
