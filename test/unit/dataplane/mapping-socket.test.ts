// The encap worker's end of the mapping socket takes nothing on trust: a hostile control message
// (a locator with a zone, a priority out of range, an address of the wrong length, ...) is refused
// and counted, the table stays as it was, and the worker goes on. Checked on the Fib alone and on
// the real worker thread (a FIFO stands in for the TUN device, so no root is needed).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { C, DataCounters } from '../../../src/dataplane/counters.js';
import { Fib } from '../../../src/dataplane/fib.js';
import type { OwnEid } from '../../../src/dataplane/own-eids.js';
import { MAX_OWN_EIDS } from '../../../src/dataplane/protocol.js';
import { MappingReceiver } from '../../../src/dataplane/receiver.js';
import type { WorkerMessage } from '../../../src/dataplane/protocol.js';
import type { WorkerSetup } from '../../../src/dataplane/worker-setup.js';
import { UdpFd } from '../../../src/io/linux/index.js';
import { GENERATION, STOP } from '../../../src/io/thread/control.js';
import { startThread } from '../../../src/io/thread/start.js';
import { parsePrefix } from '../../../src/table/index.js';
import { until } from '../../helpers/until.js';

const prefix = parsePrefix('198.18.2.0/24');
const locator = (o: Record<string, unknown> = {}) => ({ address: '192.0.2.10', family: 'ipv4', priority: 1, weight: 50, state: 'up', ...o });
const add = (l: unknown, p: unknown = prefix) => ({ op: 'add', prefix: p, route: { kind: 'forward', locators: [l] } });

/** Control messages a worker must refuse, each with what its reason names. */
const HOSTILE: readonly [string, unknown, RegExp][] = [
  ['a locator with a zone (fe80::1%eth0)', add(locator({ address: 'fe80::1%eth0', family: 'ipv6' })), /not an ipv6 address: "fe80::1%eth0"/],
  ['an IPv6 address as an IPv4 locator', add(locator({ address: '2001:db8::1' })), /not an ipv4 address/],
  ['a host name as a locator', add(locator({ address: 'rloc.example' })), /not an ipv4 address/],
  ['priority 256', add(locator({ priority: 256 })), /priority 256 is not 0-255/],
  ['weight -1', add(locator({ weight: -1 })), /weight -1 is not 0-255/],
  ['weight NaN', add(locator({ weight: NaN })), /weight NaN is not 0-255/],
  ['an unknown locator state', add(locator({ state: 'sideways' })), /unknown state "sideways"/],
  ['a MAC locator', add(locator({ family: 'mac', address: '02:00:5e:00:53:01' })), /unknown family "mac"/],
  ['a 16-byte IPv4 prefix address', add(locator(), { ...prefix, address: new Uint8Array(16) }), /16 address bytes, ipv4 needs 4/],
  ['a 3-byte IPv4 prefix address', add(locator(), { ...prefix, address: new Uint8Array(3) }), /3 address bytes, ipv4 needs 4/],
  ['prefix length 33', add(locator(), { ...prefix, len: 33 }), /bad length 33/],
  ['instance-id 2^32', add(locator(), { ...prefix, iid: 2 ** 32 }), /bad instance-id/],
  ['an address that is not bytes', add(locator(), { ...prefix, address: '198.18.2.0' }), /the address is "198.18.2.0", not bytes/],
  ['256 locators', { op: 'add', prefix, route: { kind: 'forward', locators: new Array(256).fill(locator()) } }, /256 locators/],
  ['locators that are not a list', { op: 'add', prefix, route: { kind: 'forward', locators: 7 } }, /not a list/],
  ['an unknown negative action', { op: 'add', prefix, route: { kind: 'negative', action: 'explode' } }, /unknown negative action "explode"/],
  ['an unknown route kind', { op: 'add', prefix, route: { kind: 'teleport' } }, /unknown route kind/],
  ['an add without a route', { op: 'add', prefix }, /no route/],
  ['a delete without a prefix', { op: 'delete' }, /no prefix/],
  ['an unknown op', { op: 'reboot' }, /unknown op "reboot"/],
  ['a bigint op', { op: 1n }, /unknown op 1/],
  ['null', null, /not an object/],
  ['a string', 'add', /not an object/],
];

