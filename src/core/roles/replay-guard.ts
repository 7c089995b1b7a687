// Replay protection for Map-Registers (RFC 9301 section 5.6: the nonce may be a monotonic counter
// or a timestamp). Map-Registers carry no timestamp, and deployed ETRs send nonces three ways:
// growing (Loci: wall time << 16, then +1), random (OOR, Cisco IOS-XE), fixed or 0 (lispers.net,
// LISPmob, NX-OS). So, per ETR identity (site, Key ID and xTR-ID; without an xTR-ID, the site and
// Key ID: never the source address, which an attacker chooses):
//   strict: the nonce must grow (only for ETRs whose nonces do: Loci's);
//   auto (the default): once an identity's nonce has grown in GROWTHS registrations in a row, it
//     must keep growing; and whatever its nonces, a Map-Register it already sent (the same
//     authentication data) is refused when it would change what is registered: a replay can
//     repeat the current state, never roll it back;
//   off: nothing is checked.
// Only authenticated Map-Registers reach the guard, and the identities it remembers are bounded.

export type NonceCheck = 'strict' | 'auto' | 'off';

/** Registrations in a row with a growing nonce after which an identity's nonce must keep growing (auto). */
const GROWTHS = 3;

interface Identity {
  lastNonce: bigint;
  grew: number;
  /** Authentication data (hex) of the last Map-Registers accepted, oldest first. */
  seen: Set<string>;
}

export type ReplayVerdict = { ok: true } | { ok: false; detail: string };

export class ReplayGuard {
  private readonly identities = new Map<string, Identity>();

  constructor(
    private readonly maxIdentities = 100_000,
    /** Authentication data remembered per identity. */
    private readonly maxSeen = 256,
  ) {}

  /**
   * Whether a Map-Register of this identity may be accepted. changesState: accepting it would change
   * what is registered (not a plain repetition of the identity's current registrations).
   */
  check(mode: NonceCheck, identity: string, nonce: bigint, authData: Buffer, changesState: boolean): ReplayVerdict {
    if (mode === 'off') return { ok: true };
    const id = this.identities.get(identity);
    if (!id) return { ok: true };
    const last = `0x${id.lastNonce.toString(16)}`;
    if ((mode === 'strict' || id.grew >= GROWTHS) && nonce <= id.lastNonce) {
      return { ok: false, detail: `nonce 0x${nonce.toString(16)} is not greater than ${last}, and this ETR's nonces grow (possible replay)` };
    }
    if (changesState && id.seen.has(authData.toString('hex'))) {
      return { ok: false, detail: 'an earlier Map-Register of this ETR, repeated; it would change the registration back (possible replay)' };
    }
    return { ok: true };
  }

  /** Records an accepted Map-Register. */
  accept(mode: NonceCheck, identity: string, nonce: bigint, authData: Buffer): void {
    if (mode === 'off') return;
    let id = this.identities.get(identity);
    if (id) this.identities.delete(identity);
    else {
      id = { lastNonce: nonce, grew: 0, seen: new Set() };
      if (this.identities.size >= this.maxIdentities) this.identities.delete(this.identities.keys().next().value!);
    }
    // Most recently used last: the first one is the one to forget.
    this.identities.set(identity, id);
    if (nonce > id.lastNonce) id.grew++;
    else if (nonce < id.lastNonce || id.seen.size > 0) id.grew = 0;
    id.lastNonce = nonce;
    const key = authData.toString('hex');
    id.seen.delete(key);
    id.seen.add(key);
    if (id.seen.size > this.maxSeen) id.seen.delete(id.seen.values().next().value!);
  }

  /** Identities remembered. */
  get size(): number {
    return this.identities.size;
  }
}
