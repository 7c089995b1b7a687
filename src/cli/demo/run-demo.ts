// `loci demo`: the whole story in network namespaces. Build the topology, start a Map-Server/
// Map-Resolver and two xTRs (real `loci run` daemons), show the registrations, a lig, pings
// across the LISP overlay (IPv4 and IPv6), a short TCP throughput run and how site B's two RLOCs
// shared the flows; then remove everything (also on Ctrl-C: the lab cleans up on signals).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasToolOnPath } from './tools.js';
import { Lab } from '../../lab/lab.js';
import { tcpTransfer } from '../../lab/iperf.js';
import { buildDemoTopology } from '../../lab/topology.js';
import { demoConfigs } from './configs.js';
import { LOCI, startNodes } from './nodes.js';

export interface DemoOptions {
  seconds: number;
  json: boolean;
}

const TOOLS = ['ip', 'ping', 'iperf3'];

export async function runDemo(o: DemoOptions, say: (line: string) => void): Promise<number> {
  if (process.getuid?.() !== 0) {
    say('loci demo needs root: it creates network namespaces, veth links and TUN devices. Run it as root (e.g. with sudo).');
    return 1;
  }
  const missing = TOOLS.filter((t) => !hasToolOnPath(t));
  if (missing.length > 0) {
    say(`loci demo needs ${missing.join(', ')}; ./scripts/setup.sh installs them.`);
    return 1;
  }
  const summary: Record<string, unknown> = {};
  const step = (text: string) => o.json || say(text);
  const lab = await Lab.create('demo');
  const dir = mkdtempSync(join(tmpdir(), 'loci-demo-'));
  // Also on Ctrl-C, where the lab cleans up and re-raises the signal before `finally` could run.
  lab.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  try {
    step(`Building the topology in network namespaces l${lab.id}-* (configs and logs in ${dir}): a core router, a Map-Server/Map-Resolver, site A (xTR + host) and a dual-homed site B (xTR with two uplinks + host)...`);
    const t = await buildDemoTopology(lab, { ipv6: true });
    summary.namespaces = lab.namespaces;
    const [b1, b2] = t.xtrB.uplinks;
    step(`  Map-Server/Map-Resolver ${t.ms.uplink.v4}; site A: xTR RLOC ${t.xtrA.uplinks[0].v4}, EIDs ${t.xtrA.eid4} ${t.xtrA.eid6}; site B: xTR RLOCs ${b1.v4} and ${b2.v4}, EIDs ${t.xtrB.eid4} ${t.xtrB.eid6}`);
    step('  The core router knows no EID: hosts of the two sites can reach each other only through LISP.');
    step('Starting the Loci daemons (loci run) and waiting until both sites are registered...');
    const clients = await startNodes(lab, t, demoConfigs(t, { dir, outer: 'ipv4', rlocProbing: 1, logLevel: 'warn' }), dir);
    const registrations = await clients.ms.registrations();
    summary.registrations = registrations.map((r) => ({ site: r.site, eidPrefix: r.eidPrefix, rlocs: r.etrs.flatMap((e) => e.locators.map((l) => l.address)) }));
    for (const r of registrations) step(`  ${r.site} registered ${r.eidPrefix} with RLOCs ${r.etrs.flatMap((e) => e.locators.map((l) => l.address)).join(', ')}`);

    step(`\nlig ${t.hostB.lan.v4} from site A's xTR, asking the Map-Resolver:`);
    // Generous: loci starts from the TypeScript sources when not built, slowly on a loaded machine.
    const lig = await lab.exec(t.xtrA.ns, [process.execPath, LOCI, 'lig', t.hostB.lan.v4, '-m', t.ms.uplink.v4], { timeoutMs: 60_000 });
    summary.lig = lig.stdout.trim();
    step(lig.stdout.trimEnd().replace(/^/gm, '  '));

    const pings: Record<string, string> = {};
    for (const dst of [t.hostB.lan.v4, t.hostB.lan.v6!]) {
      const r = await lab.exec(t.hostA.ns, ['ping', '-c', '3', '-i', '0.2', '-W', '2', dst], { timeoutMs: 15_000 });
      const loss = /(\d+)% packet loss/.exec(r.stdout)?.[1] ?? '100';
      const first = /icmp_seq=1 .*time=([\d.]+ ms)/.exec(r.stdout)?.[1];
      const rtt = /= [\d.]+\/([\d.]+)\//.exec(r.stdout)?.[1];
      pings[dst] = `${loss}% loss`;
      step(`\nping host A -> host B ${dst}: ${loss}% loss; first packet ${first ?? 'lost'} (it waited in the xTR while the mapping was resolved), average ${rtt ?? '-'} ms`);
    }
    summary.pings = pings;

    step(`\nTCP throughput host A -> host B for ${o.seconds} s (iperf3) through the two xTRs...`);
    const { bitsPerSecond } = await tcpTransfer(lab, { serverNs: t.hostB.ns, dst: t.hostB.lan.v4, clientNs: t.hostA.ns, seconds: o.seconds, flows: 4 });
    const mbps = bitsPerSecond / 1e6;
    summary.throughputMbps = Math.round(mbps);
    step(`  ${Math.round(mbps)} Mbit/s (4 TCP flows)`);

    const counters = await clients['xtr-a'].counters();
    const share = [b1.v4, b2.v4].map((a) => counters[`dataplane.locator.${a}.packets`] ?? 0);
    summary.xtrA = { encapsulated: counters['dataplane.encap.packets'] ?? 0, decapsulated: counters['dataplane.decap.packets'] ?? 0, perRloc: { [b1.v4]: share[0], [b2.v4]: share[1] } };
    step(`\nSite A's xTR encapsulated ${counters['dataplane.encap.packets'] ?? 0} packets and decapsulated ${counters['dataplane.decap.packets'] ?? 0}.`);
    step(`  To dual-homed site B (two RLOCs, priority 1, weight 50 each), flows were spread per flow hash: ${b1.v4} ${share[0]} packets, ${b2.v4} ${share[1]} packets.`);
    step('\nRemoving the namespaces and stopping the daemons...');
    if (o.json) say(JSON.stringify(summary));
    return Object.values(pings).every((p) => p === '0% loss') && mbps > 0 ? 0 : 1;
  } finally {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
    step('Done: everything the demo made is gone.');
  }
}
