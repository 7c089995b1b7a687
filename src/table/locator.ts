// Routing locators (RLOCs) of a mapping, as the RLOC-records of RFC 9301 section 5.4 carry them.

export type UnderlayFamily = 'ipv4' | 'ipv6';

export interface Locator {
  /** '192.0.2.1' or '2001:db8::1'. */
  readonly address: string;
  readonly family: UnderlayFamily;
  /** Unicast priority: lower is preferred; 255 means never for unicast. */
  readonly priority: number;
  /** Unicast weight: relative share of traffic among the locators of one priority. */
  readonly weight: number;
  /** Reachability (R-bit, RLOC-probing, ...); a down locator is treated like priority 255 (RFC 9301 section 7). */
  readonly state: 'up' | 'down';
}

/** The locators with the state of those at `address` replaced, or undefined if none changes. */
export function withLocatorState(
  locators: readonly Locator[],
  address: string,
  state: Locator['state'],
): readonly Locator[] | undefined {
  if (!locators.some((l) => l.address === address && l.state !== state)) return undefined;
  return locators.map((l) => (l.address === address ? { ...l, state } : l));
}
