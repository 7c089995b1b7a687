// A UDP socket for the packet path: synchronous sends (the socket is blocking, so a full send
// buffer waits rather than drops), batched receives that never wait (wait with waitReadable),
// addresses as raw bytes, and no allocation per packet. Sends may set the outer TTL and
// TOS/traffic class per call (a marking), and receives may report them.
import {
  EAGAIN,
  EINTR,
  EINVAL,
  EIO,
  EMSGSIZE,
  ENOBUFS,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_HOPLIMIT,
  IPV6_RECVHOPLIMIT,
  IPV6_RECVTCLASS,
  IPV6_TCLASS,
  IPV6_V6ONLY,
  IP_RECVTOS,
  IP_RECVTTL,
  IP_TOS,
  IP_TTL,
  MSG_DONTWAIT,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOL_SOCKET,
  SOL_UDP,
  SO_RCVBUF,
  SO_REUSEPORT,
  SO_SNDBUF,
  SysError,
  UDP_GRO,
  UDP_SEGMENT,
  libc,
  pointerTo,
  structBuffer,
} from './libc.js';
import { formatIpv4, formatIpv6 } from '../../packet/ip-address.js';
import {
  AF_INET,
  AF_INET6,
  CMSG,
  IOVEC,
  MMSGHDR,
  MSGHDR,
  SOCKADDR_IN6_SIZE,
  addressBytes,
  cmsgSpace,
  getU64,
  putU64,
  readSockaddr,
  writeSockaddr,
} from './structs.js';

export interface UdpFdOptions {
  family: 4 | 6;
  /** Local address: text or 4/16 bytes; 0.0.0.0 or :: for any. */
  address: Uint8Array | string;
  /** 0 for an ephemeral port (see localPort). */
  port: number;
  reusePort?: boolean;
  /** UDP_GRO: the kernel may hand several same-size datagrams over as one (see segmentSizes). */
  gro?: boolean;
  /** Report each received datagram's TTL (hop limit) and TOS (traffic class) (see ReceiveBatch.ttls). */
  receiveMarking?: boolean;
  /** IPV6_V6ONLY on IPv6 sockets (default true, so v4 and v6 sockets can share a port). */
  v6Only?: boolean;
  receiveBufferSize?: number;
  sendBufferSize?: number;
}

const NAME_SLOT = 32; // sockaddr_in6 (28) rounded up to 8
const INT_CMSG = cmsgSpace(4);
/** Control room per received datagram: UDP_GRO, TTL and TOS. */
const RECEIVE_CONTROL = 3 * INT_CMSG;

/** A send's outer TTL (hop limit, 1..255) and TOS (traffic class) as one number: ttl << 8 | tos. */
export const marking = (ttl: number, tos: number): number => (ttl << 8) | tos;
/** No marking: the socket's defaults. */
export const NO_MARKING = -1;
// Per GSO call: the segment limit of older kernels (newer take 128), and a UDP payload that
// fits an IPv4 packet.
const GSO_MAX_SEGMENTS = 64;
const GSO_MAX_BYTES = 65507;

/**
 * Preallocated room for up to count datagrams of up to slotSize bytes: datagram i lands in
 * data[i * slotSize ..] and receiveMany fills lengths[i], addresses[16 i ..] (4 bytes used for
 * IPv4), ports[i], segmentSizes[i] (the GRO segment size; equal to lengths[i] without GRO), and
 * on a socket with receiveMarking ttls[i] and tos[i] (0 when not reported).
 */
export class ReceiveBatch {
  readonly data: Buffer;
  readonly lengths: Int32Array;
  readonly addresses: Uint8Array;
  readonly ports: Uint16Array;
  readonly segmentSizes: Int32Array;
  readonly ttls: Uint8Array;
  readonly tos: Uint8Array;
  /** The kernel's mmsghdr/iovec/sockaddr/cmsg array; its pointers are written once here. */
  readonly #ctl: ReturnType<typeof structBuffer>;
  #used = 0;

