// `loci run` as real processes on loopback: an ETR registers with a Map-Server/Map-Resolver,
// SIGHUP reloads a changed database (and refuses a broken file), SIGTERM exits cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLig } from '../../src/cli/lig.js';
import { until } from '../helpers/until.js';
import { LOCI_BIN } from '../helpers/loci.js';

const bin = LOCI_BIN;

const msConfig = (dir: string) => `
name: test-ms
api: { socket: ${dir}/ms.sock }
log-level: debug
log-hex: true
roles: [ms, mr]
listen: [127.0.2.20]
sites:
  - name: site-a
    key: a-secret
    eid-prefixes:
      - { eid-prefix: 198.18.4.0/22, accept-more-specifics: true }
`;
const etrConfig = (dir: string, prefixes: string[]) => `
name: test-etr
api: { socket: ${dir}/etr.sock }
roles: [etr]
listen: [127.0.2.21]
register-interval: 1
map-servers:
  - { address: 127.0.2.20, key: a-secret }
database:
${prefixes.map((p) => `  - { eid-prefix: ${p}, rlocs: [{ address: 127.0.2.21 }] }`).join('\n')}
`;

function daemon(config: string): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [bin, 'run', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stderr: () => err };
}

async function ligAnswers(eid: string, timeoutMs = 120_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const lines: string[] = [];
    const code = await runLig(eid, { mapResolver: '127.0.2.20', port: 4342, count: 1, timeout: 3, source: '127.0.2.1', instanceId: 0, json: false }, (l) => lines.push(l));
    const out = lines.join('\n');
    if (code === 0 && !out.includes('Negative cache entry')) return out;
    if (Date.now() > end) assert.fail(`no positive answer for ${eid}: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const exited = (c: ChildProcess) => new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));

test('loci run: register, lig, reload on SIGHUP, refuse a broken reload, stop on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loci-daemon-'));
  writeFileSync(join(dir, 'ms.yaml'), msConfig(dir));
  writeFileSync(join(dir, 'etr.yaml'), etrConfig(dir, ['198.18.4.0/24']));
  const msd = daemon(join(dir, 'ms.yaml'));
  const etr = daemon(join(dir, 'etr.yaml'));
  t.after(() => {
    for (const p of [msd, etr]) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  assert.match(await ligAnswers('198.18.4.9'), /198\.18\.4\.0\/24, via map-reply, record ttl: 1440, auth/);

  // At debug level the Map-Server logs each packet with its dump and hex (the ETR's xTR-ID: the I bit); a malformed one is logged and dropped.
  // (The log reaches us through a pipe, maybe after the answer did.)
  await until(() => /"hex":"0000 {2}3[0-9a-f] (?:[^"\\]|\\.)*","msg":"received\\nMap-Register\\n {2}P=0 S=0 I=1 R=0 E=0 T=0 a=0 m=0 M=1 {2}records 1\\n {2}nonce 0x/.test(msd.stderr()), { what: 'the Map-Register in the debug log' });
  await until(() => /"msg":"sent\\nMap-Notify\\n/.test(msd.stderr()), { what: 'the Map-Notify in the debug log' });
  const probe = createSocket('udp4');
  await new Promise<void>((resolve) => probe.send(Buffer.from('90000000', 'hex'), 4342, '127.0.2.20', () => resolve()));
  probe.close();
  await until(() => msd.stderr().includes('malformed control packet dropped'), { what: 'the malformed packet to be logged' });
  assert.match(msd.stderr(), /"code":"ERR_LISP_UNKNOWN_TYPE".*"msg":"malformed control packet dropped"/);

  writeFileSync(join(dir, 'etr.yaml'), etrConfig(dir, ['198.18.4.0/24', '198.18.5.0/24']));
  etr.child.kill('SIGHUP');
  assert.match(await ligAnswers('198.18.5.9'), /198\.18\.5\.0\/24, via map-reply/);

  writeFileSync(join(dir, 'etr.yaml'), 'name: test-etr\nroles: [etr]\nbogus-key: 1\n');
  etr.child.kill('SIGHUP');
  await until(() => etr.stderr().includes('reload refused'), { what: 'the refused reload to be logged' });
  assert.match(etr.stderr(), /reload refused, the running config stays/);
  assert.match(etr.stderr(), /bogus-key/);
  assert.match(await ligAnswers('198.18.5.9'), /198\.18\.5\.0\/24/);

  for (const p of [etr, msd]) {
    const code = exited(p.child);
    p.child.kill('SIGTERM');
    assert.equal(await code, 0);
    assert.match(p.stderr(), /"msg":"node stopped"/);
  }
});

test('loci run with a broken config says where and exits 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loci-daemon-'));
  writeFileSync(join(dir, 'bad.yaml'), 'name: x\nroles: [ms]\nlisten: [127.0.2.30]\nsites:\n  - name: s\n    key: k\n    eid-prefixes: [198.18.0.0/33]\n');
  const d = daemon(join(dir, 'bad.yaml'));
  const code = await exited(d.child);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(code, 2);
  assert.match(d.stderr(), /ERR_LISP_CONFIG/);
  assert.match(d.stderr(), /bad\.yaml:7:\d+: sites\[0\]\.eid-prefixes\[0\]/);
});

test('loci run whose control port is taken says so on one line and exits 2, with or without Map-Server workers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loci-daemon-'));
  const holder = createSocket('udp4');
  await new Promise<void>((resolve) => holder.bind(4342, '127.0.2.40', resolve));
  t.after(() => {
    holder.close();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const workers of [0, 2]) {
    const file = join(dir, `taken-${workers}.yaml`);
    writeFileSync(file, `name: taken\nroles: [ms]\nlisten: [127.0.2.40]\nms-workers: ${workers}\nsites: [{ name: s, key: k, eid-prefixes: [198.18.0.0/24] }]\napi: { socket: ${dir}/taken.sock }\n`);
    const d = daemon(file);
    assert.equal(await exited(d.child), 2);
    assert.equal(d.stderr(), 'loci: ERR_LISP_SYSTEM: bind (UDP 127.0.2.40:4342) failed: EADDRINUSE\n', `ms-workers: ${workers}`);
  }
});
