// The lab's Loci daemons: real `loci run` processes in their namespaces (recorded by the lab, so
// it stops only them), each logging to its own file; readiness polled through their APIs; their
// memory and log size read from /proc and the file system.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { LOCI } from '../../src/cli/demo/nodes.js';
import { LociClient } from '../../src/client/client.js';
import type { Lab } from '../../src/lab/lab.js';
import { until } from '../../src/lab/poll.js';
import type { HostileNode } from './configs.js';
import type { HostileTopology } from './topology.js';

export interface Daemon {
  node: HostileNode;
  child: ChildProcess;
  pid: number;
  client: LociClient;
  logFile: string;
  /** Set when the process exited (code or signal). */
  exit?: string;
}

export type Daemons = Record<HostileNode, Daemon>;

export const NODES: readonly HostileNode[] = ['ms', 'etr', 'xtr'];

export async function startDaemons(lab: Lab, t: HostileTopology, configs: Record<HostileNode, Record<string, unknown>>, dir: string): Promise<Daemons> {
  const daemons = {} as Daemons;
  for (const node of NODES) {
    const file = `${dir}/${node}.yaml`;
    writeFileSync(file, stringify(configs[node]));
    const logFile = `${dir}/${node}.log`;
    const child = lab.spawn(t[node].ns, [process.execPath, LOCI, 'run', '-c', file], { logFile });
    const d: Daemon = { node, child, pid: child.pid ?? -1, client: new LociClient((configs[node].api as { socket: string }).socket), logFile };
    child.once('exit', (code, signal) => (d.exit = signal ?? `exit ${code}`));
    daemons[node] = d;
  }
  for (const d of Object.values(daemons)) {
    await until(async () => (await d.client.status()).name === d.node, { what: `node ${d.node} to serve its API (log: ${d.logFile})`, timeoutMs: 30_000, intervalMs: 100 });
  }
  await until(async () => (await daemons.ms.client.registrations()).length >= 2, { what: 'both sites to register with the Map-Server', timeoutMs: 20_000, intervalMs: 100 });
  return daemons;
}

/** An API call that gives up after ms (a daemon whose event loop is flooded answers late or never). */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([p.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}

export interface Memory {
  /** Resident set and its peak (VmHWM), MB. */
  rssMb: number;
  peakMb: number;
}

/** A process's memory from /proc/PID/status; zeros when it is gone. */
export function memoryOf(pid: number): Memory {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: 0, peakMb: 0 };
  }
}

export const logBytes = (d: Daemon): number => statSync(d.logFile).size;
