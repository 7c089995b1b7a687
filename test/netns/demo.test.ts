// The README's main job: `loci demo` builds its namespaces, runs the daemons, shows traffic across
// the overlay and leaves nothing behind.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { LOCI } from '../../src/cli/demo/nodes.js';
import { requireRoot, requireTool } from '../helpers/env.js';

const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

test('loci demo --json reports registrations, a lig, answered pings and throughput, and cleans up', (t) => {
  if (!requireRoot(t) || !requireTool(t, 'iperf3') || !requireTool(t, 'ping')) return;
  const r = spawnSync(process.execPath, [LOCI, 'demo', '--json', '--seconds', '1'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
    registrations: { site: string }[];
    lig: string;
    pings: Record<string, string>;
    throughputMbps: number;
  };
  assert.deepEqual([...new Set(summary.registrations.map((x) => x.site))].sort(), ['site-a', 'site-b']);
  assert.match(summary.lig, /Received map-reply from/);
  assert.deepEqual(Object.values(summary.pings), ['0% loss', '0% loss']);
  assert.ok(summary.throughputMbps > 0);
  assert.doesNotMatch(namespaces(), /-demo-|^l[0-9a-z]{4}-(core|ms|xtr|host)/m, 'no demo namespace is left');
});
