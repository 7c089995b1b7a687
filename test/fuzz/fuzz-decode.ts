// Decoder fuzzer: node --import tsx test/fuzz/fuzz-decode.ts [--count N] [--seed S]
// (npm run fuzz -- --count N --seed S). Without --seed it draws a random one, and prints it
// first: `--seed S` replays exactly that run. Feeds the packet codec and its in-place readers (the
// Map-Server workers'); prints the verdict counts and the rate; on a finding prints the input in hex and
// the command that replays it, and exits 1 (add the seed to test/fuzz/regressions.ts).
import { randomInt } from 'node:crypto';
import { inspect, parseArgs } from 'node:util';
import { seedCorpus } from './corpus.js';
import { runPass } from './fuzz-pass.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000000' }, seed: { type: 'string' } } });
const count = Number(values.count);
const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
if (!Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(seed)) {
  console.error('usage: fuzz-decode.ts [--count N] [--seed S]');
  process.exit(2);
}

const seeds = seedCorpus();
console.log(`seeds    ${seeds.length} (capture payloads and Loci-encoded messages), --seed ${seed}${values.seed === undefined ? ' (random)' : ''}`);

const r = runPass({ seeds, count, seed });
const n = (x: number) => x.toLocaleString('en-US');
const decoded = r.verdicts.get('decoded') ?? 0;
console.log(`inputs   ${n(r.inputs)}`);
console.log(`decoded  ${n(decoded)}`);
console.log(`rejected ${n(r.inputs - decoded)}, by LispDecodeError code:`);
const rejections = [...r.verdicts].filter(([v]) => v !== 'decoded').sort((a, b) => b[1] - a[1]);
for (const [code, k] of rejections) console.log(`  ${code.padEnd(24)} ${n(k).padStart(9)}`);
console.log('in-place readers (the Map-Server workers use them):');
for (const v of ['ecm-request-read', 'map-register-read', 'map-register-short', 'other'] as const) console.log(`  ${v.padEnd(24)} ${n(r.readers.get(v) ?? 0).padStart(9)}`);
console.log(`rate     ${n(Math.round(r.inputs / r.seconds))} inputs/s (${r.seconds.toFixed(1)} s; slowest input ${r.slowestMs.toFixed(2)} ms)`);

if (r.finding) {
  const { index, input, error } = r.finding;
  console.log(`FINDING at input ${index} (--seed ${seed}): ${inspect(error)}`);
  console.log(`input (${input.length} bytes): ${input.toString('hex')}`);
  console.log(`replay: npm run fuzz -- --seed ${seed} --count ${index + 1}`);
  process.exit(1);
}
console.log('no findings');