const own = { family: 'ipv4', address: prefix.address, len: 24 };
/** Database messages a worker must refuse, each with what its reason names. */
const HOSTILE_DATABASE: readonly [string, unknown, RegExp][] = [
  ['LSBs of 2^32', { op: 'locator-status-bits', bits: 2 ** 32 }, /bad bits 4294967296/],
  ['LSBs -1', { op: 'locator-status-bits', bits: -1 }, /bad bits -1/],
  ['LSBs as a string', { op: 'locator-status-bits', bits: '7' }, /bad bits "7"/],
  ['own EIDs that are not a list', { op: 'own-eids', eids: 'all' }, /neither a list nor null/],
  ['own EIDs without a field', { op: 'own-eids' }, /neither a list nor null/],
  [`${MAX_OWN_EIDS + 1} own EIDs`, { op: 'own-eids', eids: new Array(MAX_OWN_EIDS + 1).fill(own) }, /65537 prefixes \(at most 65536\)/],
  ['an own EID of length 33', { op: 'own-eids', eids: [own, { ...own, len: 33 }] }, /prefix 1: prefix: bad length 33/],
  ['an own EID of 16 IPv4 bytes', { op: 'own-eids', eids: [{ ...own, address: new Uint8Array(16) }] }, /16 address bytes, ipv4 needs 4/],
  ['an own EID that is null', { op: 'own-eids', eids: [null] }, /prefix 0: no prefix/],
];

describe('mapping socket: hostile database messages', () => {
  it("each is refused with a reason, counted, and changes nothing; a message for the other role's worker is refused too; good ones apply", () => {
    const counters = new DataCounters();
    const applied: unknown[] = [];
    const encap = new MappingReceiver(counters, { fib: new Fib(), locatorStatusBits: (bits) => applied.push(bits) });
    const decap = new MappingReceiver(counters, { ownEids: (eids) => applied.push(eids) });
    for (const [what, m, reason] of HOSTILE_DATABASE) {
      for (const receiver of [encap, decap]) {
        receiver.receive(m);
        assert.match(receiver.takeRejected()?.reason ?? 'accepted', reason, what);
      }
    }
    encap.receive({ op: 'own-eids', eids: [own] });
    assert.match(encap.takeRejected()?.reason ?? 'accepted', /own-eids: not for this worker/);
    decap.receive({ op: 'locator-status-bits', bits: 1 });
    assert.match(decap.takeRejected()?.reason ?? 'accepted', /locator-status-bits: not for this worker/);
    decap.receive(add(locator()));
    assert.match(decap.takeRejected()?.reason ?? 'accepted', /no map-cache/);
    assert.deepEqual(applied, [], 'nothing applied');
    assert.equal(counters.values[C['rejected-mapping']], HOSTILE_DATABASE.length * 2 + 3);

    encap.receive({ op: 'locator-status-bits', bits: 0xffffffff });
    decap.receive({ op: 'own-eids', eids: [{ ...own, address: Uint8Array.of(198, 18, 2, 77) }] });
    decap.receive({ op: 'own-eids', eids: null });
    assert.equal(encap.takeRejected() ?? decap.takeRejected(), undefined);
    const eids: (OwnEid[] | null)[] = [[{ family: 'ipv4', address: prefix.address, len: 24 }], null];
    assert.deepEqual(applied, [0xffffffff, ...eids], 'applied, host bits cleared');
  });
});

