// Links on Linux through the ip command (set-up, not the packet path): settings and addresses,
// what kind of link carries a name, deleting one. Failures are ip.ts's one-line LispErrors.
import { LispError } from '../../packet/errors.js';
import type { LinkInfo, LinkSettings } from '../host.js';
import { ip, ipJson } from './ip.js';

export function configureLink(name: string, settings: LinkSettings): void {
  const link: string[] = [];
  if (settings.mtu !== undefined) link.push('mtu', String(settings.mtu));
  if (settings.txqueuelen !== undefined) link.push('txqueuelen', String(settings.txqueuelen));
  if (link.length) ip(['link', 'set', 'dev', name, ...link]);
  for (const a of settings.addresses ?? []) ip(['addr', 'replace', a, 'dev', name, ...(a.includes(':') ? ['nodad'] : [])]);
  if (settings.up !== undefined) ip(['link', 'set', 'dev', name, settings.up ? 'up' : 'down']);
}

/** The link of that name in this network namespace, undefined when there is none. */
export function linkInfo(name: string): LinkInfo | undefined {
  let links: Record<string, unknown>[];
  try {
    links = ipJson(['-d', 'link', 'show', 'dev', name]);
  } catch (e) {
    if (e instanceof LispError && /does not exist/.test(e.message)) return undefined;
    throw e;
  }
  if (!links[0]) return undefined;
  const info = links[0].linkinfo as { info_kind?: string; info_data?: { type?: string; persist?: boolean } } | undefined;
  return {
    kind: info?.info_kind,
    ...(info?.info_data?.type !== undefined ? { tunType: info.info_data.type } : {}),
    ...(info?.info_data?.persist !== undefined ? { persist: info.info_data.persist } : {}),
  };
}

/** `ip link del NAME`. */
export function deleteLink(name: string): void {
  ip(['link', 'del', 'dev', name]);
}
