// The README's main job: `loci demo` builds its namespaces, runs the daemons, shows traffic across
// the overlay and leaves nothing behind, also when stopped with Ctrl-C. Each check looks only at
// the namespaces of this demo's own lab (l<id>-*, which the demo reports), never at names other
// test files running at the same time may create.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { requireRoot, requireTool } from '../helpers/env.js';
import { LOCI_BIN } from '../helpers/loci.js';

const namespaces = () =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);

/** PIDs of the processes whose command line mentions text (the demo's config directory). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc').flatMap((p) => {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) return [];
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text) ? [Number(p)] : [];
    } catch {
      return [];
    }
  });
}

test('loci demo --json reports registrations, a lig, answered pings, traffic through both xTRs, and cleans up', (t) => {
  if (!requireRoot(t) || !requireTool(t, 'iperf3') || !requireTool(t, 'ping')) return;
  const r = spawnSync(process.execPath, [LOCI_BIN, 'demo', '--json', '--seconds', '1'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
    namespaces: string[];
    registrations: { site: string; rlocs: string[] }[];
    lig: string;
    pings: Record<string, string>;
    throughputMbps: number;
    xtrA: { encapsulated: number; decapsulated: number; perRloc: Record<string, number> };
  };
  assert.deepEqual([...new Set(summary.registrations.map((x) => x.site))].sort(), ['site-a', 'site-b']);
  assert.match(summary.lig, /Received map-reply from/);
  assert.deepEqual(Object.values(summary.pings), ['0% loss', '0% loss']);
  // A second of iperf3 through the overlay: far more than a trickle, and it went through xtr-a's
  // encapsulation to site B's RLOCs (what the summary's share line counts).
  assert.ok(summary.throughputMbps >= 10, `throughput ${summary.throughputMbps} Mbit/s`);
  const toSiteB = Object.values(summary.xtrA.perRloc).reduce((a, b) => a + b, 0);
  assert.deepEqual(Object.keys(summary.xtrA.perRloc).sort(), summary.registrations.find((x) => x.site === 'site-b')!.rlocs.slice().sort());
  assert.ok(toSiteB >= 100 && summary.xtrA.encapsulated >= toSiteB, JSON.stringify(summary.xtrA));
  assert.ok(summary.xtrA.decapsulated >= 100, 'the replies came back through xtr-a');
  assert.equal(summary.namespaces.length, 6);
  const left = namespaces().filter((ns) => summary.namespaces.includes(ns));
  assert.deepEqual(left, [], 'no namespace of the demo is left');
});

test('Ctrl-C during the demo stops its daemons and removes its namespaces and files', async (t) => {
  if (!requireRoot(t) || !requireTool(t, 'iperf3') || !requireTool(t, 'ping')) return;
  // Its own process group, as a shell gives it: Ctrl-C signals the demo and its children alike.
  const child = spawn(process.execPath, [LOCI_BIN, 'demo', '--seconds', '30'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  });
  let out = '';
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // The daemons run and iperf3 is moving data: everything the demo makes exists.
      if (/TCP throughput host A -> host B/.test(out)) resolve();
    });
    void exited.then(() => reject(new Error(`the demo ended before its throughput run:\n${out}`)));
  });
  const m = /network namespaces (l[0-9a-z]{4}-)\* \(configs and logs in (\S+)\)/.exec(out);
  assert.ok(m, out);
  const [, prefix, dir] = m as unknown as [string, string, string];
  assert.equal(namespaces().filter((ns) => ns.startsWith(prefix)).length, 6);
  const daemons = processesMentioning(dir);
  assert.ok(daemons.length >= 3, `the three loci run daemons (${daemons.length} processes mention ${dir})`);

  process.kill(-child.pid!, 'SIGINT');
  const end = await exited;
  assert.ok(end.signal === 'SIGINT' || (end.code ?? 0) !== 0, `the demo ended by Ctrl-C (${JSON.stringify(end)})`);
  assert.deepEqual(namespaces().filter((ns) => ns.startsWith(prefix)), [], 'no namespace of the demo is left');
  assert.equal(existsSync(dir), false, `${dir} is removed`);
  assert.deepEqual(processesMentioning(dir), [], 'no daemon of the demo is left');
});
