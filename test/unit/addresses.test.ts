// Each file binds loopback addresses only from its own block (test/helpers/addresses.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOOPBACK_BLOCKS } from '../helpers/addresses.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.(ts|mjs)$/.test(e.name) ? [join(dir, e.name)] : []));

const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0) >>> 0;
function inBlock(address: string, block: string): boolean {
  const [base = '', len = '32'] = block.split('/');
  const mask = Number(len) === 0 ? 0 : (~0 << (32 - Number(len))) >>> 0;
  return ((toInt(address) & mask) >>> 0) === ((toInt(base) & mask) >>> 0);
}

/** The 127.x.y.z addresses written in a file, as text or as an escaped regular expression. */
const loopbackIn = (text: string) => [...text.matchAll(/\b127(?:\\?\.\d{1,3}){3}\b/g)].map((m) => m[0].replaceAll('\\', ''));

test('every loopback address in test/ and bench/ lies in the block of its file', () => {
  const files = [...walk(join(repo, 'test')), ...walk(join(repo, 'bench'))].map((f) => relative(repo, f)).filter((f) => f !== 'test/helpers/addresses.ts' && f !== 'test/unit/addresses.test.ts');
  const outside: string[] = [];
  for (const file of files) {
    const found = loopbackIn(readFileSync(join(repo, file), 'utf8'));
    if (found.length === 0) continue;
    const block = LOOPBACK_BLOCKS[file];
    if (block === 'netns') continue;
    for (const a of new Set(found)) if (block === undefined || !inBlock(a, block)) outside.push(`${file}: ${a} (block ${block ?? 'none: add one to test/helpers/addresses.ts'})`);
  }
  assert.deepEqual(outside, []);
  assert.ok(files.some((f) => loopbackIn(readFileSync(join(repo, f), 'utf8')).length > 0), 'the scan finds addresses at all');
});

test('no two files share a block', () => {
  const blocks = Object.entries(LOOPBACK_BLOCKS).filter(([, b]) => b !== 'netns');
  for (const [i, [fa, a]] of blocks.entries()) {
    for (const [fb, b] of blocks.slice(i + 1)) {
      const base = (x: string) => x.split('/')[0]!;
      assert.ok(!inBlock(base(a), b) && !inBlock(base(b), a), `${fa} (${a}) and ${fb} (${b}) overlap`);
    }
  }
  assert.equal(inBlock('127.0.4.250', '127.0.4.0/24'), true);
  assert.equal(inBlock('127.0.5.1', '127.0.4.0/24'), false);
});
