// Starts the demo's Loci daemons in their namespaces (each a `loci run` process the lab records)
// and waits, through each node's API, until they serve and both sites are registered.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { LociClient } from '../../client/client.js';
import type { Lab } from '../../lab/lab.js';
import { until } from '../../lab/poll.js';
import type { DemoTopology } from '../../lab/topology.js';
import type { DemoNode } from './configs.js';

/** The loci command of this checkout (dist when built, else the sources through tsx). */
export const LOCI = fileURLToPath(new URL('../../../bin/loci.js', import.meta.url));

export type DemoClients = Record<DemoNode, LociClient>;

export interface StartNodesOptions {
  /** The command that runs a node from its config file (default `loci run -c FILE`). */
  readonly command?: (node: DemoNode, file: string) => string[];
  /** Told of each node's process as it starts. */
  readonly spawned?: (node: DemoNode, child: ChildProcess) => void;
}

export async function startNodes(lab: Lab, t: DemoTopology, configs: Record<DemoNode, Record<string, unknown>>, dir: string, o: StartNodesOptions = {}): Promise<DemoClients> {
  const ns: Record<DemoNode, string> = { ms: t.ms.ns, 'xtr-a': t.xtrA.ns, 'xtr-b': t.xtrB.ns };
  const clients = {} as DemoClients;
  for (const node of Object.keys(configs) as DemoNode[]) {
    const file = `${dir}/${node}.yaml`;
    writeFileSync(file, stringify(configs[node]));
    const argv = o.command?.(node, file) ?? [process.execPath, LOCI, 'run', '-c', file];
    const child = lab.spawn(ns[node], argv, { logFile: `${dir}/${node}.log` });
    o.spawned?.(node, child);
    clients[node] = new LociClient((configs[node].api as { socket: string }).socket);
  }
  for (const node of Object.keys(clients) as DemoNode[]) {
    await until(async () => (await clients[node].status()).name === node, { what: `node ${node} to serve its API (log: ${dir}/${node}.log)`, timeoutMs: 120_000, intervalMs: 100 }).catch((e: Error) => {
      let log = '';
      try {
        log = readFileSync(`${dir}/${node}.log`, 'utf8').slice(-2000);
      } catch {
        log = '(no log)';
      }
      throw new Error(`${e.message}; its log ends:\n${log}`, { cause: e });
    });
  }
  const prefixes = (['xtr-a', 'xtr-b'] as const).reduce((n, x) => n + (configs[x].database as unknown[]).length, 0);
  await until(async () => (await clients.ms.registrations()).length >= prefixes, { what: 'both sites to register with the Map-Server', timeoutMs: 120_000, intervalMs: 100 });
  return clients;
}
