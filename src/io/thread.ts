// Starting a worker thread on a module of Loci: the built JS, or from the TypeScript sources an
// eval stub that registers tsx first (Node 20 workers do not inherit the loader the main thread
// registered). The data plane and the Map-Server workers start their threads here.
import { existsSync } from 'node:fs';
import { Worker, type WorkerOptions } from 'node:worker_threads';

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
