// Replay material: the correct ETR's own Map-Registers, captured on the core's link toward it (as
// an attacker on the path would) with tshark, then read with the project's capture reader.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { udpDatagrams } from '../../src/capture/index.js';
import type { Lab } from '../../src/lab/lab.js';
import { until } from '../../src/lab/poll.js';
import type { HostileTopology } from './topology.js';

const MAP_REGISTER = 3;

/** The next `count` Map-Registers the ETR sends (within timeoutS seconds), as captured. */
export async function captureRegisters(lab: Lab, t: HostileTopology, dir: string, count: number, timeoutS = 20): Promise<Buffer[]> {
  const file = join(dir, 'etr-registers.pcapng');
  const etr = t.etr.addresses[0]!;
  const filter = `udp dst port 4342 and src host ${etr}`;
  const capture = lab.spawn(t.core, ['tshark', '-q', '-i', t.etr.coreIfname, '-f', filter, '-c', String(count), '-a', `duration:${timeoutS}`, '-w', file]);
  const exited = new Promise((resolve) => capture.once('exit', resolve));
  let err = '';
  capture.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  capture.stdout?.resume();
  await until(() => err.includes('Capturing on') || capture.exitCode !== null, { what: 'tshark to capture', timeoutMs: 15_000 });
  await exited;
  const registers = udpDatagrams(readFileSync(file)).map((d) => d.payload).filter((p) => p.length > 0 && p[0]! >>> 4 === MAP_REGISTER);
  if (registers.length === 0) throw new Error(`no Map-Register of the ETR captured: ${err.trim()}`);
  return registers.map((p) => Buffer.from(p));
}
