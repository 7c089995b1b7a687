// A failure of the ip command is a LispError ERR_LISP_SYSTEM on one line: the command and ip's
// own words, no stack trace for `loci run` to print.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { linuxRoutes } from '../../../../src/io/linux/routes.js';
import { LispError } from '../../../../src/packet/index.js';
import { requireTool } from '../../../helpers/env.js';

it('an ip command that fails throws ERR_LISP_SYSTEM with the command and what ip said, on one line', (t) => {
  if (!requireTool(t, 'ip')) return;
  assert.throws(
    () => linuxRoutes.addRule('ipv4', { from: '198.18.1.0/33', table: '4341', priority: 4341 }),
    (e: unknown) => {
      assert.ok(e instanceof LispError);
      assert.equal(e.code, 'ERR_LISP_SYSTEM');
      assert.match(e.message, /^ip -4 rule add from 198\.18\.1\.0\/33 lookup 4341 pref 4341: .*198\.18\.1\.0\/33/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    },
  );
});
