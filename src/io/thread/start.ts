// Starting a worker thread of Loci on a module beside the caller: the compiled JavaScript when the
// caller runs from dist/, else the TypeScript source through an eval stub that registers tsx first
// (Node 20 workers do not inherit the loader the main thread registered).
import { existsSync } from 'node:fs';
import { MessageChannel, Worker, type MessagePort, type ResourceLimits, type WorkerOptions } from 'node:worker_threads';
import type { StartedThread } from './supervised.js';

/** Starts module `name` of the directory of `from` (the caller's import.meta.url) as a worker thread. */
export function startThread(from: string, name: string, options: WorkerOptions): Worker {
  const ts = from.endsWith('.ts');
  const entry = new URL(`./${name}.${ts ? 'ts' : 'js'}`, from);
  if (!existsSync(entry)) throw new Error(`worker entry ${entry.pathname} is missing`);
  if (!ts) return new Worker(entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const stub = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(stub, { ...options, eval: true });
}

/** What every worker of the kit posts first, once it runs its loop. */
export interface ReadyMessage {
  readonly op: 'ready';
}

export interface ChannelThreadOptions<M> {
  /** Names the thread in the error of a start that fails ("data-plane encap worker"). */
  readonly name: string;
  /** The thread's workerData, given the thread's end of the channel (transferred with it). */
  readonly setup: (port: MessagePort) => object;
  /** Every message of the thread but the first { op: 'ready' }. */
  readonly onMessage: (message: Exclude<M, ReadyMessage>) => void;
  readonly resourceLimits?: ResourceLimits;
}

/** A thread started with its own MessageChannel; port is the owner's end. */
export interface ChannelThread extends StartedThread {
  readonly port: MessagePort;
}

/**
 * Starts module `name` beside `from` on a fresh MessageChannel: ready resolves on the thread's
 * { op: 'ready' } and rejects if it fails or exits first. The owner's end does not keep the
 * process alive; the channel of a thread that died closes once what it posted was delivered.
 */
export function startChannelThread<M extends { readonly op: string }>(from: string, module: string, o: ChannelThreadOptions<M>): ChannelThread {
  const channel = new MessageChannel();
  const worker = startThread(from, module, {
    workerData: o.setup(channel.port2),
    transferList: [channel.port2],
    ...(o.resourceLimits ? { resourceLimits: o.resourceLimits } : {}),
  });
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${o.name} exited (${code}) before it was ready`)));
    channel.port1.on('message', (m: M) => (m.op === 'ready' ? resolve() : o.onMessage(m as Exclude<M, ReadyMessage>)));
  });
  channel.port1.unref();
  return { worker, ready, port: channel.port1 };
}
