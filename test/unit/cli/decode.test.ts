import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { writePcap } from '../../../src/capture/index.js';
import { encodeAuthenticated, MAP_REGISTER_FLAGS, noFlags } from '../../../src/packet/index.js';
import { record } from '../../helpers/registers.js';
import { runDecode, type DecodeOptions } from '../../../src/cli/decode.js';
import { captureFiles, capturesDir } from '../../helpers/vectors.js';
import { LOCI_BIN } from '../../helpers/loci.js';

const defaults: DecodeOptions = { port: [4343], controlPort: [], data: false, hex: false, json: false, verify: true };

function decode(input: string, opts: Partial<DecodeOptions> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runDecode(input, { ...defaults, ...opts }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err };
}

/** The malformed frames of the captures, and the error code each must give. */
const MALFORMED: Record<string, string[]> = {
  'lispproject-encap.pcap': ['frame 1: ERR_LISP_BAD_FIELD'],
  'tcpdump-lisp_eid_notify.pcap': ['frame 3: ERR_LISP_TRUNCATED'],
  'tcpdump-lisp_invalid.pcap': ['frame 1: ERR_LISP_UNKNOWN_AFI', 'frame 2: ERR_LISP_TRUNCATED'],
  'tcpdump-lisp_invalid_length.pcap': ['frame 1: ERR_LISP_TRUNCATED'],
};

for (const file of captureFiles()) {
  const name = basename(file);
  test(`decode --verify ${name}`, () => {
    const r = decode(file);
    const bad = MALFORMED[name];
    if (!bad) {
      assert.equal(r.code, 0, r.err.join('\n'));
      assert.deepEqual(r.err, []);
      return;
    }
    assert.equal(r.code, 1);
    assert.deepEqual(
      r.err.map((l) => l.replace(/^verify: (frame \d+: ERR_LISP_[A-Z_]+).*$/, '$1')),
      bad,
    );
  });
}

test('decode names every field of a Map-Register', () => {
  const r = decode(join(capturesDir, 'tcpdump-lisp_eid_register.pcap'));
  for (const field of ['Map-Register', 'P=0 S=0 I=1 R=0 E=1 T=0 a=0 m=0 M=1', 'nonce 0xc4218228892d20a4', 'key-id 0  algorithm-id 1', 'auth-data-length 20',
    'record 1: 10.30.1.100/32  ttl 1440 min  A=1  map-version 0  locators 1', 'locator 1: 20.20.8.253  priority 1 weight 100  m-priority 1 m-weight 100  L=0 p=0 R=0',
    'xtr-id 0x9787ad753caf58a713fa6920e6d27a8f', 'site-id 0x0000000000000000']) {
    assert.ok(r.out.includes(field), `missing "${field}"`);
  }
});

test('decode --json prints one parseable object per packet, with --hex bytes', () => {
  const r = decode(join(capturesDir, 'py-lispnetworking-lcaf_instanceid.pcap'), { json: true, hex: true });
  const lines = r.out.split('\n');
  assert.equal(lines.length, 4);
  const first = JSON.parse(lines[0]!) as { kind: string; message: { type: string; nonce: string }; hex: string; exact: boolean };
  assert.equal(first.kind, 'control');
  assert.equal(first.message.type, 'ecm');
  assert.match(first.message.nonce ?? '', /^$|^0x/);
  assert.equal(first.exact, true);
  assert.match(first.hex, /^8[0-9a-f]+$/);
});

test('decode takes one hex-encoded message, with spaces or colons', () => {
  const hex = '20000001 0000000000000001 00000005 00 20 1000 0000 0001 c0000201';
  const r = decode(hex);
  assert.equal(r.code, 0);
  assert.match(r.out, /Map-Reply/);
  assert.ok(r.out.includes("record 1: 192.0.2.1/32  ttl 5 min  act 0 (no-action)"));
  assert.equal(decode(hex.replace(/ /g, ':').replace(/^20/, '90')).code, 1);
});

test('the loci binary decodes, verifies and explains bad input', () => {
  const bin = LOCI_BIN;
  const ok = spawnSync(process.execPath, [bin, 'decode', '--verify', join(capturesDir, 'lispproject-map_registers.pcap')], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /2 LISP packets, 2 decoded and re-encoded exactly, 0 with problems/);
  const bad = spawnSync(process.execPath, [bin, 'decode', 'not-a-file-nor-hex'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /ERR_LISP_CAPTURE: "not-a-file-nor-hex" is neither a file nor an even-length hex string/);
  const help = spawnSync(process.execPath, [bin, 'decode', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--verify/);
});

test('loci decode --control-port N reads LISP control on a port other than 4342, and --data reads HEX as a data packet', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loci-decode-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const register = encodeAuthenticated({ type: 'map-register', ...noFlags(MAP_REGISTER_FLAGS), wantMapNotify: true, nonce: 5n, keyId: 0, algorithmId: 2, authData: Buffer.alloc(0), records: [record('198.18.1.0/24', ['192.0.2.1'])] }, 'k');
  const file = join(dir, 'port-5000.pcap');
  writeFileSync(file, writePcap([{ src: '192.0.2.1', dst: '192.0.2.2', sport: 5000, dport: 5000, payload: register }]));
  const loci = (...args: string[]) => spawnSync(process.execPath, [LOCI_BIN, 'decode', ...args], { encoding: 'utf8' });
  const plain = loci('--verify', file);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /^0 LISP packets/m, 'port 5000 is not LISP by default');
  const withPort = loci('--verify', '--control-port', '5000', file);
  assert.equal(withPort.status, 0, withPort.stderr);
  assert.match(withPort.stdout, /Map-Register/);
  assert.match(withPort.stdout, /198\.18\.1\.0\/24/);
  assert.match(withPort.stdout, /1 LISP packets, 1 decoded and re-encoded exactly, 0 with problems/);

  // A data packet: LISP header (N bit, nonce 0x123456) and an inner IPv4 header.
  const data = '80123456 00000000 4500001c 00010000 40110000 c6120105 c6120205 1f900035 0008 0000';
  const asData = loci('--data', data);
  assert.equal(asData.status, 0, asData.stderr + asData.stdout);
  assert.match(asData.stdout, /LISP data header\n {2}N=1 [^]*nonce 0x123456\n[^]*inner IPv4 198\.18\.1\.5 -> 198\.18\.2\.5 {2}UDP/);
  const asControl = loci(data);
  assert.match(asControl.stdout, /LISP control message: ERR_LISP_BAD_FIELD/, 'without --data the same bytes are read as a control message');
});
