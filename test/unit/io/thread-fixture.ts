// A worker thread for thread.test.ts: says ready (unless told to die at once), then does what the
// main thread asks: 'throw' (an uncaught exception), 'exit' (process.exit(3)), 'ping', 'stop'.
import { parentPort, workerData } from 'node:worker_threads';

const { dieAtStart } = workerData as { dieAtStart: boolean };
if (dieAtStart) throw new Error('planted failure at start');
parentPort!.on('message', (m: string) => {
  if (m === 'throw') throw new Error('planted failure');
  if (m === 'exit') process.exit(3);
  if (m === 'ping') parentPort!.postMessage('pong');
  if (m === 'stop') parentPort!.close();
});
parentPort!.postMessage('ready');
