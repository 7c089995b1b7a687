// A worker's replica of the Map-Server's state, written only from the main thread's updates
// (protocol.ts): the accepted Map-Registers the ETRs may repeat as refreshes, and the registered
// prefixes with their proxy-reply templates.
import { EidTable } from '../table/eid-table.js';
import { makePrefix } from '../table/prefix.js';
import { MessageAuth } from '../packet/auth.js';
import { fingerprintHash, hashOf, hasFingerprint } from '../packet/map-register-view.js';
import type { ReplicaUpdate } from './protocol.js';

export interface Accepted {
  readonly token: number;
  /** The ETR's id (its xTR-ID in hex, else its address). */
  readonly id: string;
  readonly fingerprint: Buffer;
  readonly hash: number;
  readonly auth: MessageAuth;
}

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export class Replica {
  /** By fingerprint hash. */
  private readonly accepted = new Map<number, Accepted[]>();
  private readonly byToken = new Map<number, Accepted>();
  /** Tokens per ETR id. */
  private readonly etrs = new Map<string, number>();
  /** Every registered prefix: its proxy reply, or null when the main thread answers for it. */
  private readonly registered = new EidTable<Buffer | null>();

  apply(u: ReplicaUpdate): void {
    switch (u.op) {
      case 'accept': {
        // Sent once per token; a second one (a resent replica) must not leave a copy a revoke misses.
        if (this.byToken.has(u.token)) return;
        const fingerprint = asBuffer(u.fingerprint);
        const a: Accepted = { token: u.token, id: u.id, fingerprint, hash: hashOf(fingerprint), auth: new MessageAuth(u.algorithmId, u.key, { truncated: u.truncated }) };
        this.accepted.set(a.hash, [...(this.accepted.get(a.hash) ?? []), a]);
        this.byToken.set(u.token, a);
        this.etrs.set(a.id, (this.etrs.get(a.id) ?? 0) + 1);
        return;
      }
      case 'revoke': {
        const a = this.byToken.get(u.token);
        if (!a) return;
        this.byToken.delete(u.token);
        const tokens = this.etrs.get(a.id)! - 1;
        if (tokens > 0) this.etrs.set(a.id, tokens);
        else this.etrs.delete(a.id);
        const left = this.accepted.get(a.hash)!.filter((x) => x !== a);
        if (left.length > 0) this.accepted.set(a.hash, left);
        else this.accepted.delete(a.hash);
        return;
      }
      case 'prefix':
        return this.registered.set(u.prefix, u.reply && asBuffer(u.reply));
      case 'unregister':
        this.registered.delete(u.prefix);
    }
  }

  /** The accepted Map-Register of ETR id that the one in buf[start, end) repeats, if any. */
  acceptedFor(id: string, buf: Buffer, start: number, end: number): Accepted | undefined {
    const list = this.accepted.get(fingerprintHash(buf, start, end));
    if (!list) return undefined;
    for (const a of list) if (a.id === id && hasFingerprint(a.fingerprint, buf, start, end)) return a;
    return undefined;
  }

  /**
   * The proxy-reply template for a Map-Request about the EID at buf[at..] (IPv4, or IPv6 when v6)
   * of instance-id iid and mask-len len; undefined when the main thread must answer.
   */
  replyFor(buf: Buffer, at: number, v6: boolean, iid: number, len: number): Buffer | undefined {
    return this.lookup(buf, at, v6, iid, len) ?? undefined;
  }

  /** As replyFor, but null for a registered EID that is not proxy-replied, undefined for one not registered. */
  lookup(buf: Buffer, at: number, v6: boolean, iid: number, len: number): Buffer | null | undefined {
    if (!v6 && len === 32) return this.registered.lookup4(iid, buf.readUInt32BE(at));
    if (v6 && len === 128) return this.registered.lookup6(iid, buf, at);
    const eid = makePrefix(v6 ? 'ipv6' : 'ipv4', buf.subarray(at, at + (v6 ? 16 : 4)), len, iid);
    return this.registered.match(eid)?.value;
  }

  /** Whether ETR id (xTR-ID in hex, else address) has an accepted Map-Register here. */
  knowsEtr(id: string): boolean {
    return this.etrs.has(id);
  }
}
