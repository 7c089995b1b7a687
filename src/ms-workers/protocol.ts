// What the main thread and the Map-Server worker threads say to each other (worker.ts is a
// thread's entry, pool.ts the main thread's side).
//
// main -> worker, batched, after which main bumps the generation (ThreadControl.posted): ReplicaUpdate[] (replica.ts applies them).
// worker -> main: WorkerMessage.
import type { MessagePort } from 'node:worker_threads';
import { FIRST_FREE_SLOT } from '../io/thread/control.js';
import type { EidPrefix } from '../table/prefix.js';

/** The slot of the control block (io/thread/control.ts) past its stop flag and generation: datagrams forwarded to the main thread and not yet handled there (workers drop beyond MAX_IN_FLIGHT). */
export const IN_FLIGHT = FIRST_FREE_SLOT;
export const MAX_IN_FLIGHT = 4096;
/** Beyond this many waiting, workers forward only what the main thread must see (worker.ts, Verdict). */
export const MAX_OTHER_IN_FLIGHT = 1024;

export type ReplicaUpdate =
  /** An accepted Map-Register of ETR id whose repetitions the worker may take as refreshes. */
  | { op: 'accept'; token: number; id: string; fingerprint: Uint8Array; key: string; algorithmId: number; truncated: boolean }
  | { op: 'revoke'; token: number }
  /** A registered prefix; reply is the proxy Map-Reply for it (nonce 0), null when it is not proxy-replied. */
  | { op: 'prefix'; prefix: EidPrefix; reply: Uint8Array | null }
  | { op: 'unregister'; prefix: EidPrefix };

export interface Datagram {
  data: Uint8Array;
  address: string;
  port: number;
  /** The listen address it arrived on. */
  local: string;
}

export interface Refresh {
  token: number;
  nonce: bigint;
  /** The refresh's authentication data (the replay guard remembers it). */
  authData: Uint8Array;
  address: string;
  port: number;
}

export type WorkerMessage =
  | { op: 'ready' }
  /** Datagrams the worker does not handle itself, for the node on the main thread. */
  | { op: 'forward'; datagrams: Datagram[] }
  /** Map-Registers the worker took as refreshes since its last report, the one with the greatest nonce per token. */
  | { op: 'refresh'; refreshes: Refresh[] }
  /** Map-Registers the worker rejected since its last report: how many, and the last one. */
  | { op: 'rejected'; count: number; from: { address: string; port: number }; reason: string; detail: string };

export interface WorkerSetup {
  readonly index: number;
  /** Per listen address, this worker's socket of its SO_REUSEPORT group. */
  readonly sockets: readonly { readonly fd: number; readonly address: string }[];
  /** Answer proxy-replied Map-Requests (off when the node is also an ETR, which answers for its own EIDs first). */
  readonly answerMapRequests: boolean;
  /** Off: every datagram goes to the main thread (debug logging of each packet needs it there). */
  readonly fastPath: boolean;
  /** ThreadControl's block, with IN_FLIGHT. */
  readonly control: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
  readonly port: MessagePort;
}