  constructor(
    readonly count: number,
    readonly slotSize = 2048,
    data?: Buffer,
  ) {
    if (!(count >= 1 && count <= 1024 && slotSize >= 1 && slotSize <= 65535)) {
      throw new RangeError(`a receive batch takes 1..1024 slots of 1..65535 bytes, got ${count} x ${slotSize}`);
    }
    this.data = data ?? Buffer.alloc(count * slotSize);
    if (this.data.length < count * slotSize) throw new RangeError(`data holds ${this.data.length} bytes, needs ${count * slotSize}`);
    this.lengths = new Int32Array(count);
    this.addresses = new Uint8Array(16 * count);
    this.ports = new Uint16Array(count);
    this.segmentSizes = new Int32Array(count);
    this.ttls = new Uint8Array(count);
    this.tos = new Uint8Array(count);
    const iovAt = count * MMSGHDR.size;
    const nameAt = iovAt + count * IOVEC.size;
    const ctrlAt = nameAt + count * NAME_SLOT;
    const ctl = structBuffer(ctrlAt + count * RECEIVE_CONTROL);
    this.#ctl = ctl;
    const dataAddress = pointerTo(this.data, 0, count * slotSize);
    for (let i = 0; i < count; i++) {
      const m = i * MMSGHDR.size;
      putU64(ctl.dv, iovAt + i * IOVEC.size + IOVEC.base, dataAddress + i * slotSize);
      putU64(ctl.dv, iovAt + i * IOVEC.size + IOVEC.len, slotSize);
      putU64(ctl.dv, m + MSGHDR.name, ctl.address + nameAt + i * NAME_SLOT);
      putU64(ctl.dv, m + MSGHDR.iov, ctl.address + iovAt + i * IOVEC.size);
      putU64(ctl.dv, m + MSGHDR.iovlen, 1);
      putU64(ctl.dv, m + MSGHDR.control, ctl.address + ctrlAt + i * RECEIVE_CONTROL);
    }
    this.#used = count;
  }

  /** Resets the value-result fields the kernel wrote on the last call; returns the array's address. */
  prepare(): number {
    const dv = this.#ctl.dv;
    for (let i = 0; i < this.#used; i++) {
      const m = i * MMSGHDR.size;
      dv.setUint32(m + MSGHDR.namelen, SOCKADDR_IN6_SIZE, true);
      putU64(dv, m + MSGHDR.controllen, RECEIVE_CONTROL);
      dv.setInt32(m + MSGHDR.flags, 0, true);
    }
    this.#used = 0;
    return this.#ctl.address;
  }

  /** Copies lengths, sources, segment sizes and markings of the n datagrams the kernel just stored. */
  collect(n: number): void {
    const { dv, bytes } = this.#ctl;
    const nameAt = this.count * (MMSGHDR.size + IOVEC.size);
    const ctrlAt = nameAt + this.count * NAME_SLOT;
    for (let i = 0; i < n; i++) {
      const m = i * MMSGHDR.size;
      const len = dv.getUint32(m + MMSGHDR.len, true);
      this.lengths[i] = len;
      const source = readSockaddr(bytes, nameAt + i * NAME_SLOT, this.addresses, 16 * i);
      this.ports[i] = source & 0xffff;
      let segment = len;
      let ttl = 0;
      let tos = 0;
      const start = ctrlAt + i * RECEIVE_CONTROL;
      const end = start + getU64(dv, m + MSGHDR.controllen);
      for (let c = start; c + CMSG.data + 1 <= end; ) {
        const cmsgLen = getU64(dv, c + CMSG.len);
        if (cmsgLen < CMSG.data + 1) break;
        const level = dv.getInt32(c + CMSG.level, true);
        const type = dv.getInt32(c + CMSG.type, true);
        if (level === SOL_UDP && type === UDP_GRO) segment = dv.getInt32(c + CMSG.data, true);
        // IPv4 reports IP_TTL as an int and IP_TOS as a byte; IPv6 both as ints.
        else if ((level === IPPROTO_IP && type === IP_TTL) || (level === IPPROTO_IPV6 && type === IPV6_HOPLIMIT)) ttl = dv.getInt32(c + CMSG.data, true);
        else if (level === IPPROTO_IP && type === IP_TOS) tos = dv.getUint8(c + CMSG.data);
        else if (level === IPPROTO_IPV6 && type === IPV6_TCLASS) tos = dv.getInt32(c + CMSG.data, true);
        c += (cmsgLen + 7) & ~7;
      }
      this.segmentSizes[i] = segment;
      this.ttls[i] = ttl;
      this.tos[i] = tos;
    }
    this.#used = n;
  }
}

