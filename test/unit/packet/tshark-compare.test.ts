// Loci against an independent decoder, tshark 4.0, on every interop capture: each LISP
// control message (an ECM's inner IP/UDP headers and message too) and each data header
// Loci decodes must show the same fields in tshark (layout in helpers/tshark-view.ts),
// draw no LISP-level complaint from tshark, and re-encode to exactly its captured
// bytes; the frames Loci rejects are exactly those of REJECTED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { frameDatagram, readCapture, type UdpDatagram } from '../../../src/capture/index.js';
import { dataPacket, decodeMessage, encodeMessage, LispDecodeError } from '../../../src/packet/index.js';
import { requireTool } from '../../helpers/env.js';
import { all, fieldView, lispComplaints, lispLayers, pickFields, tsharkPackets, type TsharkPacket } from '../../helpers/tshark.js';
import { dataHeaderView, ecmHeaderViews, messageViews } from '../../helpers/tshark-view.js';
import { captureFiles } from '../../helpers/vectors.js';

type Verdict = 'silent' | 'malformed' | 'expert error' | 'expert warning';

interface Rejection {
  file: string;
  frame: number;
  code: string;
  /** What tshark 4.0 says about the same frame. */
  tshark: Verdict;
}

/**
 * Every frame Loci rejects. Where tshark is silent, the captures README ("Decoder quirks") says why.
 * (tcpdump-lisp_eid_notify.pcap frame 4, an xTR-ID and site-ID after the records without the I bit,
 * is what lispers.net sends: Loci decodes it, tshark shows the 24 bytes as "Data".)
 */
const REJECTED: Rejection[] = [
  // 1-byte data header: tshark takes the first 7 bytes of the inner IPv4 header as the rest of it.
  { file: 'lispproject-encap.pcap', frame: 1, code: 'ERR_LISP_BAD_FIELD', tshark: 'silent' },
  // I bit set, xTR-ID and site-ID missing.
  { file: 'tcpdump-lisp_eid_notify.pcap', frame: 3, code: 'ERR_LISP_TRUNCATED', tshark: 'malformed' },
  // Records shifted: EID AFI 7680 ("Unexpected EID prefix AFI (7680), cannot decode").
  { file: 'tcpdump-lisp_invalid.pcap', frame: 1, code: 'ERR_LISP_UNKNOWN_AFI', tshark: 'expert error' },
  // Snapped to 83 of 170 bytes, authentication data length 35117.
  { file: 'tcpdump-lisp_invalid.pcap', frame: 2, code: 'ERR_LISP_TRUNCATED', tshark: 'malformed' },
  // UDP length 16 leaves 8 bytes of LISP.
  { file: 'tcpdump-lisp_invalid_length.pcap', frame: 1, code: 'ERR_LISP_TRUNCATED', tshark: 'malformed' },
];

/** Messages compared, by type: the README's coverage table less the rejected frames. */
const COMPARED = { 'map-request': 17, ecm: 47, 'map-reply': 49, 'map-register': 24, 'map-notify': 12, data: 77 };

const CONTROL_PORT = 4342;
const DATA_PORTS = [4341, 4343]; // 4343: EIGRP OTP (networklessons capture)

/** Control when either port is 4342 (as tshark hands a 4341 -> 4342 packet to its control dissector). */
function kindOf(d: UdpDatagram): 'control' | 'data' | undefined {
  const ports = [d.sport, d.dport];
  if (ports.includes(CONTROL_PORT)) return 'control';
  return ports.some((p) => DATA_PORTS.includes(p)) ? 'data' : undefined;
}

function verdict(p: TsharkPacket): Verdict {
  const complaints = lispComplaints(p);
  if (complaints.some((c) => c.message === 'Malformed Packet')) return 'malformed';
  if (complaints.some((c) => c.severity === 'error')) return 'expert error';
  return complaints.length ? 'expert warning' : 'silent';
}

