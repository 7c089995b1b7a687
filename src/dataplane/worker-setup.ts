// What the control plane hands a data-plane worker thread (worker.ts is the thread's entry).
import type { MessagePort } from 'node:worker_threads';
import type { OwnEid } from './own-eids.js';

export interface WorkerSetup {
  readonly role: 'encap' | 'decap';
  readonly tunFd: number;
  readonly tunName: string;
  /** encap: sockets to send from, by family; decap: the sockets bound to port 4341. */
  readonly sockets: { readonly ipv4: number[]; readonly ipv6: number[] };
  readonly instanceId: number;
  /** decap: the EID-prefixes behind this xTR, packets for anything else dropped; null: any destination (a PETR). */
  readonly ownEids: readonly OwnEid[] | null;
  readonly underlayMtu: number;
  readonly locatorStatusBits: number;
  /** The TUN device takes and gives TCP packets of up to 64 KB (segmented on encap, merged on decap). */
  readonly offload: boolean;
  readonly counters: SharedArrayBuffer;
  /** The stop flag and the generation (io/thread/control.ts). */
  readonly control: SharedArrayBuffer;
  readonly port: MessagePort;
}