// Per-socket scratch: sockaddr, msghdr, one iovec, the cmsgs UDP_SEGMENT, TTL and TOS (in
// that order, so a send passes the run it needs), a socklen_t.
const CTL = { name: 0, msg: 32, iov: 88, segment: 104, ttl: 128, tos: 152, socklen: 176, size: 184 } as const;

export class UdpFd {
  #fd: number;
  readonly family: 4 | 6;
  readonly localPort: number;
  /** 4 or 16 bytes. */
  readonly localAddress: Uint8Array;
  /** False once the kernel refused UDP_SEGMENT with EIO; sendSegments then loops over sendTo. */
  gso = true;
  readonly #ctl = structBuffer(CTL.size);

  private constructor(fd: number, family: 4 | 6) {
    this.#fd = fd;
    this.family = family;
    const { dv, address } = this.#ctl;
    putU64(dv, CTL.msg + MSGHDR.name, address + CTL.name);
    putU64(dv, CTL.msg + MSGHDR.iov, address + CTL.iov);
    putU64(dv, CTL.msg + MSGHDR.iovlen, 1);
    const cmsg = (at: number, level: number, type: number, dataLength: number) => {
      putU64(dv, at + CMSG.len, CMSG.data + dataLength);
      dv.setInt32(at + CMSG.level, level, true);
      dv.setInt32(at + CMSG.type, type, true);
    };
    cmsg(CTL.segment, SOL_UDP, UDP_SEGMENT, 2);
    cmsg(CTL.ttl, family === 4 ? IPPROTO_IP : IPPROTO_IPV6, family === 4 ? IP_TTL : IPV6_HOPLIMIT, 4);
    cmsg(CTL.tos, family === 4 ? IPPROTO_IP : IPPROTO_IPV6, family === 4 ? IP_TOS : IPV6_TCLASS, 4);
    const local = new Uint8Array(16);
    const found = this.#sockname(local);
    this.localPort = found & 0xffff;
    this.localAddress = local.slice(0, found >>> 16);
  }

