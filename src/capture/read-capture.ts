// A capture file of either format, told apart by magic number (never by file name).
import type { CaptureFrame } from './types.js';
import { captureError } from './file-bytes.js';
import { isPcap, readPcap } from './pcap.js';
import { isPcapng, readPcapng } from './pcapng.js';

/** Every frame of a pcap or pcapng file; a malformed file throws LispError ERR_LISP_CAPTURE. */
export function readCapture(buf: Buffer): CaptureFrame[] {
  if (isPcapng(buf)) return readPcapng(buf);
  if (isPcap(buf)) return readPcap(buf);
  throw captureError(`not a pcap or pcapng file: magic ${buf.subarray(0, 4).toString('hex') || '(empty)'}`);
}
