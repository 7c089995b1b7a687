import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema } from '../../../src/config/schema.js';

const doc = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8');

/** Every key name the schema accepts, at any depth. */
function keysOf(schema: unknown): string[] {
  if (schema instanceof z.ZodObject) return Object.entries(schema.shape).flatMap(([k, v]) => [k, ...keysOf(v)]);
  if (schema instanceof z.ZodOptional) return keysOf(schema.unwrap());
  if (schema instanceof z.ZodArray) return keysOf(schema.element);
  if (schema instanceof z.ZodPipe) return [...keysOf(schema.in), ...keysOf(schema.out)];
  return [];
}

test('docs/config.md documents every key of the schema', () => {
  const keys = [...new Set(keysOf(configSchema))];
  assert.ok(keys.length > 30);
  const undocumented = keys.filter((k) => !new RegExp(`\\| \`([\\w.\\[\\]-]*\\.)?${k}\` \\|`).test(doc));
  assert.deepEqual(undocumented, []);
});
