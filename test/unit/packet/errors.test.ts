import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LISP_ERROR_CODES, LispDecodeError, LispError } from '../../../src/packet/index.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^\| `(ERR_LISP_[A-Z_]+)` \|/gm)].map((m) => m[1]);

test('docs/errors.md documents exactly the codes the code can raise, in order', () => {
  assert.deepEqual(documented, [...LISP_ERROR_CODES]);
});

test('LispDecodeError is a LispError carrying code, message type and offset', () => {
  const e = new LispDecodeError('ERR_LISP_TRUNCATED', 'nonce: needs 8 bytes', 3, 4);
  assert.ok(e instanceof LispError);
  assert.equal(e.code, 'ERR_LISP_TRUNCATED');
  assert.equal(e.messageType, 3);
  assert.equal(e.offset, 4);
  assert.match(e.message, /type 3, offset 4/);
});
