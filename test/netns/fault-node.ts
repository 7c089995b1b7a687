// A Loci node as `loci run -c FILE` runs it, plus one hook that exists only for the tests:
// SIGUSR2 terminates the data plane's encap worker thread, as a fatal error in it would.
import { runDaemonProcess } from '../../src/daemon/process.js';

const file = process.argv[2];
if (!file) throw new Error('usage: fault-node.ts CONFIG');
const daemon = await runDaemonProcess(file);
process.on('SIGUSR2', () => void daemon.dataPlane?.workers[0]?.worker.terminate());
