// Byte layouts of the Linux structs the data plane passes to the kernel, for LP64
// little-endian targets (x86-64, arm64, riscv64, loongarch64). Pure: no system calls.
import { isIPv4, isIPv6 } from 'node:net';
import { writeIpv4, writeIpv6 } from '../../packet/ip-address.js';

export const AF_INET = 2;
export const AF_INET6 = 10;

// struct sockaddr_in { u16 family; be16 port; u8 addr[4]; u8 zero[8]; }
export const SOCKADDR_IN_SIZE = 16;
// struct sockaddr_in6 { u16 family; be16 port; u32 flowinfo; u8 addr[16]; u32 scope_id; }
export const SOCKADDR_IN6_SIZE = 28;

// struct msghdr { void *name; u32 namelen; (pad 4) iovec *iov; size_t iovlen;
//                 void *control; size_t controllen; int flags; (pad 4) }
export const MSGHDR = { name: 0, namelen: 8, iov: 16, iovlen: 24, control: 32, controllen: 40, flags: 48, size: 56 } as const;
// struct mmsghdr { struct msghdr hdr; u32 len; (pad 4) }
export const MMSGHDR = { len: 56, size: 64 } as const;
// struct iovec { void *base; size_t len; }
export const IOVEC = { base: 0, len: 8, size: 16 } as const;
// struct cmsghdr { size_t len; int level; int type; u8 data[]; }, data aligned to 8.
export const CMSG = { len: 0, level: 8, type: 12, data: 16 } as const;
export const cmsgSpace = (dataLen: number): number => CMSG.data + ((dataLen + 7) & ~7);
// struct pollfd { int fd; short events; short revents; }
export const POLLFD = { fd: 0, events: 4, revents: 6, size: 8 } as const;
// struct ifreq { char name[16]; union { short flags; ... } (24 bytes) }
export const IFREQ = { name: 0, flags: 16, size: 40, nameMax: 15 } as const;

const TWO_32 = 4294967296;

/** Stores a 64-bit pointer or size given as a safe integer. */
export function putU64(dv: DataView, off: number, value: number): void {
  dv.setUint32(off, value >>> 0, true);
  dv.setUint32(off + 4, Math.floor(value / TWO_32), true);
}

export function getU64(dv: DataView, off: number): number {
  return dv.getUint32(off, true) + dv.getUint32(off + 4, true) * TWO_32;
}

/**
 * Writes a sockaddr_in (4-byte addr) or sockaddr_in6 (16 bytes, or 4 bytes written as
 * IPv4-mapped ::ffff:a.b.c.d) at off and returns its length.
 */
export function writeSockaddr(dv: DataView, off: number, family: 4 | 6, addr: Uint8Array, port: number): number {
  const n = addr.length;
  if (family === 4) {
    if (n !== 4) throw new RangeError(`an IPv4 socket needs a 4-byte address, got ${n} bytes`);
    dv.setUint16(off, AF_INET, true);
    dv.setUint16(off + 2, port, false);
    dv.setUint8(off + 4, addr[0]!);
    dv.setUint8(off + 5, addr[1]!);
    dv.setUint8(off + 6, addr[2]!);
    dv.setUint8(off + 7, addr[3]!);
    dv.setUint32(off + 8, 0, true);
    dv.setUint32(off + 12, 0, true);
    return SOCKADDR_IN_SIZE;
  }
  dv.setUint16(off, AF_INET6, true);
  dv.setUint16(off + 2, port, false);
  dv.setUint32(off + 4, 0, true);
  if (n === 16) {
    for (let i = 0; i < 16; i++) dv.setUint8(off + 8 + i, addr[i]!);
  } else if (n === 4) {
    dv.setUint32(off + 8, 0, true);
    dv.setUint32(off + 12, 0, true);
    dv.setUint32(off + 16, 0x0000ffff, false);
    for (let i = 0; i < 4; i++) dv.setUint8(off + 20 + i, addr[i]!);
  } else {
    throw new RangeError(`an IPv6 socket needs a 16- or 4-byte address, got ${n} bytes`);
  }
  dv.setUint32(off + 24, 0, true);
  return SOCKADDR_IN6_SIZE;
}

/**
 * Reads the sockaddr at off: copies its address into out[outOff..] (4 or 16 bytes) and
 * returns port | (address length << 16), or -1 for another family.
 */
export function readSockaddr(bytes: Uint8Array, off: number, out: Uint8Array, outOff: number): number {
  const family = bytes[off]! | (bytes[off + 1]! << 8);
  const port = (bytes[off + 2]! << 8) | bytes[off + 3]!;
  if (family === AF_INET) {
    out[outOff] = bytes[off + 4]!;
    out[outOff + 1] = bytes[off + 5]!;
    out[outOff + 2] = bytes[off + 6]!;
    out[outOff + 3] = bytes[off + 7]!;
    return port | (4 << 16);
  }
  if (family === AF_INET6) {
    for (let i = 0; i < 16; i++) out[outOff + i] = bytes[off + 8 + i]!;
    return port | (16 << 16);
  }
  return -1;
}

/** Writes an ifreq with the interface name and flags into bytes (at least IFREQ.size long). */
export function writeIfreq(bytes: Uint8Array, name: string, flags: number): void {
  const encoded = new TextEncoder().encode(name);
  if (encoded.length > IFREQ.nameMax) throw new RangeError(`interface name "${name}" is longer than ${IFREQ.nameMax} bytes`);
  if (encoded.includes(0) || name.includes('/')) throw new RangeError(`bad interface name "${name}"`);
  bytes.fill(0, 0, IFREQ.size);
  bytes.set(encoded, IFREQ.name);
  bytes[IFREQ.flags] = flags & 0xff;
  bytes[IFREQ.flags + 1] = (flags >> 8) & 0xff;
}

export function readIfreqName(bytes: Uint8Array): string {
  const end = bytes.indexOf(0, IFREQ.name);
  return new TextDecoder().decode(bytes.subarray(IFREQ.name, end < 0 || end > IFREQ.nameMax ? IFREQ.nameMax : end));
}

/** Text or bytes to the 4 or 16 address bytes of an IPv4 or IPv6 address. */
export function addressBytes(address: string | Uint8Array): Uint8Array {
  if (typeof address !== 'string') {
    if (address.length !== 4 && address.length !== 16) throw new RangeError(`an address has 4 or 16 bytes, got ${address.length}`);
    return Uint8Array.from(address);
  }
  const out = Buffer.alloc(isIPv4(address) ? 4 : 16);
  if (isIPv4(address)) writeIpv4(address, out, 0);
  else if (isIPv6(address)) writeIpv6(address, out, 0);
  else throw new RangeError(`bad IP address "${address}"`);
  return new Uint8Array(out);
}
