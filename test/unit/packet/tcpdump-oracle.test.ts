// Loci against a second independent decoder, tcpdump (print-lisp.c, which decodes Map-Register
// and Map-Notify only): the expected `-v` output of tcpdump's own test suite, shipped beside each
// capture (tcpdump-*-v.out), against Loci's decoding of the same frames printed in tcpdump's
// layout. Every frame tcpdump prints whole, Loci decodes to the same text; every frame Loci
// rejects, tcpdump marks as truncated, invalid, unsupported or trailed by undecoded data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frameDatagram, readCapture } from '../../../src/capture/index.js';
import { decodeMessage, formatAddress, LispDecodeError, type LocatorRecord, type MapNotify, type MappingRecord, type MapRegister } from '../../../src/packet/index.js';
import { capturesDir } from '../../helpers/vectors.js';

/** tcpdump's -v output split per frame number: the lines from "LISP-" on, trimmed. */
function tcpdumpFrames(out: string): Map<number, string[]> {
  const frames = new Map<number, string[]>();
  let current: string[] | undefined;
  for (const line of out.split('\n')) {
    const head = /^\s*(\d+)\s+\d{4}-\d\d-\d\d /.exec(line);
    if (head) {
      current = [];
      frames.set(Number(head[1]), current);
    }
    if (!current || line.trim() === '') continue;
    const lisp = line.indexOf(': LISP');
    if (lisp >= 0) current.push(line.slice(lisp + 2).trim());
    else if (!head && current.length > 0) current.push(line.trim());
  }
  return frames;
}

/** tcpdump's hex_print lines: 16 bytes a line, in groups of two bytes. */
const hexLines = (label: string, b: Buffer) => {
  const lines: string[] = [];
  for (let o = 0; o < b.length; o += 16) {
    const groups = b.subarray(o, o + 16).toString('hex').match(/.{1,4}/g) ?? [];
    lines.push(`${label}: 0x${o.toString(16).padStart(4, '0')}:  ${groups.join(' ')}`);
  }
  return lines;
};

const ACTIONS = ['No-Action', 'Natively-Forward', 'Send-Map-Request', 'Drop'];

function locatorLines(l: LocatorRecord): string[] {
  const flags = [l.local && 'Local-Locator', l.probed && 'RLOC-Probed', l.reachable && 'Reachable'].filter(Boolean);
  return [`LOC ${formatAddress(l.address)}`, `Priority/Weight ${l.priority}/${l.weight}, Multicast Priority/Weight ${l.mPriority}/${l.mWeight}, flags [${flags.length ? flags.join(', ') : 'none'}],`];
}

function recordLines(r: MappingRecord): string[] {
  const head = `Record TTL ${r.ttl}, ${r.authoritative ? 'Authoritative' : 'Non-Authoritative'}, ${ACTIONS[r.act] ?? 'unknown'}, Map Version: ${r.mapVersion}, EID ${formatAddress(r.eid)}/${r.maskLen}, ${r.locators.length} locator(s)`;
  return [head, ...r.locators.flatMap(locatorLines)];
}

/** Loci's decoding of a Map-Register or Map-Notify, printed as tcpdump -v prints it. */
function asTcpdump(m: MapRegister | MapNotify): string[] {
  const register = m.type === 'map-register';
  const unflagged = !register && m.xtrIdUnflagged === true;
  const flags = [m.xtrId !== undefined && !unflagged && 'I-xTR-ID-Present', register && m.proxyReply && 'P-Proxy-Map-Reply', register && m.wantMapNotify && 'M-Want-Map-Notify'].filter(Boolean);
  const keyId = (m.keyId << 8) | m.algorithmId;
  const lines = [
    `LISP-${register ? 'Map-Register' : 'Map-Notify'}, flags [${flags.length ? flags.join(', ') : 'none'}],`,
    `${m.records.length} record(s), Authentication ${keyId === 1 ? 'SHA1' : keyId === 2 ? 'SHA256' : 'unknown-type'},`,
    ...hexLines('Authentication-Data', m.authData),
    ...m.records.flatMap(recordLines),
  ];
  if (m.xtrId !== undefined && unflagged) {
    // Without the I bit (lispers.net's Map-Notify) tcpdump prints the xTR-ID and site-ID as Data.
    lines.push(...hexLines('Data', Buffer.from(m.xtrId.toString(16).padStart(32, '0') + (m.siteId ?? 0n).toString(16).padStart(16, '0'), 'hex')));
  } else if (m.xtrId !== undefined) {
    lines.push(...hexLines('xTR-ID', Buffer.from(m.xtrId.toString(16).padStart(32, '0'), 'hex')));
    lines.push(`SITE-ID: ${m.siteId}`);
  }
  return lines;
}

