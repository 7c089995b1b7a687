// What io raises when the host refuses: a LispError ERR_LISP_SYSTEM on one line naming the call
// and the system's words (docs/errors.md), which `loci` prints as it is, not a stack trace. An ip
// command (routes.test.ts has a rule; here a link), a TUN ioctl, a socket bind. `loci run` with a
// taken port, with and without Map-Server workers: test/integration/daemon.test.ts.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { configureLink } from '../../../src/io/linux/links.js';
import { openTun } from '../../../src/io/linux/tun.js';
import { setupError, SysError } from '../../../src/io/linux/libc.js';
import { UdpFd } from '../../../src/io/linux/udp-fd.js';
import { udpNetwork } from '../../../src/io/udp.js';
import { LispError } from '../../../src/packet/index.js';
import { requireTool } from '../../helpers/env.js';

/** A LispError ERR_LISP_SYSTEM whose one-line message matches. */
const systemError = (message: RegExp) => (e: unknown) => {
  assert.ok(e instanceof LispError, String(e));
  assert.equal(e.code, 'ERR_LISP_SYSTEM');
  assert.match(e.message, message);
  assert.doesNotMatch(e.message, /\n/);
  return true;
};

it('a link the ip command cannot change', (t) => {
  if (!requireTool(t, 'ip')) return;
  assert.throws(() => configureLink('loci-none0', { mtu: 1400 }), systemError(/^ip link set dev loci-none0 mtu 1400: Cannot find device "loci-none0"$/));
});

it('a TUN device the kernel refuses (lo is no TUN device; without /dev/net/tun, its open fails)', () => {
  assert.throws(() => openTun('lo'), systemError(/^(ioctl \(TUNSETIFF lo\)|open \(\/dev\/net\/tun\)) failed: E[A-Z]+$/));
});

it('a socket that cannot be bound (an address that is not this host’s); a failed system call of set-up', async () => {
  await assert.rejects(
    udpNetwork.bind({ address: '192.0.2.77', port: 4342 }, () => {}),
    systemError(/^bind \(UDP 192\.0\.2\.77:4342\) failed: EADDRNOTAVAIL$/),
  );
  // UdpFd keeps the errno as its code; the Map-Server workers raise what it throws at start as a LispError.
  assert.throws(() => UdpFd.open({ family: 4, address: '192.0.2.77', port: 4342 }), (e: unknown) => {
    assert.ok(e instanceof SysError && e.code === 'EADDRNOTAVAIL');
    return systemError(/^bind \(UDP 192\.0\.2\.77:4342\) failed: EADDRNOTAVAIL$/)(setupError(e));
  });
});
