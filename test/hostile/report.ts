// The figures of a hostile-input run as text lines (the test's diagnostics, `npm run hostile`).
import type { HostileFigures } from './session.js';

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const mb = (x: number) => `${x.toFixed(0)} MB`;
const kb = (x: number) => `${(x / 1024).toFixed(1)} KB`;

/** Counters that say what the daemons refused or dropped (and the totals they are part of). */
const REJECTION = /rejected|malformed|dropped|unmatched|ignored|refused|rate-limited|error|too-many|not-|bad-|deaths|restarts|expired|withdrawn|gave-up/;
const TOTALS = /^(received|sent|forwarded|map-register\.accepted|map-reply\.proxy|map-reply\.accepted|map-request\.forwarded|smr\.sent|dataplane\.decap\.packets|dataplane\.encap\.packets)$/;

export function reportLines(f: HostileFigures): string[] {
  const lines: string[] = [];
  const fl = f.flood;
  lines.push(`flood: seed ${fl.seed}; ${n(fl.sent)} packets (${n(fl.bytes / 1e6)} MB) in ${fl.elapsedS.toFixed(1)} s = ${n(fl.sent / fl.elapsedS)}/s; ${n(fl.refused)} refused by the kernel; ${f.replays} captured Map-Registers replayed`);
  lines.push(`  per target: ${Object.entries(fl.perTarget).map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
  lines.push(`  per kind: ${Object.entries(fl.perKind).map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
  lines.push(`lig through the Map-Resolver during the flood: ${f.lig.answered}/${f.lig.sent} answered (${(f.lig.share * 100).toFixed(1)}%)`);
  for (const [eid, e] of Object.entries(f.lig.perEid)) {
    lines.push(`  ${eid}: ${e.answered}/${e.sent}, RTT median ${e.rttMsMedian?.toFixed(1) ?? '-'} ms, max ${e.rttMsMax?.toFixed(1) ?? '-'} ms`);
  }
  const smr = f.daemons.etr.counters;
  lines.push(`the ETR changed its mapping ${f.etrChanges.made} times during the flood (${f.etrChanges.registered} registered within 10 s): ${n(smr['smr.sent'] ?? 0)} SMRs sent, ${n(smr['smr.rate-limited'] ?? 0)} held back by the rate limit`);
  for (const [prefix, r] of Object.entries(f.registrations)) {
    lines.push(
      `registration ${prefix}: ${r.samples} samples (${r.unanswered} unanswered), missing in ${r.missing}, wrong locators in ${r.wrongLocators}${r.wrongSeen.length ? ` (${r.wrongSeen.join('; ')})` : ''}, longest without refresh ${r.maxStaleS} s, other registrants: ${r.foreignEtrs.length ? r.foreignEtrs.join('; ') : 'none'}`,
    );
  }
  for (const [node, d] of Object.entries(f.daemons)) {
    lines.push(
      `${node} (pid ${d.pid}): ${d.died ? `DIED (${d.died})` : 'alive'}; RSS ${mb(d.before.rssMb)} -> ${mb(d.after.rssMb)} (peak ${mb(d.after.peakMb)}); log +${kb(d.logBytesFlood)} during the flood (${kb(d.logBytes)} in all); UDP ${n(d.udp.delivered)} delivered to its sockets, ${n(d.udp.bufferDrops)} dropped at full ones`,
    );
    const shown = Object.entries(d.counters).filter(([k]) => (REJECTION.test(k) || TOTALS.test(k)) && !k.startsWith('dataplane.locator.'));
    for (let i = 0; i < shown.length; i += 4) lines.push(`  ${shown.slice(i, i + 4).map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
  }
  return lines;
}