/** Compares one datagram; returns the type it compared, or the code Loci rejected it with. */
function compare(d: UdpDatagram, kind: 'control' | 'data', p: TsharkPacket, where: string): { type: string } | { code: string } {
  const tshark = lispLayers(p).map(fieldView);
  if (kind === 'data') {
    let packet;
    try {
      packet = dataPacket.decode(d.payload).value;
    } catch (e) {
      if (e instanceof LispDecodeError) return { code: e.code };
      throw e;
    }
    assert.deepEqual(tshark, [dataHeaderView(packet.header)], `${where}: data header`);
    assert.ok(dataPacket.encode(packet).equals(d.payload), `${where}: re-encodes to the captured bytes`);
    return { type: 'data' };
  }
  const r = decodeMessage(d.payload);
  if (r instanceof LispDecodeError) return { code: r.code };
  const m = r.value;
  assert.deepEqual(tshark, messageViews(m), `${where}: ${m.type}`);
  if (m.type === 'ecm') {
    // The ECM's headers are the last ip / ipv6 and udp layers tshark shows.
    const { ip, udp } = ecmHeaderViews(m);
    assert.deepEqual(pickFields(all(p.layers[m.ip.version === 4 ? 'ip' : 'ipv6']).at(-1), Object.keys(ip)), ip, `${where}: ECM IP header`);
    assert.deepEqual(pickFields(all(p.layers.udp).at(-1), Object.keys(udp)), udp, `${where}: ECM UDP header`);
  }
  assert.ok(encodeMessage(m).equals(d.payload), `${where}: re-encodes to the captured bytes`);
  return { type: m.type };
}

interface FileResult {
  rejected: Rejection[];
  compared: Record<string, number>;
}

/** Compares every LISP datagram of one capture (once per process: the summary test reuses what a file's test computed, or computes it). */
const results = new Map<string, FileResult>();
function compareFile(file: string): FileResult {
  const name = basename(file);
  const known = results.get(name);
  if (known) return known;
  const result: FileResult = { rejected: [], compared: {} };
  const packets = new Map(tsharkPackets(file).map((p) => [p.frame, p]));
  for (const frame of readCapture(readFileSync(file))) {
    const d = frameDatagram(frame);
    const kind = d && kindOf(d);
    if (!d || !kind) continue;
    const where = `${name} frame ${frame.number}`;
    const p = packets.get(frame.number);
    assert.ok(p, `${where}: tshark has the frame`);
    assert.ok(p.protocols.includes(kind === 'control' ? 'lisp' : 'lisp-data'), `${where}: tshark decodes it as LISP ${kind}`);
    const r = compare(d, kind, p, where);
    if ('code' in r) {
      result.rejected.push({ file: name, frame: frame.number, code: r.code, tshark: verdict(p) });
    } else {
      assert.equal(verdict(p), 'silent', `${where}: tshark complains about a message Loci accepts`);
      result.compared[r.type] = (result.compared[r.type] ?? 0) + 1;
    }
  }
  results.set(name, result);
  return result;
}

for (const file of captureFiles()) {
  const name = basename(file);
  test(`${name}: Loci and tshark decode every LISP datagram alike, and reject exactly its malformed frames`, (t) => {
    if (!requireTool(t, 'tshark')) return;
    assert.deepEqual(compareFile(file).rejected, REJECTED.filter((r) => r.file === name));
  });
}

// Depends on no other test: it compares the files the others did not (when run alone, or filtered).
test('Loci rejects exactly the malformed frames, and compared every message type', (t) => {
  if (!requireTool(t, 'tshark')) return;
  const all = captureFiles().map(compareFile);
  assert.deepEqual(
    all.flatMap((r) => r.rejected),
    REJECTED,
  );
  const compared: Record<string, number> = {};
  for (const r of all) for (const [type, n] of Object.entries(r.compared)) compared[type] = (compared[type] ?? 0) + n;
  assert.deepEqual(compared, COMPARED);
});
