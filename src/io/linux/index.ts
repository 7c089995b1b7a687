// Linux system calls for the user-space data plane (koffi FFI, synchronous, for worker threads).
export { SysError, assertLinux } from './libc.js';
export { waitReadable, MAX_POLL_FDS } from './poll.js';
export { openTun, tunFromFd, configureLink, type TunDevice, type TunOptions, type LinkSettings } from './tun.js';
export { UdpFd, ReceiveBatch, type UdpFdOptions } from './udp-fd.js';
export { addressBytes } from './structs.js';
