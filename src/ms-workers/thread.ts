// Starting a worker thread whose entry is a module of this directory: the built JS, or from the
// TypeScript sources an eval stub that registers tsx first (Node 20 workers do not inherit the
// loader the main thread registered). The young generation is capped: a worker's garbage is short
// lived, and V8 would otherwise grow it to tens of MB per thread under load.
import { existsSync } from 'node:fs';
import { Worker, type TransferListItem } from 'node:worker_threads';

const LIMITS = { maxYoungGenerationSizeMb: 8 };

export function startThread(name: string, workerData: unknown, transferList: TransferListItem[]): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const entry = new URL(`./${name}.${ts ? 'ts' : 'js'}`, import.meta.url);
  if (!existsSync(entry)) throw new Error(`worker entry ${entry.pathname} is missing`);
  if (!ts) return new Worker(entry, { workerData, transferList, resourceLimits: LIMITS });
  const tsx = import.meta.resolve('tsx/esm/api');
  const stub = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(stub, { eval: true, workerData, transferList, resourceLimits: LIMITS });
}
