// A layer-3 TUN device (IFF_TUN | IFF_NO_PI): one IP packet per read() and per write(), each
// behind a virtio_net_hdr when opened with vnetHeader (see vnet-header.ts); and linuxTuns, the
// io/host.ts TunControl of Linux (the device here, its link through the ip command, links.ts).
import type { TunControl, TunDevice, TunOptions } from '../host.js';
import { EAGAIN, EINTR, O_CLOEXEC, O_NONBLOCK, O_RDWR, SysError, libc, pointerTo, setupError, structBuffer } from './libc.js';
import { configureLink, deleteLink, linkInfo } from './links.js';
import { IFREQ, readIfreqName, writeIfreq } from './structs.js';

const TUNSETIFF = 0x400454ca; // _IOW('T', 202, int)
const TUNSETOFFLOAD = 0x400454d0; // _IOW('T', 208, unsigned int)
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;
const IFF_MULTI_QUEUE = 0x0100;
const IFF_VNET_HDR = 0x4000;
/** TUNSETOFFLOAD bits: what the kernel may hand over unsegmented and with partial checksums. */
export const TUN_F_CSUM = 0x01;
export const TUN_F_TSO4 = 0x02;
export const TUN_F_TSO6 = 0x04;

class Tun implements TunDevice {
  #fd: number;

  constructor(
    fd: number,
    readonly name: string,
  ) {
    this.#fd = fd;
  }

  get fd(): number {
    return this.#fd;
  }

  read(buf: Uint8Array, offset: number, maxLen: number): number {
    const c = libc();
    const ptr = pointerTo(buf, offset, maxLen);
    for (;;) {
      const n = c.read(this.#fd, ptr, maxLen);
      if (n >= 0) return n;
      const errno = c.errno();
      if (errno === EAGAIN) return 0;
      if (errno !== EINTR) throw new SysError('read', errno, this.name);
    }
  }

  write(buf: Uint8Array, offset: number, len: number): number {
    const c = libc();
    const ptr = pointerTo(buf, offset, len);
    for (;;) {
      const n = c.write(this.#fd, ptr, len);
      if (n >= 0) return n;
      const errno = c.errno();
      if (errno === EAGAIN) return 0;
      if (errno !== EINTR) throw new SysError('write', errno, this.name);
    }
  }

  close(): void {
    if (this.#fd < 0) return;
    libc().close(this.#fd);
    this.#fd = -1;
  }
}

/**
 * Opens (creating if needed) the TUN device name ('' lets the kernel pick tunN) and sets its
 * offloads (a persistent device keeps them from an earlier attach, so they are always set). A
 * failure is a LispError ERR_LISP_SYSTEM naming the call and the errno.
 */
export function openTun(name: string, options: TunOptions = {}): TunDevice {
  const c = libc();
  const ifreq = structBuffer(IFREQ.size);
  writeIfreq(ifreq.bytes, name, IFF_TUN | IFF_NO_PI | (options.multiQueue ? IFF_MULTI_QUEUE : 0) | (options.vnetHeader ? IFF_VNET_HDR : 0));
  const fd = c.open('/dev/net/tun', O_RDWR | O_CLOEXEC | (options.blocking ? 0 : O_NONBLOCK));
  if (fd < 0) throw setupError(new SysError('open', c.errno(), '/dev/net/tun'));
  try {
    if (c.ioctl(fd, TUNSETIFF, ifreq.address) < 0) throw new SysError('ioctl', c.errno(), `TUNSETIFF ${name}`);
    if (c.ioctl(fd, TUNSETOFFLOAD, options.offload ?? 0) < 0) throw new SysError('ioctl', c.errno(), `TUNSETOFFLOAD ${name}`);
  } catch (err) {
    c.close(fd);
    throw setupError(err);
  }
  return new Tun(fd, readIfreqName(ifreq.bytes));
}

/** Wraps a TUN fd opened elsewhere in the process (e.g. passed to a worker by number). */
export function tunFromFd(fd: number, name: string): TunDevice {
  return new Tun(fd, name);
}

export const linuxTuns: TunControl = { open: openTun, configure: configureLink, link: linkInfo, remove: deleteLink };
