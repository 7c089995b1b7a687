// End to end through the data plane: real Loci daemons (MS/MR and two xTRs) in the demo topology's
// namespaces, traffic between the hosts of the two sites. Needs root and iperf3.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { demoConfigs, type DemoConfigOptions } from '../../src/cli/demo/configs.js';
import { startNodes, type DemoClients } from '../../src/cli/demo/nodes.js';
import { tcpTransfer } from '../../src/lab/iperf.js';
import { Lab } from '../../src/lab/lab.js';
import { until } from '../helpers/until.js';
import { buildDemoTopology, type DemoTopology } from '../../src/lab/topology.js';
import { flowHash4, RlocSelection } from '../../src/table/index.js';
import { requireRoot, requireTool } from '../helpers/env.js';
import { all, tsharkPackets } from '../helpers/tshark.js';

interface Site {
  lab: Lab;
  t: DemoTopology;
  clients: DemoClients;
  dir: string;
}

/** The topology with its daemons running and both sites registered; torn down after the test. */
async function sites(t: TestContext, o: Omit<DemoConfigOptions, 'dir'>): Promise<Site> {
  const lab = await Lab.create('dp');
  const dir = mkdtempSync(join(tmpdir(), 'loci-dp-'));
  t.after(async () => {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const topo = await buildDemoTopology(lab, { ipv6: true });
  const clients = await startNodes(lab, topo, demoConfigs(topo, { dir, logLevel: 'warn', ...o }), dir);
  return { lab, t: topo, clients, dir };
}

const ping = (s: Site, ns: string, dst: string, extra: string[] = []) =>
  s.lab.exec(ns, ['ping', dst.includes(':') ? '-6' : '-4', '-c', '1', '-W', '3', ...extra, dst], { timeoutMs: 10_000 });

/** A TCP transfer of 1 s from host A; returns the bytes received. */
const tcp = async (s: Site, dst: string) => (await tcpTransfer(s.lab, { serverNs: s.t.hostB.ns, dst, clientNs: s.t.hostA.ns, seconds: 1 })).bytes;

/** Sends `bytes` (64 MB) of random bytes from host A over one TCP connection (from localPort when given); returns what each end hashed. */
async function intactTransfer(s: Site, dst: string, o: { bytes?: number; localPort?: number } = {}): Promise<{ sent: string; received: string }> {
  const script = fileURLToPath(new URL('./tcp-digest.mjs', import.meta.url));
  const server = s.lab.exec(s.t.hostB.ns, [process.execPath, script, 'server', dst, '5001'], { timeoutMs: 60_000 });
  let sent = '';
  await until(
    async () => {
      const r = await s.lab.exec(s.t.hostA.ns, [process.execPath, script, 'client', dst, '5001', String(o.bytes ?? 64 << 20), ...(o.localPort ? [String(o.localPort)] : [])], { timeoutMs: 60_000 });
      sent = r.code === 0 ? r.stdout.trim() : '';
      return sent !== '';
    },
    { what: `a TCP stream to ${dst}`, timeoutMs: 30_000, intervalMs: 100 },
  );
  return { sent, received: (await server).stdout.trim() };
}

// As the data plane reads an address: a signed 32-bit word.
const v4Int = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0) | 0;

const counter = async (s: Site, node: 'xtr-a' | 'xtr-b', name: string) => (await s.clients[node].counters())[name] ?? 0;

// A hung step fails its test instead of the whole run: a time limit per test (a limit on the
// whole describe made five topologies share 120 s, which a loaded machine exceeded), generous
// because files run in parallel and a wait may take up to a minute (test/helpers/until.ts).
const PER_TEST = { timeout: 300_000 };
describe('data plane between two LISP sites', () => {
  for (const outer of ['ipv4', 'ipv6'] as const) {
    it(`IPv4 and IPv6 hosts reach each other over an ${outer} underlay: the first packet to a cold destination, then TCP`, PER_TEST, async (t) => {
      if (!requireRoot(t) || !requireTool(t, 'iperf3') || !requireTool(t, 'ping')) return;
      const s = await sites(t, { outer });
      for (const dst of [s.t.hostB.lan.v4, s.t.hostB.lan.v6!]) {
        const first = await ping(s, s.t.hostA.ns, dst);
        assert.equal(first.code, 0, `the first ping to ${dst} (a map-cache miss) is answered:\n${first.stdout}`);
        const bytes = await tcp(s, dst);
        assert.ok(bytes > 100_000, `TCP to ${dst} carried ${bytes} bytes`);
        const stream = await intactTransfer(s, dst);
        assert.equal(stream.received, stream.sent, `the TCP stream to ${dst} arrives intact (bytes and SHA-256)`);
        t.diagnostic(`inner ${dst.includes(':') ? 'IPv6' : 'IPv4'} over ${outer}: first ping ${/time=([\d.]+ ms)/.exec(first.stdout)?.[1]}, TCP ${(bytes / 1e6).toFixed(1)} MB in 1 s`);
      }
      assert.equal(await counter(s, 'xtr-a', 'dataplane.encap.queue-sent') >= 2, true, 'the first packets waited for their mappings');
      assert.ok((await counter(s, 'xtr-a', 'dataplane.encap.segmented')) > 0, 'the TUN device handed over unsegmented TCP packets (TSO)');
      assert.ok((await counter(s, 'xtr-b', 'dataplane.decap.coalesced')) > 0, 'decapsulated TCP segments were merged into larger writes');
      const rlocs = s.t.xtrB.uplinks.map((u) => (outer === 'ipv4' ? u.v4 : u.v6!));
      const perLocator = await Promise.all(rlocs.map((r) => counter(s, 'xtr-a', `dataplane.locator.${r}.packets`)));
      assert.ok(perLocator.some((n) => n > 0), `traffic went to site B's ${outer} RLOCs`);
    });
  }

  it('multihoming: flows share both RLOCs of site B; when one link goes down, traffic moves to the other', PER_TEST, async (t) => {
    if (!requireRoot(t) || !requireTool(t, 'ping')) return;
    const s = await sites(t, { outer: 'ipv4', rlocProbing: 0.2 });
    const [up1, up2] = s.t.xtrB.uplinks;
    const packets = (rloc: string) => counter(s, 'xtr-a', `dataplane.locator.${rloc}.packets`);
    assert.equal((await ping(s, s.t.hostA.ns, s.t.hostB.lan.v4)).code, 0);
    // Two TCP flows whose source ports the flow hash sends to different RLOCs (computed with the
    // data plane's own hash and selection over the mapping xtr-a holds): not left to the ports the
    // kernel would choose, which put eight flows on one RLOC about once in 128 runs.
    const entry = (await s.clients['xtr-a'].mapCache()).find((e) => e.eidPrefix === '198.18.2.0/24');
    assert.ok(entry, 'xtr-a has the mapping of site B');
    const selection = new RlocSelection(entry.locators.map((l) => ({ address: l.address, family: 'ipv4' as const, priority: l.priority, weight: l.weight, state: 'up' as const })));
    const portTo = (rloc: string) => {
      for (let port = 40_000; port < 41_000; port++) {
        if (selection.pick(flowHash4(v4Int(s.t.hostA.lan.v4), v4Int(s.t.hostB.lan.v4), 6, port, 5001))?.address === rloc) return port;
      }
      throw new Error(`no port in 40000-40999 hashes to ${rloc}`);
    };
    for (const rloc of [up1.v4, up2.v4]) {
      const flow = await intactTransfer(s, s.t.hostB.lan.v4, { bytes: 4 << 20, localPort: portTo(rloc) });
      assert.equal(flow.received, flow.sent);
    }
    await until(async () => (await packets(up1.v4)) > 100 && (await packets(up2.v4)) > 100, { what: 'stats showing both locators used', timeoutMs: 5000, intervalMs: 100 });
    t.diagnostic(`packets per locator with one flow hashed to each (weights 50/50): ${up1.v4} ${await packets(up1.v4)}, ${up2.v4} ${await packets(up2.v4)}`);

    // Cut the link that carries the ping flow (ICMP: no ports; the same hash and selection tell
    // which RLOC it takes), and time until the ping flow is answered again.
    const pingRloc = selection.pick(flowHash4(v4Int(s.t.hostA.lan.v4), v4Int(s.t.hostB.lan.v4), 1, 0, 0))!.address;
    const used = pingRloc === up1.v4 ? 0 : 1;
    const before = await packets(pingRloc);
    assert.equal((await ping(s, s.t.hostA.ns, s.t.hostB.lan.v4)).code, 0);
    await until(async () => (await packets(pingRloc)) > before, { what: `the ping counted on ${pingRloc}` });
    const cut = s.t.core.links[used === 0 ? 'xtrB1' : 'xtrB2'];
    const started = Date.now();
    await s.lab.setLink(s.t.core.ns, cut.ifname, 'down');
    await until(async () => (await ping(s, s.t.hostA.ns, s.t.hostB.lan.v4, ['-W', '0.2'])).code === 0, { what: 'the ping answered over the other RLOC', timeoutMs: 10_000, intervalMs: 0 });
    const took = Date.now() - started;
    t.diagnostic(`failover after the link of ${s.t.xtrB.uplinks[used]!.v4} went down: ${took} ms (RLOC probing every 200 ms)`);
    const locatorState = async () => (await s.clients['xtr-a'].mapCache()).find((e) => e.eidPrefix === '198.18.2.0/24')?.locators.find((l) => l.address === s.t.xtrB.uplinks[used]!.v4)?.state;
    await until(async () => (await locatorState()) === 'down', { what: 'the cut locator to be marked down' });
  });

  it('routes and rules: the xTR adds its rules and table at start, follows a database entry added and removed through the API, and removes exactly them at stop', PER_TEST, async (t) => {
    if (!requireRoot(t)) return;
    const lab = await Lab.create('dp-routes');
    const dir = mkdtempSync(join(tmpdir(), 'loci-dp-'));
    t.after(async () => {
      await lab.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    const topo = await buildDemoTopology(lab, { ipv6: true });
    const state = async () => {
      const out: string[] = [];
      for (const argv of [['-4', 'rule', 'show'], ['-6', 'rule', 'show'], ['-4', 'route', 'show', 'table', 'all'], ['-6', 'route', 'show', 'table', 'all']]) {
        out.push(`## ip ${argv.join(' ')}`, (await lab.exec(topo.xtrA.ns, ['ip', ...argv])).stdout.trim());
      }
      return out.join('\n');
    };
    const before = await state();
    const configs = demoConfigs(topo, { dir, outer: 'ipv4', logLevel: 'warn' });
    const clients = await startNodes(lab, topo, configs, dir);
    const running = await state();
    // Router mode, table 4341, priorities 4340 and 4341 (docs/dataplane.md, "Routes and rules").
    assert.match(running, /^4340:\s+from all to 198\.18\.1\.0\/24 lookup main/m);
    assert.match(running, /^4341:\s+from 198\.18\.1\.0\/24 lookup 4341/m);
    assert.match(running, /^default dev loci0 table 4341/m);
    assert.notEqual(running, before);
    // A database entry through the API: its two rules at once (T's IPv4 route is there already).
    const rlocs = (configs['xtr-a'].database as { rlocs: { address: string }[] }[])[0]!.rlocs.map((r) => ({ address: r.address }));
    await clients['xtr-a'].setDatabaseEntry({ 'eid-prefix': '198.18.11.0/24', rlocs });
    const added = await state();
    assert.match(added, /^4340:\s+from all to 198\.18\.11\.0\/24 lookup main/m);
    assert.match(added, /^4341:\s+from 198\.18\.11\.0\/24 lookup 4341/m);
    await clients['xtr-a'].deleteDatabaseEntry('198.18.11.0/24');
    assert.equal(await state(), running, 'the entry removed: exactly its rules gone');
    // Stop xtr-a's daemon (SIGTERM, as at shutdown) and nothing else.
    const nsPids = async () => (await lab.exec(topo.xtrA.ns, ['sh', '-c', 'ip netns pids "$(ip netns identify $$)"'])).stdout.split(/\s+/).filter(Boolean).map(Number);
    const daemons = (await Promise.all(lab.pids.map(async (pid) => ((await nsPids()).includes(pid) ? [pid] : [])))).flat();
    assert.equal(daemons.length, 1, `one daemon in xtr-a's namespace: ${daemons.join(' ')}`);
    process.kill(daemons[0]!, 'SIGTERM');
    await until(() => !lab.pids.includes(daemons[0]!), { what: "xtr-a's daemon to exit", timeoutMs: 15_000 });
    assert.equal(await state(), before, 'the rules and routes are exactly those before it started');
  });

  it('encapsulated packets leave from four sockets per family: the outer source port is constant per flow and set by its flow hash', PER_TEST, async (t) => {
    if (!requireRoot(t) || !requireTool(t, 'tshark')) return;
    const s = await sites(t, { outer: 'ipv4' });
    assert.equal((await ping(s, s.t.hostA.ns, s.t.hostB.lan.v4)).code, 0);
    // Two flows for each of the 4 sockets (the sender takes socket flowHash % 4), as UDP source ports.
    const hashOf = (port: number) => flowHash4(v4Int(s.t.hostA.lan.v4), v4Int(s.t.hostB.lan.v4), 17, port, 9) >>> 0;
    const ports: number[] = [];
    for (let p = 30_000; ports.length < 8; p++) if (ports.filter((q) => hashOf(q) % 4 === hashOf(p) % 4).length < 2) ports.push(p);
    const file = join(s.dir, 'ports.pcapng');
    const capture = s.lab.spawn(s.t.core.ns, ['tshark', '-q', '-i', s.t.core.links.xtrA.ifname, '-f', `udp dst port 4341 and src host ${s.t.xtrA.uplinks[0].v4}`, '-c', '24', '-a', 'duration:30', '-w', file]);
    const exited = new Promise((resolve) => capture.once('exit', resolve));
    let err = '';
    capture.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    await until(() => err.includes('Capturing on'), { what: 'tshark to capture', timeoutMs: 10_000 });
    // One datagram every 20 ms: packets read together from the TUN to one locator through one
    // socket would leave as one GSO send, which the capture shows as one frame.
    const script = `const dgram = require('node:dgram'); const ps = ${JSON.stringify(ports)};
      (async () => { const us = await Promise.all(ps.map((p) => new Promise((ok) => { const u = dgram.createSocket('udp4'); u.bind(p, () => ok(u)); })));
        for (let i = 0; i < 3; i++) for (const u of us) { await new Promise((ok) => u.send('x', 9, '${s.t.hostB.lan.v4}', ok)); await new Promise((ok) => setTimeout(ok, 20)); }
        process.exit(0); })();`;
    assert.equal((await s.lab.exec(s.t.hostA.ns, [process.execPath, '-e', script], { timeoutMs: 10_000 })).code, 0);
    await exited;
    const byFlow = new Map<number, Set<number>>();
    for (const p of tsharkPackets(file)) {
      const [outer, inner] = all(p.layers.udp) as Record<string, string>[];
      const flow = Number(inner!['udp.srcport']);
      byFlow.set(flow, (byFlow.get(flow) ?? new Set()).add(Number(outer!['udp.srcport'])));
    }
    t.diagnostic(`flows (UDP source port: socket, outer source port) ${ports.map((p) => `${p}: ${hashOf(p) % 4}, ${[...(byFlow.get(p) ?? [])].join('/')}`).join('; ')}`);
    assert.deepEqual([...byFlow.keys()].sort(), [...ports].sort(), 'every flow was captured');
    for (const [flow, outer] of byFlow) assert.equal(outer.size, 1, `flow ${flow}: one outer source port, not ${[...outer].join(', ')}`);
    const outerOf = (p: number) => [...byFlow.get(p)!][0]!;
    assert.equal(new Set(ports.map(outerOf)).size, 4, 'four sockets, four source ports');
    for (const p of ports) for (const q of ports) assert.equal(outerOf(p) === outerOf(q), hashOf(p) % 4 === hashOf(q) % 4, `flows ${p} and ${q}`);
  });

  it('host mode: the xTR host itself, with its EID on the TUN device, reaches a host of the other site', PER_TEST, async (t) => {
    if (!requireRoot(t)) return;
    const s = await sites(t, { outer: 'ipv4', hostModeA: true });
    const r = await ping(s, s.t.xtrA.ns, s.t.hostB.lan.v4);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const route = await s.lab.exec(s.t.xtrA.ns, ['ip', 'route', 'get', s.t.hostB.lan.v4]);
    assert.match(route.stdout, /dev loci0 .*src 198\.18\.1\.100/);
  });

  it('a negative natively-forward mapping sends packets to the PETR, which forwards them natively', PER_TEST, async (t) => {
    if (!requireRoot(t)) return;
    // Site B's xTR is the PETR; the Map-Server (not an EID) is the destination.
    const petr = (tp: DemoTopology) => tp.xtrB.uplinks[0].v4;
    const lab = await Lab.create('petr');
    const dir = mkdtempSync(join(tmpdir(), 'loci-dp-'));
    t.after(async () => {
      await lab.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    const topo = await buildDemoTopology(lab, { ipv6: false });
    const clients = await startNodes(lab, topo, demoConfigs(topo, { dir, outer: 'ipv4', logLevel: 'warn', petr: petr(topo) }), dir);
    const echoes = async () => Number(/Icmp: .*\nIcmp: (?:\d+ ){8}(\d+)/.exec((await lab.exec(topo.ms.ns, ['cat', '/proc/net/snmp'])).stdout)?.[1] ?? -1);
    const before = await echoes();
    // No answer comes back: the core has no route to EIDs (a PITR would advertise them).
    await lab.exec(topo.hostA.ns, ['ping', '-c', '3', '-i', '0.3', '-W', '1', topo.ms.uplink.v4], { timeoutMs: 10_000 });
    await until(async () => (await echoes()) > before, { what: 'echo requests at the Map-Server', timeoutMs: 5000 });
    const cache = await clients['xtr-a'].mapCache();
    assert.ok(cache.some((e) => e.state === 'negative' && e.action === 'natively-forward'), JSON.stringify(cache));
    assert.ok(((await clients['xtr-a'].counters())[`dataplane.locator.${petr(topo)}.packets`] ?? 0) > 0, 'encapsulated to the PETR');
    assert.ok(((await clients['xtr-b'].counters())['dataplane.decap.packets'] ?? 0) > 0, 'decapsulated by the PETR');
  });

  it('tshark decodes the data packets as LISP with the nonce, the LSBs and the instance-id, the outer TTL and DSCP copied from the inner', PER_TEST, async (t) => {
    if (!requireRoot(t) || !requireTool(t, 'tshark')) return;
    const s = await sites(t, { outer: 'ipv4', instanceId: 1000 });
    const file = join(s.dir, 'data.pcapng');
    const capture = s.lab.spawn(s.t.core.ns, ['tshark', '-q', '-i', s.t.core.links.xtrA.ifname, '-f', 'udp port 4341', '-c', '4', '-a', 'duration:20', '-w', file]);
    const exited = new Promise((resolve) => capture.once('exit', resolve));
    let err = '';
    capture.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    await until(() => err.includes('Capturing on'), { what: 'tshark to capture', timeoutMs: 10_000 });
    // Eight packets on the wire (4 requests, 4 replies): tshark keeps the first 4 it sees. The
    // replies copy the requests' TOS (DSCP EF).
    const r = await ping(s, s.t.hostA.ns, s.t.hostB.lan.v4, ['-c', '4', '-i', '0.2', '-t', '33', '-Q', '0xb8']);
    assert.equal(r.code, 0);
    await exited;
    const packets = tsharkPackets(file);
    assert.equal(packets.length, 4);
    for (const p of packets) {
      const d = p.layers['lisp-data'] as Record<string, unknown>;
      const text = JSON.stringify(d);
      assert.match(text, /"lisp-data\.flags\.nonce":"1"/);
      assert.match(text, /"lisp-data\.flags\.iid":"1"/);
      assert.match(text, /"lisp-data\.iid":"1000"/);
      assert.match(text, /"lisp-data\.flags\.lsb":"1"/);
      assert.ok(p.protocols.includes('icmp'), 'the inner packet is decoded too');
      const [outer, inner] = all(p.layers.ip) as Record<string, string>[];
      assert.equal(outer!['ip.dsfield'], inner!['ip.dsfield'], 'the outer DSCP and ECN are the inner ones');
      assert.equal(inner!['ip.dsfield'], '0xb8');
      // A request leaves xtr-a with the TTL of its inner packet; a reply left xtr-b so, then the core took one off.
      const request = inner!['ip.src'] === s.t.hostA.lan.v4;
      assert.equal(Number(outer!['ip.ttl']), Number(inner!['ip.ttl']) - (request ? 0 : 1), `outer TTL of a ${request ? 'request' : 'reply'}`);
      if (request) assert.equal(inner!['ip.ttl'], '32', 'host A sent TTL 33 and xtr-a forwarded it');
    }
  });
});
