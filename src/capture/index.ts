export type { CaptureFrame, UdpDatagram } from './types.js';
export { readCapture } from './read-capture.js';
export { frameDatagram, isLispPort, udpDatagrams } from './datagrams.js';
export { LinkType } from './link.js';
export { ipUdpPacket, writePcap, type OutgoingDatagram, type PcapLinkType } from './pcap-writer.js';
