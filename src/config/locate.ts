// Key path -> place in the YAML text, through the document's node ranges.
import { isMap, isNode, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import { formatPath, type KeyPath } from './errors.js';

export interface Place {
  readonly path: string;
  readonly line: number;
  readonly column: number;
}

/**
 * The place of the deepest node the path reaches: a missing key is reported at its mapping, an
 * unknown key (onKey) at the key itself. A path that runs on into a scalar comes from a shorthand the
 * schema expanded ("eid-prefixes[0].eid-prefix" for a bare prefix), so the reported path stops there.
 */
export function locate(doc: Document, lines: LineCounter, path: KeyPath, onKey = false): Place {
  const start = (n: unknown) => (isNode(n) ? n.range?.[0] : undefined);
  let node: unknown = doc.contents;
  let offset = start(node) ?? 0;
  let depth = 0;
  for (const seg of path) {
    let next: unknown;
    let at: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      next = pair.value;
      at = (onKey && depth === path.length - 1 ? undefined : start(next)) ?? start(pair.key);
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      next = node.items[seg];
      at = start(next);
    } else break;
    node = next;
    offset = at ?? offset;
    depth++;
  }
  const { line, col } = lines.linePos(offset);
  return { path: formatPath(isScalar(node) ? path.slice(0, depth) : path), line, column: col };
}
