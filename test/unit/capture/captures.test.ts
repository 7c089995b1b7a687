// Every interop capture: frame and datagram counts from the captures README and the
// .tshark.txt decodes, and (when tshark is installed) a per-frame cross-check with tshark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { frameDatagram, isLispPort, readCapture, type UdpDatagram } from '../../../src/capture/index.js';
import { captureFiles } from '../../helpers/vectors.js';
import { requireTool } from '../../helpers/env.js';

interface Expected {
  frames: number;
  udp: number;
  lisp: number;
  extraPorts?: number[];
}

const expected: Record<string, Expected> = {
  'jeremiejig-tcpdump-lisp.pcap': { frames: 113, udp: 100, lisp: 94 }, // 13 ARP; 6 DNS outside the tunnel
  'lispproject-encap.pcap': { frames: 1, udp: 1, lisp: 1 },
  'lispproject-map_registers.pcap': { frames: 2, udp: 2, lisp: 2 },
  'lispproject-map_request.pcap': { frames: 1, udp: 1, lisp: 1 },
  'ndpi-lisp_registration.pcap': { frames: 30, udp: 16, lisp: 16 }, // the other 14 are TCP
  'networklessons-eigrp-otp-lisp-icmp-request.pcapng': { frames: 1, udp: 1, lisp: 1, extraPorts: [4343] },
  'py-lispnetworking-dual_stack_lisp.pcap': { frames: 78, udp: 78, lisp: 78 },
  'py-lispnetworking-encapsulated_control_message.pcap': { frames: 1, udp: 1, lisp: 1 },
  'py-lispnetworking-lcaf_instanceid.pcap': { frames: 4, udp: 4, lisp: 4 },
  'py-lispnetworking-ligpy-marek.pcap': { frames: 6, udp: 6, lisp: 2 }, // 4 DNS
  'py-lispnetworking-maprequest.pcap': { frames: 1, udp: 1, lisp: 1 },
  'py-lispnetworking-various_lisp_packets.pcap': { frames: 19, udp: 19, lisp: 19 },
  'tcpdump-lisp_eid_notify.pcap': { frames: 4, udp: 4, lisp: 4 },
  'tcpdump-lisp_eid_register.pcap': { frames: 2, udp: 2, lisp: 2 },
  'tcpdump-lisp_invalid.pcap': { frames: 2, udp: 2, lisp: 2 },
  'tcpdump-lisp_invalid_length.pcap': { frames: 1, udp: 1, lisp: 1 },
  'tcpdump-lisp_ipv6.pcap': { frames: 2, udp: 2, lisp: 2 },
  'tcpdump-nsh-over-vxlan-gpe.pcap': { frames: 1, udp: 1, lisp: 0 }, // VXLAN-GPE on 4790
};

test('every capture has expected counts', () => {
  assert.deepEqual(captureFiles().map((f) => basename(f)), Object.keys(expected).sort());
});

for (const file of captureFiles()) {
  const name = basename(file);
  test(`${name}: frames, UDP datagrams, LISP datagrams`, () => {
    const want = expected[name];
    assert.ok(want, `no expected counts for ${name}`);
    const frames = readCapture(readFileSync(file));
    const datagrams = frames.map(frameDatagram).filter((d): d is UdpDatagram => d !== undefined);
    assert.equal(frames.length, want.frames);
    assert.deepEqual(frames.map((f) => f.number), Array.from({ length: frames.length }, (_, i) => i + 1));
    assert.equal(datagrams.length, want.udp);
    assert.equal(datagrams.filter((d) => isLispPort(d, want.extraPorts)).length, want.lisp);
  });

  test(`${name}: agrees with tshark frame by frame`, (t) => {
    if (!requireTool(t, 'tshark')) return;
    const fields = ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'udp.srcport', 'udp.dstport', 'udp.length'];
    const args = ['-r', file, '-T', 'fields', '-E', 'occurrence=a'];
    for (const field of [...fields, 'ip.src', 'ipv6.src']) args.push('-e', field);
    const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const rows = out.trimEnd().split('\n').map((line) => line.split('\t'));
    const frames = readCapture(readFileSync(file));
    assert.equal(frames.length, rows.length);
    frames.forEach((frame, i) => {
      const [epoch = '', len, capLen, sports = '', dports = '', udpLengths = '', ip4 = '', ip6 = ''] = rows[i] ?? [];
      const [seconds = '', fraction = ''] = epoch.split('.');
      const epochNs = BigInt(seconds) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'));
      assert.equal(frame.timestampNs, epochNs, `frame ${frame.number} time`);
      assert.deepEqual([frame.originalLength, frame.data.length], [Number(len), Number(capLen)], `frame ${frame.number}`);
      const d = frameDatagram(frame);
      const first = (list: string) => list.split(',')[0] ?? '';
      assert.equal(d?.sport, sports ? Number(first(sports)) : undefined, `frame ${frame.number} source port`);
      if (!d) return;
      assert.equal(d.dport, Number(first(dports)), `frame ${frame.number} destination port`);
      const udpLength = Number(first(udpLengths));
      if (d.truncated) assert.ok(d.payload.length + 8 < udpLength, `frame ${frame.number} truncated`);
      else assert.equal(d.payload.length + 8, udpLength, `frame ${frame.number} UDP length`);
      assert.ok((d.ipVersion === 4 ? ip4 : ip6).split(',').includes(d.src), `frame ${frame.number} source ${d.src}`);
    });
  });
}
