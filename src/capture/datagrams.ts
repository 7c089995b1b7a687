// Frames to UDP datagrams, and the LISP port filter.
import type { CaptureFrame, UdpDatagram } from './types.js';
import { ipPacketOf } from './link.js';
import { udpOf } from './ip.js';
import { readCapture } from './read-capture.js';
import { LISP_CONTROL_PORT, LISP_DATA_PORT } from '../packet/constants.js';

/** The frame's outermost UDP datagram; undefined for non-UDP, non-first-fragment or malformed frames. */
export function frameDatagram(frame: CaptureFrame): UdpDatagram | undefined {
  const packet = ipPacketOf(frame.linkType, frame.data);
  const segment = packet && udpOf(packet);
  return segment && { frame: frame.number, timestampNs: frame.timestampNs, ...segment };
}

/** Every UDP datagram of a capture file that passes the filter, in frame order. */
export function udpDatagrams(buf: Buffer, filter: (d: UdpDatagram) => boolean = () => true): UdpDatagram[] {
  return readCapture(buf)
    .map(frameDatagram)
    .filter((d): d is UdpDatagram => d !== undefined && filter(d));
}

/** True when either port is a LISP port (4341 data, 4342 control) or one of extraPorts. */
export function isLispPort(d: Pick<UdpDatagram, 'sport' | 'dport'>, extraPorts: readonly number[] = []): boolean {
  return [d.sport, d.dport].some(
    (port) => port === LISP_DATA_PORT || port === LISP_CONTROL_PORT || extraPorts.includes(port),
  );
}
