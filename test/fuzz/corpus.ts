// The seed corpus of the decoder fuzzer: every UDP payload on a LISP port (4341 data,
// 4342 control, 4343 EIGRP-OTP data) of every interop capture, then Loci's own seeds.
import { readFileSync } from 'node:fs';
import { isLispPort, udpDatagrams } from '../../src/capture/index.js';
import { captureFiles } from '../helpers/vectors.js';
import { lociDataHeaderSeeds, lociMessageSeeds, lociTooDeepSeeds } from './loci-seeds.js';

const OTP_DATA_PORT = 4343;

/** Distinct LISP-port UDP payloads of the captures in test/vectors/captures, in file and frame order. */
function captureSeeds(): Buffer[] {
  const seen = new Set<string>();
  const out: Buffer[] = [];
  for (const file of captureFiles()) {
    for (const d of udpDatagrams(readFileSync(file), (d) => isLispPort(d, [OTP_DATA_PORT]))) {
      const key = d.payload.toString('hex');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(Buffer.from(d.payload));
    }
  }
  return out;
}

/** The capture payloads by where they were sent: control (a 4342 port) and data (4341, or 4343 for EIGRP-OTP). */
export function captureSeedsByPort(): { control: Buffer[]; data: Buffer[] } {
  const control: Buffer[] = [];
  const data: Buffer[] = [];
  const seen = new Set<string>();
  for (const file of captureFiles()) {
    for (const d of udpDatagrams(readFileSync(file), (d) => isLispPort(d, [OTP_DATA_PORT]))) {
      const key = d.payload.toString('hex');
      if (seen.has(key)) continue;
      seen.add(key);
      (d.sport === 4342 || d.dport === 4342 ? control : data).push(Buffer.from(d.payload));
    }
  }
  return { control, data };
}

/** Capture payloads first, then the seeds encoded by Loci. */
export function seedCorpus(): Buffer[] {
  return [...captureSeeds(), ...lociMessageSeeds, ...lociTooDeepSeeds, ...lociDataHeaderSeeds];
}
