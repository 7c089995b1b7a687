// The main thread's side of the workers' replica. It turns the Map-Server's events into replica
// updates and applies the refreshes the workers verified:
//
//   - an accepted Map-Register gets a token, and the workers may take its repetitions (same ETR,
//     same fingerprint, packet/map-register-view.ts) as refreshes; a changed one from the same ETR revokes the
//     tokens it overlaps, as does an expiry. Sites that check nonces get no tokens.
//   - each registered prefix goes to the workers with its proxy-reply template (replies.ts), again
//     when it or a more-specific changes, and is withdrawn when its last ETR expires.
//   - a refresh goes through the Map-Server's replay guard (its nonce and authentication data are
//     recorded, or it is refused as a replay), then extends the registration only while it still
//     holds the token's records; a stale token is revoked, so the next Map-Register of that ETR
//     comes to the main thread.
//
// Updates collect until the event loop turns (setImmediate) and go to every worker in one post.
import { EidTable, formatPrefix, type EidPrefix } from '../table/index.js';
import { ALGORITHM_ID, type MapRegister } from '../packet/index.js';
import { fingerprintOf } from '../packet/map-register-view.js';
import type { MapServer, MapServerEvent } from '../core/roles/map-server.js';
import type { SiteSpec } from '../core/roles/sites.js';
import type { Refresh, ReplicaUpdate } from './protocol.js';
import { proxyReplyTemplate } from './replies.js';

interface Token {
  /** What the workers were sent for it (sent again to a restarted worker). */
  readonly accept: Extract<ReplicaUpdate, { op: 'accept' }>;
  readonly id: string;
  readonly site: SiteSpec;
  readonly fingerprint: string;
  /** The Map-Register the Map-Server stored last under this fingerprint: its records are in the registrations. */
  register: MapRegister;
  prefixes: EidPrefix[];
}

export class ReplicaSync {
  private nextToken = 1;
  private readonly tokens = new Map<number, Token>();
  private readonly byFingerprint = new Map<string, number>();
  /** By ETR id and prefix: the tokens whose Map-Register has that ETR register that prefix. */
  private readonly byEtrPrefix = new Map<string, Set<number>>();
  /** What the workers hold: every registered prefix and its proxy-reply template. */
  private readonly replicated = new EidTable<Buffer | null>();
  private readonly dirty = new Map<string, EidPrefix>();
  private pending: ReplicaUpdate[] = [];
  private scheduled = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ms: MapServer,
    private readonly post: (updates: ReplicaUpdate[]) => void,
  ) {
    this.unsubscribe = ms.subscribe((e) => this.onEvent(e));
  }

  stop(): void {
    this.unsubscribe();
  }

  /** Applies refreshes the workers verified. */
  refresh(refreshes: readonly Refresh[]): void {
    for (const r of refreshes) {
      const t = this.tokens.get(r.token);
      if (!t) continue;
      const extended = this.ms.refresh(t.register, t.id, t.prefixes, r.nonce, Buffer.from(r.authData), { address: r.address, port: r.port });
      // A replay the guard refused leaves the token to its ETR; a refresh of records no longer held revokes it.
      if (extended !== undefined && extended < t.prefixes.length) this.revoke(r.token);
    }
  }

  /** After sites changed (a reload): revokes the tokens of every site that changed or went. */
  private sitesChanged(): void {
    for (const [token, t] of this.tokens) {
      if (t.prefixes.some((p) => this.ms.sites.siteFor(p) !== t.site)) this.revoke(token);
    }
  }

  /**
   * Everything the workers hold, as updates for an empty replica (a restarted worker). Call flush()
   * first: what is still pending is not in it.
   */
  snapshot(): ReplicaUpdate[] {
    const updates: ReplicaUpdate[] = [...this.tokens.values()].map((t) => t.accept);
    for (const e of this.replicated.entries()) updates.push({ op: 'prefix', prefix: e.prefix, reply: e.value });
    return updates;
  }

  /** Sends what collected since the last flush (called by itself once the event loop turns). */
  flush(): void {
    this.scheduled = false;
    const affected = new Map<string, EidPrefix>();
    for (const p of this.dirty.values()) {
      affected.set(formatPrefix(p), p);
      for (const c of this.replicated.lessSpecifics(p)) affected.set(formatPrefix(c.prefix), c.prefix);
    }
    this.dirty.clear();
    for (const p of affected.values()) this.update(p);
    if (this.pending.length === 0) return;
    const updates = this.pending;
    this.pending = [];
    this.post(updates);
  }

  private onEvent(e: MapServerEvent): void {
    if (e.type === 'sites') return this.sitesChanged();
    if (e.type === 'expired') {
      this.revokeOverlapping(e.id, [e.prefix]);
      return this.markDirty(e.prefix);
    }
    for (const p of e.prefixes) this.markDirty(p);
    const fingerprint = fingerprintOf(e.bytes);
    const key = `${e.id}|${fingerprint.toString('hex')}`;
    const same = this.byFingerprint.get(key);
    const t = same === undefined ? undefined : this.tokens.get(same);
    if (t && t.site === e.site) {
      t.register = e.register;
      t.prefixes = e.prefixes;
      return;
    }
    this.revokeOverlapping(e.id, e.prefixes);
    if (!e.refreshable) return;
    const token = this.nextToken++;
    const accept = { op: 'accept', token, id: e.id, fingerprint, key: e.key.key, algorithmId: ALGORITHM_ID[e.key.algorithm], truncated: e.key.truncated ?? false } as const;
    this.tokens.set(token, { accept, id: e.id, site: e.site, fingerprint: key, register: e.register, prefixes: e.prefixes });
    this.byFingerprint.set(key, token);
    for (const p of e.prefixes) {
      const k = etrPrefixKey(e.id, p);
      this.byEtrPrefix.set(k, (this.byEtrPrefix.get(k) ?? new Set()).add(token));
    }
    this.queue(accept);
  }

  /** Sends the prefix's current state if it differs from what the workers hold. */
  private update(p: EidPrefix): void {
    if (!this.ms.registration(p)) {
      if (this.replicated.delete(p)) this.queue({ op: 'unregister', prefix: p });
      return;
    }
    const res = this.ms.resolve(p);
    const reply = res.kind === 'registered' ? proxyReplyTemplate(res.registrations) : null;
    const held = this.replicated.get(p);
    if (held !== undefined && (held === null ? reply === null : reply !== null && held.equals(reply))) return;
    this.replicated.set(p, reply);
    this.queue({ op: 'prefix', prefix: p, reply });
  }

  private revokeOverlapping(id: string, prefixes: readonly EidPrefix[]): void {
    for (const p of prefixes) for (const token of this.byEtrPrefix.get(etrPrefixKey(id, p)) ?? []) this.revoke(token);
  }

  private revoke(token: number): void {
    const t = this.tokens.get(token);
    if (!t) return;
    this.tokens.delete(token);
    this.byFingerprint.delete(t.fingerprint);
    for (const p of t.prefixes) {
      const k = etrPrefixKey(t.id, p);
      const tokens = this.byEtrPrefix.get(k)!;
      tokens.delete(token);
      if (tokens.size === 0) this.byEtrPrefix.delete(k);
    }
    this.queue({ op: 'revoke', token });
  }

  private markDirty(p: EidPrefix): void {
    this.dirty.set(formatPrefix(p), p);
    this.schedule();
  }

  private queue(u: ReplicaUpdate): void {
    this.pending.push(u);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }
}

const etrPrefixKey = (id: string, p: EidPrefix): string => `${id}|${formatPrefix(p)}`;
