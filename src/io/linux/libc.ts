// Linux system calls through koffi, bound on first use in each thread (a worker gets its own
// binding). Every pointer is passed as a plain number (uintptr_t): measured on x86-64, a Buffer
// argument costs ~170 ns more per call than its address, and a koffi struct object for the
// sockaddr ~1.4 µs more than bytes written into a preallocated Buffer.
import { createRequire } from 'node:module';
import { getSystemErrorName } from 'node:util';
import { endianness } from 'node:os';
import type * as KoffiModule from 'koffi';
import { LispError } from '../../packet/errors.js';

type Koffi = typeof KoffiModule;

export const O_RDWR = 0o2;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const SOCK_DGRAM = 2;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_REUSEPORT = 15;
export const IPPROTO_IP = 0;
export const IP_TOS = 1;
export const IP_TTL = 2;
export const IP_RECVTTL = 12;
export const IP_RECVTOS = 13;
export const IPPROTO_IPV6 = 41;
export const IPV6_V6ONLY = 26;
export const IPV6_RECVHOPLIMIT = 51;
export const IPV6_HOPLIMIT = 52;
export const IPV6_RECVTCLASS = 66;
export const IPV6_TCLASS = 67;
export const SOL_UDP = 17;
export const UDP_SEGMENT = 103;
export const UDP_GRO = 104;
export const MSG_DONTWAIT = 0x40;
export const POLLIN = 0x1;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
export const EINTR = 4;
export const EIO = 5;
export const EAGAIN = 11;
export const EINVAL = 22;
export const EMSGSIZE = 90;
export const ENOBUFS = 105;

export interface Libc {
  open(path: string, flags: number): number;
  close(fd: number): number;
  read(fd: number, ptr: number, len: number): number;
  write(fd: number, ptr: number, len: number): number;
  ioctl(fd: number, request: number, ptr: number): number;
  poll(fds: number, nfds: number, timeoutMs: number): number;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: number, addrLen: number): number;
  setsockopt(fd: number, level: number, name: number, value: number, len: number): number;
  getsockname(fd: number, addr: number, addrLenPtr: number): number;
  sendmsg(fd: number, msg: number, flags: number): number;
  recvmmsg(fd: number, msgs: number, count: number, flags: number, timeout: number): number;
  /** errno of the last failed call in this thread; read it right after the call. */
  errno(): number;
}

const SUPPORTED_ARCHES = ['x64', 'arm64', 'riscv64', 'loong64'];

/** Throws unless the struct layouts and constants of this folder hold on this platform. */
export function assertLinux(platform: string = process.platform, arch: string = process.arch, order: string = endianness()): void {
  if (platform !== 'linux' || order !== 'LE' || !SUPPORTED_ARCHES.includes(arch)) {
    throw new Error(
      `the Linux data plane I/O needs Linux on ${SUPPORTED_ARCHES.join(', ')}; this is ${platform} on ${arch} (${order})`,
    );
  }
}

let koffiModule: Koffi | undefined;
let bound: Libc | undefined;

function koffi(): Koffi {
  if (!koffiModule) {
    assertLinux();
    koffiModule = createRequire(import.meta.url)('koffi') as Koffi;
  }
  return koffiModule;
}

export function libc(): Libc {
  if (bound) return bound;
  const k = koffi();
  const lib = k.load(null); // the process itself: glibc or musl, whichever Node links
  const P = 'uintptr_t';
  const fn = (name: string, result: string, args: string[]) => lib.func(name, result, args);
  const ioctl = lib.func('int ioctl(int fd, unsigned long request, ...)');
  bound = {
    open: fn('open', 'int', ['str', 'int']),
    close: fn('close', 'int', ['int']),
    read: fn('read', 'long', ['int', P, 'size_t']),
    write: fn('write', 'long', ['int', P, 'size_t']),
    ioctl: (fd, request, ptr) => ioctl(fd, request, P, ptr) as number,
    poll: fn('poll', 'int', [P, 'ulong', 'int']),
    socket: fn('socket', 'int', ['int', 'int', 'int']),
    bind: fn('bind', 'int', ['int', P, 'uint32_t']),
    setsockopt: fn('setsockopt', 'int', ['int', 'int', 'int', P, 'uint32_t']),
    getsockname: fn('getsockname', 'int', ['int', P, P]),
    sendmsg: fn('sendmsg', 'long', ['int', P, 'int']),
    recvmmsg: fn('recvmmsg', 'int', ['int', P, 'uint', 'int', P]),
    errno: () => k.errno(),
  };
  return bound;
}

const addresses = new WeakMap<ArrayBufferView, number>();
let lastView: ArrayBufferView | undefined;
let lastAddress = 0;

/**
 * The memory address of view[0], cached per view. The view must stay attached (not
 * transferred) while the kernel may use it; callers check bounds against view.byteLength,
 * which drops to 0 when a buffer is detached.
 */
export function addressOf(view: ArrayBufferView): number {
  if (view === lastView) return lastAddress;
  let a = addresses.get(view);
  if (a === undefined) {
    void view.buffer; // moves a small on-heap typed array to a fixed backing store first
    a = Number(koffi().address(view));
    addresses.set(view, a);
  }
  lastView = view;
  lastAddress = a;
  return a;
}

/** Address of view[offset], after checking that [offset, offset + len) lies inside view. */
export function pointerTo(view: ArrayBufferView, offset: number, len: number): number {
  if (!(offset >= 0 && len >= 0 && offset + len <= view.byteLength) || offset % 1 !== 0 || len % 1 !== 0) {
    throw new RangeError(`range ${offset}+${len} outside a buffer of ${view.byteLength} bytes`);
  }
  return addressOf(view) + offset;
}

/** A failed system call, with the errno name as code (e.g. "EAGAIN"). */
export class SysError extends Error {
  readonly code: string;
  constructor(
    readonly syscall: string,
    readonly errno: number,
    detail?: string,
  ) {
    const code = errnoName(errno);
    super(`${syscall}${detail ? ` (${detail})` : ''} failed: ${code}`);
    this.name = 'SysError';
    this.code = code;
  }
}

/**
 * A system call that failed while setting up (opening a TUN device, the sockets of the Map-Server
 * workers), as the one-line LispError ERR_LISP_SYSTEM a user sees, the SysError its cause; anything
 * else unchanged. UdpFd and the packet path keep SysError, whose code is the errno name.
 */
export function setupError(e: unknown): unknown {
  return e instanceof SysError ? new LispError('ERR_LISP_SYSTEM', e.message, { cause: e }) : e;
}

export function errnoName(errno: number): string {
  try {
    const name = getSystemErrorName(-errno);
    return name.startsWith('Unknown') ? `errno ${errno}` : name;
  } catch {
    return `errno ${errno}`;
  }
}

/** Preallocated, never-moving memory for structs handed to the kernel. */
export function structBuffer(size: number): { bytes: Buffer; dv: DataView; address: number } {
  const bytes = Buffer.alloc(Math.max(size, 128)); // > 64 bytes: never an on-heap array
  return { bytes, dv: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), address: addressOf(bytes) };
}