  static open(options: UdpFdOptions): UdpFd {
    const c = libc();
    const { family } = options;
    const local = addressBytes(options.address);
    const fd = c.socket(family === 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw new SysError('socket', c.errno());
    const ctl = structBuffer(64);
    const setInt = (level: number, name: number, value: number, what: string): void => {
      ctl.dv.setInt32(0, value, true);
      if (c.setsockopt(fd, level, name, ctl.address, 4) < 0) throw new SysError('setsockopt', c.errno(), what);
    };
    try {
      if (family === 6) setInt(IPPROTO_IPV6, IPV6_V6ONLY, options.v6Only === false ? 0 : 1, 'IPV6_V6ONLY');
      if (options.reusePort) setInt(SOL_SOCKET, SO_REUSEPORT, 1, 'SO_REUSEPORT');
      if (options.gro) setInt(SOL_UDP, UDP_GRO, 1, 'UDP_GRO');
      if (options.receiveMarking && family === 4) {
        setInt(IPPROTO_IP, IP_RECVTTL, 1, 'IP_RECVTTL');
        setInt(IPPROTO_IP, IP_RECVTOS, 1, 'IP_RECVTOS');
      } else if (options.receiveMarking) {
        setInt(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, 'IPV6_RECVHOPLIMIT');
        setInt(IPPROTO_IPV6, IPV6_RECVTCLASS, 1, 'IPV6_RECVTCLASS');
      }
      if (options.receiveBufferSize) setInt(SOL_SOCKET, SO_RCVBUF, options.receiveBufferSize, 'SO_RCVBUF');
      if (options.sendBufferSize) setInt(SOL_SOCKET, SO_SNDBUF, options.sendBufferSize, 'SO_SNDBUF');
      const len = writeSockaddr(ctl.dv, 8, family, local, checkPort(options.port));
      if (c.bind(fd, ctl.address + 8, len) < 0) throw new SysError('bind', c.errno(), `${endpointText(options)}`);
      return new UdpFd(fd, family);
    } catch (err) {
      c.close(fd);
      throw err;
    }
  }

  /** Wraps a UDP socket fd opened elsewhere in the process (e.g. passed to a worker by number). */
  static fromFd(fd: number): UdpFd {
    const probe = structBuffer(64);
    const c = libc();
    probe.dv.setUint32(32, 32, true);
    if (c.getsockname(fd, probe.address, probe.address + 32) < 0) throw new SysError('getsockname', c.errno());
    const family = probe.dv.getUint16(0, true);
    if (family !== AF_INET && family !== AF_INET6) throw new Error(`fd ${fd} is not an IPv4 or IPv6 socket`);
    return new UdpFd(fd, family === AF_INET ? 4 : 6);
  }

  get fd(): number {
    return this.#fd;
  }

  /**
   * One datagram of buf[offset..offset + len) to addr (4 or 16 bytes) and port, with an outer TTL
   * and TOS (see marking; NO_MARKING: the socket's defaults); returns the bytes sent, 0 if the
   * kernel had no room.
   */
  sendTo(buf: Uint8Array, offset: number, len: number, addr: Uint8Array, port: number, mark = NO_MARKING): number {
    const ptr = pointerTo(buf, offset, len);
    this.#destination(addr, port);
    const n = this.#sendmsg(ptr, len, 0, mark);
    if (n >= 0) return n;
    if (n === -EAGAIN || n === -ENOBUFS) return 0;
    throw new SysError('sendmsg', -n);
  }

  /**
   * buf[offset..offset + totalLen) as datagrams of segmentSize bytes (the last may be shorter),
   * all with the same marking: sendmsg with UDP_SEGMENT (GSO), up to 64 segments and 65507 bytes
   * per call, and one sendTo per datagram for what the kernel refuses. Returns the bytes sent.
   */
  sendSegments(buf: Uint8Array, offset: number, totalLen: number, segmentSize: number, addr: Uint8Array, port: number, mark = NO_MARKING): number {
    if (totalLen <= segmentSize) return this.sendTo(buf, offset, totalLen, addr, port, mark);
    if (!(segmentSize >= 1 && segmentSize <= GSO_MAX_BYTES) || segmentSize % 1 !== 0) throw new RangeError(`segment size ${segmentSize}`);
    const ptr = pointerTo(buf, offset, totalLen);
    const end = offset + totalLen;
    let at = offset;
    let sent = 0;
    if (this.gso) {
      this.#destination(addr, port);
      const chunk = Math.min(GSO_MAX_SEGMENTS, Math.floor(GSO_MAX_BYTES / segmentSize)) * segmentSize;
      while (end - at > segmentSize) {
        const len = Math.min(chunk, end - at);
        const n = this.#sendGso(ptr + (at - offset), len, segmentSize, mark);
        if (n < 0) break;
        sent += n;
        at += len;
      }
    }
    for (; at < end; at += segmentSize) sent += this.sendTo(buf, at, Math.min(segmentSize, end - at), addr, port, mark);
    return sent;
  }

  /** One GSO sendmsg: the bytes sent, 0 if the kernel had no room, -1 if it refused GSO. */
  #sendGso(ptr: number, len: number, segmentSize: number, mark: number): number {
    const n = this.#sendmsg(ptr, len, segmentSize, mark);
    if (n >= 0) return n;
    if (n === -EAGAIN || n === -ENOBUFS) return 0;
    if (n === -EIO) this.gso = false; // the route's device cannot checksum the segments
    else if (n !== -EINVAL && n !== -EMSGSIZE) throw new SysError('sendmsg', -n, 'UDP_SEGMENT');
    return -1;
  }

