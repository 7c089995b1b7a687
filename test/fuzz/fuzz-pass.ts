// One fuzzing pass: runs checkInput (the packet codec) and checkInPlaceReaders (the packet layer's
// in-place readers, which the Map-Server workers use) over the input stream and tallies the
// verdicts; the first input that breaks a property ends the pass as a finding.
import { performance } from 'node:perf_hooks';
import { checkInput, type Verdict } from './check-input.js';
import { checkInPlaceReaders, type ReaderVerdict } from './check-views.js';
import { fuzzInputs } from './mutate.js';

export interface PassOptions {
  seeds: readonly Buffer[];
  count: number;
  seed: number;
}

export interface PassResult {
  inputs: number;
  /** How many inputs each verdict got: 'decoded' or a LispDecodeError code. */
  verdicts: Map<Verdict, number>;
  /** What the in-place readers made of the inputs. */
  readers: Map<ReaderVerdict, number>;
  seconds: number;
  slowestMs: number;
  finding?: { index: number; input: Buffer; error: unknown };
}

export function runPass({ seeds, count, seed }: PassOptions): PassResult {
  const verdicts = new Map<Verdict, number>();
  const readers = new Map<ReaderVerdict, number>();
  const start = performance.now();
  let inputs = 0;
  let slowestMs = 0;
  for (const input of fuzzInputs(seeds, count, seed)) {
    const t0 = performance.now();
    let verdict: Verdict;
    let reader: ReaderVerdict;
    try {
      verdict = checkInput(input);
      reader = checkInPlaceReaders(input);
    } catch (error) {
      return { inputs, verdicts, readers, seconds: (performance.now() - start) / 1000, slowestMs, finding: { index: inputs, input, error } };
    }
    slowestMs = Math.max(slowestMs, performance.now() - t0);
    verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
    readers.set(reader, (readers.get(reader) ?? 0) + 1);
    inputs++;
  }
  return { inputs, verdicts, readers, seconds: (performance.now() - start) / 1000, slowestMs };
}
