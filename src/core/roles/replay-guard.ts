// Replay protection for Map-Registers (RFC 9301 section 5.6: the nonce may be a monotonic counter
// or a timestamp). Map-Registers carry no timestamp, and deployed ETRs send nonces three ways:
// growing (Loci: wall time << 16, then +1), random (OOR, Cisco IOS-XE), fixed or 0 (lispers.net,
// LISPmob, NX-OS). So, per ETR identity (site, Key ID and xTR-ID; without an xTR-ID, the site and
// Key ID: never the source address, which an attacker chooses):
//   strict: the nonce must grow (only for ETRs whose nonces do: Loci's);
//   auto (the default): once an identity's nonce has grown in GROWTHS registrations in a row, it
//     must keep growing; and whatever its nonces, a Map-Register it already sent (the same
//     authentication data) is refused when it comes from another address than the first time, or
//     would replace a different registration of that ETR or bring back one it withdrew: a replay
//     can repeat the current state, never roll it back.
//     (A registration that merely expired may come back by a repeat: an ETR with a fixed nonce
//     sends exactly that after an outage.)
//   off: nothing is checked.
// Only authenticated Map-Registers reach the guard, and the identities it remembers are bounded.

export type NonceCheck = 'strict' | 'auto' | 'off';

/** Registrations in a row with a growing nonce after which an identity's nonce must keep growing (auto). */
const GROWTHS = 3;

interface Identity {
  lastNonce: bigint;
  grew: number;
  /** Authentication data (hex) of the last Map-Registers accepted, oldest first, and the address each came from. */
  seen: Map<string, string>;
  /** Prefixes this ETR withdrew (record TTL 0) and has not registered again since. */
  withdrawn: Set<string>;
}

export type ReplayVerdict = { ok: true } | { ok: false; detail: string };

export class ReplayGuard {
  private readonly identities = new Map<string, Identity>();

  constructor(
    private readonly maxIdentities = 100_000,
    /** Authentication data remembered per identity. */
    private readonly maxSeen = 256,
  ) {}

  /** Whether this identity withdrew the prefix (and has not registered it since). */
  withdrew(identity: string, prefix: string): boolean {
    return this.identities.get(identity)?.withdrawn.has(prefix) ?? false;
  }

  /**
   * Whether a Map-Register of this identity may be accepted. changesState: accepting it would replace
   * a different registration of the ETR, or bring back one it withdrew.
   */
  check(mode: NonceCheck, identity: string, nonce: bigint, authData: Buffer, source: string, changesState: boolean): ReplayVerdict {
    if (mode === 'off') return { ok: true };
    const id = this.identities.get(identity);
    if (!id) return { ok: true };
    const last = `0x${id.lastNonce.toString(16)}`;
    if ((mode === 'strict' || id.grew >= GROWTHS) && nonce <= id.lastNonce) {
      return { ok: false, detail: `nonce 0x${nonce.toString(16)} is not greater than ${last}, and this ETR's nonces grow (possible replay)` };
    }
    const firstFrom = id.seen.get(authData.toString('hex'));
    if (firstFrom !== undefined && firstFrom !== source) {
      return { ok: false, detail: `an earlier Map-Register of this ETR, first sent from ${firstFrom}, repeated from another address (possible replay)` };
    }
    if (firstFrom !== undefined && changesState) {
      return { ok: false, detail: 'an earlier Map-Register of this ETR, repeated; it would change the registration back (possible replay)' };
    }
    return { ok: true };
  }

  /** Records an accepted Map-Register, with the prefixes it registered and those it withdrew. */
  accept(mode: NonceCheck, identity: string, nonce: bigint, authData: Buffer, source: string, registered: readonly string[] = [], withdrawn: readonly string[] = []): void {
    if (mode === 'off') return;
    let id = this.identities.get(identity);
    if (id) this.identities.delete(identity);
    else {
      id = { lastNonce: nonce, grew: 0, seen: new Map(), withdrawn: new Set() };
      if (this.identities.size >= this.maxIdentities) this.identities.delete(this.identities.keys().next().value!);
    }
    // Most recently used last: the first one is the one to forget.
    this.identities.set(identity, id);
    if (nonce > id.lastNonce) id.grew++;
    else if (nonce < id.lastNonce || id.seen.size > 0) id.grew = 0;
    id.lastNonce = nonce;
    const key = authData.toString('hex');
    const firstFrom = id.seen.get(key) ?? source;
    id.seen.delete(key);
    id.seen.set(key, firstFrom);
    if (id.seen.size > this.maxSeen) id.seen.delete(id.seen.keys().next().value!);
    for (const p of registered) id.withdrawn.delete(p);
    for (const p of withdrawn) {
      id.withdrawn.add(p);
      if (id.withdrawn.size > this.maxSeen) id.withdrawn.delete(id.withdrawn.values().next().value!);
    }
  }

  /** Identities remembered. */
  get size(): number {
    return this.identities.size;
  }
}
