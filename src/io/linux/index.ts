// Linux system calls for the user-space data plane (koffi FFI, synchronous, for worker threads),
// and the io/host.ts interfaces on Linux (linuxTuns, linuxRoutes).
export { SysError, assertLinux, setupError } from './libc.js';
export { waitReadable, MAX_POLL_FDS } from './poll.js';
export { openTun, tunFromFd, linuxTuns, TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6 } from './tun.js';
export { configureLink } from './links.js';
export { linuxRoutes } from './routes.js';
export type { TunDevice } from '../host.js';
export * from './vnet-header.js';
export { UdpFd, ReceiveBatch, marking, type UdpFdOptions } from './udp-fd.js';
export { addressBytes } from './structs.js';
