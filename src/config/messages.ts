// The wording of schema errors: each says what was expected and what the file holds.
import { z } from 'zod';

/** How a value read from the file appears in a message. */
function show(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function mismatch(what: string, input: unknown): string {
  return input === undefined ? `missing; expected ${what}` : `expected ${what}, got ${show(input)}`;
}

/** The error option of a leaf schema whose every failure reads "expected <what>, got <value>". */
export const expecting = (what: string) => ({ error: (issue: z.core.$ZodRawIssue) => mismatch(what, issue.input) });

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

/** The parse-wide error map, for what the leaves do not word themselves. For an unknown key it gives
 *  the keys the mapping accepts; load.ts names the unknown key itself. */
export function issueText(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return mismatch(TYPE_NAMES[issue.expected] ?? issue.expected, issue.input);
    case 'invalid_value':
      return mismatch(`one of ${issue.values.join(', ')}`, issue.input);
    case 'unrecognized_keys':
      return issue.inst instanceof z.ZodObject ? `expected one of: ${Object.keys(issue.inst.shape).join(', ')}` : undefined;
    default:
      return undefined;
  }
}