describe('mapping socket: hostile control messages', () => {
  it('the forwarding table refuses each one with a reason and stays as it was; a good message still applies', () => {
    const fib = new Fib();
    fib.apply({ op: 'add', prefix: parsePrefix('198.18.3.0/24'), route: { kind: 'negative', action: 'drop' } });
    for (const [what, m, reason] of HOSTILE) {
      assert.match(fib.receive(m) ?? 'accepted', reason, what);
      assert.equal(fib.size, 1, `${what}: the table is unchanged`);
    }
    assert.equal(fib.receive(add(locator())), undefined);
    assert.equal(fib.size, 2);
    assert.deepEqual(Object.keys(fib.stats()), ['192.0.2.10']);
  });

  it('the encap worker thread survives them, counts them, reports the last reason, and applies the good message after them', async (t) => {
    // A FIFO opened read-write and non-blocking: never readable, so the worker only idles in poll().
    const dir = mkdtempSync(join(tmpdir(), 'loci-mapping-'));
    execFileSync('mkfifo', [join(dir, 'tun')]);
    const tunFd = openSync(join(dir, 'tun'), constants.O_RDWR | constants.O_NONBLOCK);
    const send = UdpFd.open({ family: 4, address: '127.0.10.1', port: 0 });
    const counters = DataCounters.shared();
    const control = new Int32Array(new SharedArrayBuffer(8));
    const channel = new MessageChannel();
    const setup: WorkerSetup = {
      role: 'encap',
      tunFd,
      tunName: 'fifo',
      sockets: { ipv4: [send.fd], ipv6: [] },
      instanceId: 0,
      ownEids: [],
      underlayMtu: 1500,
      locatorStatusBits: 0,
      offload: false,
      counters: counters.values.buffer as SharedArrayBuffer,
      control: control.buffer as SharedArrayBuffer,
      port: channel.port2,
    };
    const worker = startThread(new URL('../../../src/dataplane/data-plane.ts', import.meta.url).href, 'worker', { workerData: setup, transferList: [channel.port2] });
    let exit: number | undefined;
    let failure: Error | undefined;
    const exited = new Promise<void>((resolve) =>
      worker.once('exit', (code) => {
        exit = code;
        resolve();
      }),
    );
    worker.on('error', (e) => (failure = e));
    t.after(async () => {
      Atomics.store(control, STOP, 1);
      await exited;
      channel.port1.close();
      send.close();
      closeSync(tunFd);
      rmSync(dir, { recursive: true, force: true });
    });
    const messages: WorkerMessage[] = [];
    channel.port1.on('message', (m: WorkerMessage) => messages.push(m));
    await until(() => messages.some((m) => m.op === 'ready') || exit !== undefined, { what: 'the worker to start', timeoutMs: 20_000 });
    assert.equal(exit, undefined, 'the worker started');

    for (const [, m] of HOSTILE) {
      channel.port1.postMessage(m);
      Atomics.add(control, GENERATION, 1);
    }
    channel.port1.postMessage(add(locator()));
    Atomics.add(control, GENERATION, 1);

    // The stats report lists the locator of the good route once the worker has applied it.
    const applied = () => messages.some((m) => m.op === 'stats' && '192.0.2.10' in m.locators);
    const reported = () => messages.some((m) => m.op === 'rejected');
    await until(() => (applied() && reported()) || exit !== undefined, { what: 'the good route in a stats report, and the report of the rejected', timeoutMs: 10_000 });
    assert.equal(exit, undefined, `the worker is still running (it died: ${failure?.message})`);
    assert.ok(applied());
    assert.equal(counters.values[C['rejected-mapping']], HOSTILE.length, 'every hostile message counted as rejected');
    const report = messages.find((m) => m.op === 'rejected');
    assert.deepEqual(report && { ...report, reason: undefined }, { op: 'rejected', count: HOSTILE.length, reason: undefined });
    assert.match(report?.op === 'rejected' ? report.reason : '', /not an object/, 'the reason of the last one');

    Atomics.store(control, STOP, 1);
    await exited;
    assert.equal(exit, 0, 'the worker stops when asked');
  });
});
