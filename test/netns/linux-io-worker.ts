// Worker of the linux-io "worker" case: receives on a UDP fd until the stop flag is set.
import { workerData } from 'node:worker_threads';
import { ReceiveBatch, UdpFd, waitReadable } from '../../src/io/linux/index.js';

const { fd, shared } = workerData as { fd: number; shared: Int32Array };
const sock = UdpFd.fromFd(fd);
const fds = Int32Array.from([fd]);
const batch = new ReceiveBatch(32, 2048);
while (Atomics.load(shared, 0) === 0) {
  if (waitReadable(fds, 20) <= 0) continue;
  let n;
  while ((n = sock.receiveMany(batch)) > 0) Atomics.add(shared, 1, n);
}