/** What tcpdump prints for a frame it does not decode whole. */
const TCPDUMP_REFUSES = /\[\|lisp\]|\(invalid\)|\[unsupported address family|^Data: 0x/m;

const ORACLES = ['tcpdump-lisp_eid_register', 'tcpdump-lisp_eid_notify', 'tcpdump-lisp_ipv6', 'tcpdump-lisp_invalid', 'tcpdump-lisp_invalid_length'];

for (const name of ORACLES) {
  test(`${name}: Loci decodes every frame as tcpdump -v prints it, and rejects only what tcpdump cannot decode either`, () => {
    const out = readFileSync(join(capturesDir, `${name}${name.endsWith('invalid_length') ? '' : '-v'}.out`), 'utf8');
    const expected = tcpdumpFrames(out);
    const frames = readCapture(readFileSync(join(capturesDir, `${name}.pcap`)));
    assert.deepEqual(frames.map((f) => f.number), [...expected.keys()], 'tcpdump printed every frame of the capture');
    let compared = 0;
    for (const frame of frames) {
      const d = frameDatagram(frame);
      assert.ok(d, `frame ${frame.number} is a UDP datagram`);
      const tcpdump = expected.get(frame.number)!;
      const r = decodeMessage(d.payload);
      if (r instanceof LispDecodeError) {
        assert.match(tcpdump.join('\n'), TCPDUMP_REFUSES, `frame ${frame.number}: Loci rejects it (${r.code}) but tcpdump decodes it whole`);
        continue;
      }
      assert.ok(r.value.type === 'map-register' || r.value.type === 'map-notify', `frame ${frame.number}: ${r.value.type}`);
      // tcpdump prints an xTR-ID without the I bit (lispers.net's Map-Notify) as Data, which the comparison below checks.
      if (!(r.value.type === 'map-notify' && r.value.xtrIdUnflagged)) {
        assert.doesNotMatch(tcpdump.join('\n'), TCPDUMP_REFUSES, `frame ${frame.number}: Loci accepts what tcpdump refuses`);
      }
      assert.deepEqual(asTcpdump(r.value as MapRegister | MapNotify), tcpdump, `frame ${frame.number}`);
      compared++;
    }
    // Which frames each file holds that both decode: the captures README's table.
    const both: Record<string, number> = { 'tcpdump-lisp_eid_register': 2, 'tcpdump-lisp_eid_notify': 3, 'tcpdump-lisp_ipv6': 2, 'tcpdump-lisp_invalid': 0, 'tcpdump-lisp_invalid_length': 0 };
    assert.equal(compared, both[name]);
  });
}

test('the default-verbosity .out files list the same frames, messages and record counts as the -v ones', () => {
  for (const name of ORACLES.filter((n) => !n.endsWith('invalid_length'))) {
    const brief = readFileSync(join(capturesDir, `${name}.out`), 'utf8');
    const verbose = tcpdumpFrames(readFileSync(join(capturesDir, `${name}-v.out`), 'utf8'));
    const heads = [...brief.matchAll(/^\s*(\d+)\s+\S+ \S+ IP .*?: (LISP-Map-\w+)(?:, (\d+) record\(s\))?/gm)].map((m) => [Number(m[1]), m[2], m[3] === undefined ? undefined : Number(m[3])]);
    assert.deepEqual(
      heads,
      [...verbose].map(([n, lines]) => [n, /^LISP-Map-\w+/.exec(lines[0]!)?.[0], Number(/^(\d+) record\(s\)/.exec(lines[1] ?? '')?.[1] ?? NaN)]),
      name,
    );
  }
});
