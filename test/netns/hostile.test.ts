// Hostile input against real daemons: a Map-Server/Map-Resolver (with its workers), an ETR and an
// xTR with its data plane, in namespaces with no route beyond them, flooded for a bounded time
// from an attacker's namespace with mutated real captures and hostile messages that decode
// (forged, short-auth and replayed Map-Registers, SMR bait, unmatched Map-Replies, ECM Map-Requests
// for random EIDs, Info-Requests, data packets), while `loci lig` asks the Map-Resolver about both
// sites and the Map-Server's API is watched (test/hostile/session.ts; the long run is
// `npm run hostile`). Needs root and tshark (which captures the ETR's Map-Registers to replay).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REGISTER_INTERVAL_S } from '../hostile/configs.js';
import { reportLines } from '../hostile/report.js';
import { runHostile } from '../hostile/session.js';
import { requireRoot, requireTool } from '../helpers/env.js';

const SEED = 4342;
/** The flood: at most this many packets, this long, at this rate (the box is shared with the daemons). */
const FLOOD = { packets: 240_000, seconds: 12, rate: 20_000 };
/** Floors and bounds, generous: a node that drops valid requests, grows or logs per packet misses them by far. */
const MIN_LIG_SHARE = 0.5;
const MAX_RSS_GROWTH_MB = 128;
const MAX_LOG_BYTES_PER_FLOOD_SECOND = 16 * 1024;

describe('hostile input', { timeout: 180_000 }, () => {
  it('a flood at the Map-Server, the ETR and the xTR: no daemon dies, lig is answered, registrations stay, memory and logs stay bounded', async (t) => {
    if (!requireRoot(t) || !requireTool(t, 'ip') || !requireTool(t, 'tshark')) return;
    const f = await runHostile({ seed: SEED, ...FLOOD, ligIntervalMs: 200, changeEveryS: 4 });
    for (const line of reportLines(f)) t.diagnostic(line);

    assert.ok(f.flood.sent >= 20_000, `the flood sent ${f.flood.sent} packets`);
    assert.ok(f.replays > 0, 'captured Map-Registers of the ETR were replayed');
    for (const [node, d] of Object.entries(f.daemons)) {
      assert.equal(d.died, undefined, `${node} died`);
      for (const name of ['ms-workers.worker-deaths', 'dataplane.worker-deaths', 'timer.error']) assert.equal(d.counters[name], undefined, `${node}: ${name}`);
      assert.ok(d.after.rssMb - d.before.rssMb <= MAX_RSS_GROWTH_MB, `${node}: RSS ${d.before.rssMb.toFixed(0)} -> ${d.after.rssMb.toFixed(0)} MB`);
      assert.ok(d.logBytesFlood <= MAX_LOG_BYTES_PER_FLOOD_SECOND * f.flood.elapsedS, `${node}: ${d.logBytesFlood} log bytes in a ${f.flood.elapsedS.toFixed(0)} s flood`);
    }
    assert.ok(f.lig.share >= MIN_LIG_SHARE, `lig answered ${f.lig.answered} of ${f.lig.sent}`);
    for (const [eid, e] of Object.entries(f.lig.perEid)) assert.ok(e.answered > 0, `lig for ${eid} answered ${e.answered} of ${e.sent}`);
    assert.equal(f.daemons.ms.counters['registration.expired'], undefined, 'no registration expired');
    assert.ok(f.etrChanges.made >= 1 && f.etrChanges.registered === f.etrChanges.made, `the ETR's changes reached the Map-Server: ${JSON.stringify(f.etrChanges)}`);
    // SMRs go to the ITRs the ETR answered in the last minute, at most 1,000 of them and 100 a second.
    const smrs = f.daemons.etr.counters['smr.sent'] ?? 0;
    assert.ok(smrs > 0 && smrs <= 1000 * f.etrChanges.made, `${smrs} SMRs for ${f.etrChanges.made} changes`);
    for (const [prefix, r] of Object.entries(f.registrations)) {
      assert.ok(r.samples > 0, `${prefix}: the Map-Server's API answered`);
      assert.equal(r.missing, 0, `${prefix}: registered in every sample`);
      assert.equal(r.wrongLocators, 0, `${prefix}: the ETR's current locators in every sample`);
      assert.deepEqual(r.foreignEtrs, [], `${prefix}: registered by its ETR alone`);
      assert.ok(r.maxStaleS <= 3 * REGISTER_INTERVAL_S, `${prefix}: refreshed at least every ${3 * REGISTER_INTERVAL_S} s (longest gap ${r.maxStaleS} s)`);
    }
  });
});
