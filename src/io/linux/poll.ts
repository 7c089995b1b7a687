// Blocking wait for readable fds with a timeout, so a worker looping on blocking calls can
// check its stop flag between waits.
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, EINTR, SysError, libc, structBuffer } from './libc.js';
import { POLLFD } from './structs.js';

export const MAX_POLL_FDS = 31;

let pollfds: ReturnType<typeof structBuffer> | undefined;

/**
 * Waits until one of fds is readable (or has an error or hang-up pending) or timeoutMs
 * passes (-1: forever). Returns a bitmask (bit i for fds[i]), 0 on timeout or signal, and -1
 * when one of the fds is not open (closed under the waiter, for instance).
 */
export function waitReadable(fds: Int32Array, timeoutMs: number): number {
  const n = fds.length;
  if (n > MAX_POLL_FDS) throw new RangeError(`waitReadable takes up to ${MAX_POLL_FDS} fds, got ${n}`);
  const c = libc();
  pollfds ??= structBuffer(MAX_POLL_FDS * POLLFD.size);
  const { dv, address } = pollfds;
  for (let i = 0; i < n; i++) {
    const at = i * POLLFD.size;
    dv.setInt32(at + POLLFD.fd, fds[i]!, true);
    dv.setInt16(at + POLLFD.events, POLLIN, true);
    dv.setInt16(at + POLLFD.revents, 0, true);
  }
  const r = c.poll(address, n, timeoutMs);
  if (r < 0) {
    const errno = c.errno();
    if (errno === EINTR) return 0;
    throw new SysError('poll', errno);
  }
  if (r === 0) return 0;
  let mask = 0;
  for (let i = 0; i < n; i++) {
    const revents = dv.getInt16(i * POLLFD.size + POLLFD.revents, true);
    if (revents & POLLNVAL) return -1;
    if (revents & (POLLIN | POLLERR | POLLHUP)) mask |= 1 << i;
  }
  return mask;
}
