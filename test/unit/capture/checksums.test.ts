// The interop captures are the bytes their README says they are: test/vectors/captures/SHA256SUMS
// lists every capture, and each file's SHA-256 matches (a capture re-saved by an editor or a
// tool, or a new capture left out of the list, fails here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { captureFiles, capturesDir } from '../../helpers/vectors.js';

test('SHA256SUMS lists every capture in test/vectors/captures, and every checksum matches', () => {
  const sums = readFileSync(join(capturesDir, 'SHA256SUMS'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^([0-9a-f]{64}) [ *](\S+)$/.exec(l);
      assert.ok(m, `SHA256SUMS line "${l}"`);
      return [m[2]!, m[1]!] as const;
    });
  assert.deepEqual(sums.map(([f]) => f).sort(), captureFiles().map((f) => basename(f)));
  for (const [file, sum] of sums) assert.equal(createHash('sha256').update(readFileSync(join(capturesDir, file))).digest('hex'), sum, file);
});
