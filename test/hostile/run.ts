// The long hostile-input run (`npm run hostile -- --packets 10000000`), as root: the lab, the
// daemons, the flood and the probes of the netns test (test/netns/hostile.test.ts), for as many
// packets as asked. Prints the figures and exits 1 when a daemon died or lig went unanswered.
import { parseArgs } from 'node:util';
import { reportLines } from './report.js';
import { runHostile } from './session.js';

const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '10000000' },
    seconds: { type: 'string', default: '3600' },
    rate: { type: 'string', default: '0' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    'lig-interval-ms': { type: 'string', default: '500' },
    'change-every-s': { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const o = { packets: Number(values.packets), seconds: Number(values.seconds), rate: Number(values.rate), seed: Number(values.seed), ligIntervalMs: Number(values['lig-interval-ms']), changeEveryS: Number(values['change-every-s']) };
if (Object.values(o).some((x) => !Number.isFinite(x) || x < 0) || o.packets === 0 || o.seconds === 0 || o.ligIntervalMs === 0 || o.changeEveryS === 0) {
  console.error('usage: npm run hostile -- [--packets N] [--seconds MAX] [--rate PER_SECOND] [--seed S] [--lig-interval-ms N] [--change-every-s N] [--json] [--keep]');
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('npm run hostile needs root: it builds network namespaces and TUN devices');
  process.exit(2);
}

const started = Date.now();
const figures = await runHostile({ ...o, keep: values.keep, say: (line) => console.error(line) });
if (values.json) console.log(JSON.stringify(figures));
else for (const line of reportLines(figures)) console.log(line);
const deaths = Object.values(figures.daemons).filter((d) => d.died).length;
console.log(`daemon deaths: ${deaths}; run took ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(deaths === 0 && figures.lig.answered > 0 ? 0 : 1);
