// A TCP transfer between two namespaces of a lab with iperf3: a one-off server, and a client run
// again until the server listens (a client that cannot connect fails at once).
import type { Lab } from './lab.js';
import { until } from './poll.js';

export interface TcpTransfer {
  /** Namespace of the server, and its address the client connects to. */
  readonly serverNs: string;
  readonly dst: string;
  readonly clientNs: string;
  readonly seconds: number;
  /** Parallel flows (iperf3 -P); default 1. */
  readonly flows?: number;
}

export interface TcpResult {
  readonly bytes: number;
  readonly bitsPerSecond: number;
}

export async function tcpTransfer(lab: Lab, o: TcpTransfer): Promise<TcpResult> {
  const server = lab.spawn(o.serverNs, ['iperf3', '-s', '-1', '-B', o.dst]);
  try {
    let result: TcpResult = { bytes: 0, bitsPerSecond: 0 };
    const client = ['iperf3', '-c', o.dst, '-t', String(o.seconds), '-P', String(o.flows ?? 1), '-J'];
    await until(
      async () => {
        const r = await lab.exec(o.clientNs, client, { timeoutMs: (o.seconds + 20) * 1000 });
        const sum = r.code === 0 ? (JSON.parse(r.stdout) as { end?: { sum_received?: { bytes: number; bits_per_second: number } } }).end?.sum_received : undefined;
        result = { bytes: sum?.bytes ?? 0, bitsPerSecond: sum?.bits_per_second ?? 0 };
        return result.bytes > 0;
      },
      { what: `a TCP transfer to ${o.dst}`, timeoutMs: (o.seconds + 30) * 1000, intervalMs: 100 },
    );
    return result;
  } finally {
    server.kill();
  }
}
