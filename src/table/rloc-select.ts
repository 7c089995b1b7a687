// RLOC selection (RFC 9300 sections 9 and 12, RFC 9301 section 5.4): the usable locators are those
// up, of priority below 255 and of a family the underlay can reach; the lowest priority value among
// them wins, and its locators share the flows by weight. A flow hash picks the locator, so a flow
// stays on one RLOC while the locator-set stays the same.
//
// The split is computed over the whole winning priority, down locators included; a flow whose share
// falls on a down locator is re-hashed over the up ones. So when a locator goes down only its own
// flows move, and the up locators still share the traffic in proportion to their weights.
import type { Locator, UnderlayFamily } from './locator.js';

export interface SelectionOptions {
  /** Underlay families this node can send on (default: both). */
  readonly families?: ReadonlySet<UnderlayFamily>;
}

export class RlocSelection<L extends Locator = Locator> {
  static readonly EMPTY = new RlocSelection<never>([]);

  /** Locators of the winning priority, up and down, and their cumulative weights. */
  private readonly group: L[];
  private readonly cumulative: number[];
  private readonly up: L[];
  private readonly upCumulative: number[];

  constructor(locators: readonly L[], options: SelectionOptions = {}) {
    const usable = locators.filter((l) => l.priority < 255 && (options.families?.has(l.family) ?? true));
    const best = Math.min(...usable.filter((l) => l.state === 'up').map((l) => l.priority));
    this.group = usable.filter((l) => l.priority === best);
    this.up = this.group.filter((l) => l.state === 'up');
    this.cumulative = cumulativeWeights(this.group);
    this.upCumulative = cumulativeWeights(this.up);
  }

  /** Number of locators that can be picked. */
  get size(): number {
    return this.up.length;
  }

  /** The locator for a flow hash (a 32-bit integer), or undefined if no locator is usable. */
  pick(hash: number): L | undefined {
    const up = this.up;
    if (up.length === 0) return undefined;
    const h = hash >>> 0;
    const group = this.group;
    const chosen = group[indexOf(this.cumulative, h)]!;
    if (chosen.state === 'up') return chosen;
    return up[indexOf(this.upCumulative, remix(h))];
  }
}

/** Running sums of the weights; all weights 0 (or all equal) means an even split (RFC 9301 section 5.4). */
function cumulativeWeights(locators: readonly Locator[]): number[] {
  const even = locators.every((l) => l.weight === 0);
  let sum = 0;
  return locators.map((l) => (sum += even ? 1 : l.weight));
}

/** Index of the locator whose share holds hash (taken modulo the total weight). */
function indexOf(cumulative: readonly number[], hash: number): number {
  const point = hash % cumulative[cumulative.length - 1]!;
  let i = 0;
  while (cumulative[i]! <= point) i++;
  return i;
}

/** A second hash of a flow, independent of the first, for re-hashing over the up locators. */
function remix(h: number): number {
  h = Math.imul(h ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
