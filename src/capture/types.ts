/** One captured link-layer frame, as read from a pcap or pcapng file. */
export interface CaptureFrame {
  /** 1-based position among the file's packets, as tshark numbers them. */
  number: number;
  /** Nanoseconds since the Unix epoch; 0n for pcapng Simple Packet Blocks, which carry no time. */
  timestampNs: bigint;
  /** LINKTYPE_* value of the frame's interface (1 Ethernet, 113 Linux SLL, ...). */
  linkType: number;
  /** The captured bytes: a view into the file buffer, possibly shorter than originalLength. */
  data: Buffer;
  originalLength: number;
}

/** The outermost UDP datagram of a frame (inside any GRE or IP-in-IP tunnel). */
export interface UdpDatagram {
  frame: number;
  timestampNs: bigint;
  /** Version of the IP header that carries the UDP header. */
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** UDP payload, bounded by the UDP length, the IP length and the captured bytes. */
  payload: Buffer;
  /** True when fewer payload bytes were available than the UDP length announces. */
  truncated: boolean;
}
