// The flags an owner and its worker threads share, one Int32Array on a SharedArrayBuffer:
//   STOP        set once by the owner: the workers leave their loop
//   GENERATION  bumped by the owner after it posts messages: a worker reads its port only when it
//               moved, so a pass with nothing posted costs one atomic load
// and, after them, whatever slots the owner adds (the Map-Server workers' count of datagrams
// waiting in the main thread). The workers' loop is loop.ts.

export const STOP = 0;
export const GENERATION = 1;
/** The first slot past the kit's own, for the owner's use. */
export const FIRST_FREE_SLOT = 2;

export class ThreadControl {
  readonly slots: Int32Array;

  /** A new control block with `extraSlots` more slots (owner side), or the one a worker was handed. */
  constructor(from: SharedArrayBuffer | { readonly extraSlots: number } = { extraSlots: 0 }) {
    this.slots = new Int32Array(from instanceof SharedArrayBuffer ? from : new SharedArrayBuffer((FIRST_FREE_SLOT + from.extraSlots) * 4));
  }

  /** What to hand a worker (in its workerData). */
  get buffer(): SharedArrayBuffer {
    return this.slots.buffer as SharedArrayBuffer;
  }

  stop(): void {
    Atomics.store(this.slots, STOP, 1);
  }

  get stopped(): boolean {
    return Atomics.load(this.slots, STOP) !== 0;
  }

  /** The owner posted messages to the workers. */
  posted(): void {
    Atomics.add(this.slots, GENERATION, 1);
  }

  get generation(): number {
    return Atomics.load(this.slots, GENERATION);
  }
}
