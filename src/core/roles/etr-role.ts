// The ETR role: its database answers Map-Requests for our EIDs (the first link of the chain), its
// Registrar registers them and takes Map-Notifies, and it withdraws them on a clean stop.
import type { RoleFactory } from '../role.js';
import type { EidPrefix, Locator } from '../../table/index.js';
import { Etr, type MapServerPeer } from './etr.js';

export interface EtrRoleOptions {
  mapServers: MapServerPeer[];
  /** The node's EID-prefixes at start (the database changes later through the API or a reload). */
  database?: readonly { eid: EidPrefix; locators: readonly Locator[] }[];
  registerIntervalMs?: number;
  recordTtlMinutes?: number;
  /** The xTR-ID and site-ID its Map-Registers carry (none when undefined). */
  xtrId?: bigint;
  siteId?: bigint;
}

const timingOf = (o: EtrRoleOptions) => ({
  registerIntervalMs: o.registerIntervalMs ?? 60_000,
  recordTtlMinutes: o.recordTtlMinutes ?? 1440,
  ...(o.xtrId !== undefined ? { xtrId: o.xtrId, siteId: o.siteId ?? 0n } : {}),
});

export const etr =
  (o: EtrRoleOptions): RoleFactory =>
  (c) => {
    const e = new Etr({
      database: c.database,
      clock: c.clock,
      counters: c.counters,
      mapServers: o.mapServers,
      ...timingOf(o),
      controlPort: c.controlPort,
      send: (data, to) => c.send(data, to),
      localAddresses: () => c.localAddresses(),
      ...(c.log ? { log: c.log } : {}),
    });
    for (const m of o.database ?? []) c.database.set(m.eid, m.locators);
    return {
      role: 'etr',
      handlers: { 'map-notify': (m, inbound) => void e.registrar.handleNotify(inbound.data, m, inbound.from) },
      requestLinks: [
        {
          order: 10,
          name: 'database',
          handle: (ctx) => {
            const own = e.answer(ctx.request, ctx.arrivedOn.local.address, ctx.replyTo.address);
            if (!own) return false;
            ctx.reply(own);
            return true;
          },
        },
      ],
      capabilities: { database: c.database, registration: e.registrar },
      start: () => e.start(),
      stop: ({ withdraw }) => {
        if (withdraw) e.registrar.withdraw();
        e.stop();
      },
      // The database changes through the operations (its own events); here the Map-Servers and the timing.
      reconfigure: (next: EtrRoleOptions) => e.registrar.configure({ mapServers: next.mapServers, ...timingOf(next) }),
    };
  };
