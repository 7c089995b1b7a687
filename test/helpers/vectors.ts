// Paths of the interop captures shipped in test/vectors/captures.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const capturesDir = fileURLToPath(new URL('../vectors/captures/', import.meta.url));

/** Every capture file (pcap or pcapng), sorted by name. */
export function captureFiles(): string[] {
  return readdirSync(capturesDir)
    .filter((f) => /\.pcap(ng)?$/.test(f))
    .sort()
    .map((f) => join(capturesDir, f));
}