  #destination(addr: Uint8Array, port: number): void {
    const { dv } = this.#ctl;
    dv.setUint32(CTL.msg + MSGHDR.namelen, writeSockaddr(dv, CTL.name, this.family, addr, checkPort(port)), true);
  }

  /** sendmsg of len bytes at ptr to the destination set, with the cmsgs asked for: the bytes sent, or -errno. */
  #sendmsg(ptr: number, len: number, segmentSize: number, mark: number): number {
    const c = libc();
    const { dv, address } = this.#ctl;
    putU64(dv, CTL.iov + IOVEC.base, ptr);
    putU64(dv, CTL.iov + IOVEC.len, len);
    if (segmentSize > 0) dv.setUint16(CTL.segment + CMSG.data, segmentSize, true);
    if (mark >= 0) {
      dv.setInt32(CTL.ttl + CMSG.data, mark >>> 8, true);
      dv.setInt32(CTL.tos + CMSG.data, mark & 0xff, true);
    }
    const first = segmentSize > 0 ? CTL.segment : CTL.ttl;
    const controlLength = (mark >= 0 ? CTL.tos + INT_CMSG : CTL.ttl) - first;
    putU64(dv, CTL.msg + MSGHDR.control, controlLength > 0 ? address + first : 0);
    putU64(dv, CTL.msg + MSGHDR.controllen, Math.max(0, controlLength));
    for (;;) {
      const n = c.sendmsg(this.#fd, address + CTL.msg, 0);
      if (n >= 0) return n;
      const errno = c.errno();
      if (errno !== EINTR) return -errno;
    }
  }

  /** Up to max datagrams queued now into batch (recvmmsg, never waits); returns how many, 0 if none. */
  receiveMany(batch: ReceiveBatch, max = batch.count): number {
    const c = libc();
    const n = Math.min(max, batch.count);
    const vec = batch.prepare();
    for (;;) {
      const r = c.recvmmsg(this.#fd, vec, n, MSG_DONTWAIT, 0);
      if (r >= 0) {
        batch.collect(r);
        return r;
      }
      const errno = c.errno();
      if (errno === EAGAIN) return 0;
      if (errno !== EINTR) throw new SysError('recvmmsg', errno);
    }
  }

  close(): void {
    if (this.#fd < 0) return;
    libc().close(this.#fd);
    this.#fd = -1;
  }

  /** getsockname: the address into out, returns port | (address length << 16). */
  #sockname(out: Uint8Array): number {
    const c = libc();
    const { dv, bytes, address } = this.#ctl;
    dv.setUint32(CTL.socklen, NAME_SLOT, true);
    if (c.getsockname(this.#fd, address + CTL.name, address + CTL.socklen) < 0) throw new SysError('getsockname', c.errno());
    return readSockaddr(bytes, CTL.name, out, 0);
  }
}

function checkPort(port: number): number {
  if ((port & 0xffff) !== port) throw new RangeError(`bad port ${port}`);
  return port;
}

/** "UDP 127.0.0.1:4342", "UDP [::1]:4342": what a socket binds, in an error message. */
function endpointText(o: UdpFdOptions): string {
  const bytes = typeof o.address === 'string' ? undefined : Buffer.from(o.address);
  const address = bytes ? (bytes.length === 4 ? formatIpv4(bytes, 0) : formatIpv6(bytes, 0)) : o.address;
  return `UDP ${o.family === 6 ? `[${String(address)}]` : String(address)}:${o.port}`;
}
