// A stand-in for the data plane's worker thread (src/dataplane/worker.ts) in control.test.ts: it
// speaks the worker's side of the mapping-socket protocol on its port, but touches no device. It
// tells the test what it was handed and every message it got, on the BroadcastChannel named after
// its TUN device, and takes the test's orders there: report a miss or used routes, or die.
import { BroadcastChannel, workerData } from 'node:worker_threads';
import type { WorkerMessage } from '../../../src/dataplane/protocol.js';
import type { WorkerSetup } from '../../../src/dataplane/worker-setup.js';
import { ThreadControl } from '../../../src/io/thread/control.js';

export type FakeEvent =
  | { event: 'started'; role: WorkerSetup['role']; tunFd: number; sockets: WorkerSetup['sockets']; ownEids: WorkerSetup['ownEids']; locatorStatusBits: number }
  | { event: 'mapping'; role: WorkerSetup['role']; message: unknown };

export type FakeOrder = { role: WorkerSetup['role'] } & ({ order: 'report'; message: WorkerMessage } | { order: 'die' });

export const fakeChannel = (tun: string) => `loci-fake-data-plane-worker-${tun}`;

if (workerData) {
  const setup = workerData as WorkerSetup;
  const control = new ThreadControl(setup.control);
  const channel = new BroadcastChannel(fakeChannel(setup.tunName));
  const tell = (e: FakeEvent) => channel.postMessage(e);
  channel.onmessage = (e) => {
    const o = (e as { data: FakeOrder }).data;
    if (o.role !== setup.role) return;
    if (o.order === 'die') process.exit(7);
    setup.port.postMessage(o.message);
  };
  tell({ event: 'started', role: setup.role, tunFd: setup.tunFd, sockets: setup.sockets, ownEids: setup.ownEids, locatorStatusBits: setup.locatorStatusBits });
  setup.port.on('message', (message: unknown) => tell({ event: 'mapping', role: setup.role, message }));
  setup.port.postMessage({ op: 'ready' } satisfies WorkerMessage);
  const timer = setInterval(() => {
    if (!control.stopped) return;
    clearInterval(timer);
    channel.close();
    setup.port.close();
  }, 5);
}
