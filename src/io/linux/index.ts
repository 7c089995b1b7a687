// Linux system calls for the user-space data plane (koffi FFI, synchronous, for worker threads).
export { SysError, assertLinux } from './libc.js';
export { waitReadable, MAX_POLL_FDS } from './poll.js';
export { openTun, tunFromFd, configureLink, TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, type TunDevice, type TunOptions, type LinkSettings } from './tun.js';
export * from './vnet-header.js';
export { UdpFd, ReceiveBatch, marking, type UdpFdOptions } from './udp-fd.js';
export { addressBytes } from './structs.js';
