import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/index.js';

const dir = fileURLToPath(new URL('../../../docs/examples/', import.meta.url));
const examples = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

test('docs/examples holds the three documented configs', () => {
  for (const f of ['xtr.yaml', 'ms-mr.yaml', 'xtr-two-mapping-systems.yaml']) assert.ok(examples.includes(f), f);
});

for (const file of examples) {
  test(`docs/examples/${file} is a valid config`, () => {
    assert.doesNotThrow(() => loadConfig(join(dir, file)));
  });
}

test('xtr-two-mapping-systems.yaml registers different prefixes to each Map-Server, each with its key', () => {
  const c = loadConfig(join(dir, 'xtr-two-mapping-systems.yaml'));
  assert.deepEqual(
    c.mapServers.map((m) => [m.address, m.keyId, m.algorithm, m.eidPrefixes]),
    [
      ['192.0.2.10', 0, 'sha256', [{ eidPrefix: '198.18.10.0/24', instanceId: 0 }]],
      ['203.0.113.10', 7, 'sha1', [{ eidPrefix: '198.18.11.0/24', instanceId: 0 }, { eidPrefix: '198.18.12.0/24', instanceId: 1000 }]],
    ],
  );
});
