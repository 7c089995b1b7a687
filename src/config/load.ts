// Config file -> typed config, in passes: YAML syntax, schema (schema.ts), kebab-case to camelCase
// (case.ts), defaults (defaults.ts), cross-field checks (checks.ts). A pass runs only when the one
// before it found nothing, and reports everything it finds in one ConfigError.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { camelKeys } from './case.js';
import { checkConfig } from './checks.js';
import { applyDefaults } from './defaults.js';
import { ConfigError, type ConfigProblem, type KeyPath } from './errors.js';
import { locate } from './locate.js';
import { issueText } from './messages.js';
import { configSchema } from './schema.js';
import type { LociConfig } from './types.js';

export function loadConfig(path: string): LociConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const message = `cannot read the file: ${(e as Error).message}`;
    throw new ConfigError(path, [{ file: path, path: '', line: 0, column: 0, message }]);
  }
  return parseConfig(text, path);
}

export function parseConfig(text: string, fileName: string): LociConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const fail = (problems: ConfigProblem[]) =>
    new ConfigError(fileName, problems.sort((a, b) => a.line - b.line || a.column - b.column));

  if (doc.errors.length > 0) {
    throw fail(doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { file: fileName, path: '', line, column: col, message: `YAML syntax: ${syntaxMessage(e.message)}` };
    }));
  }
  const problem = (path: KeyPath, message: string, onKey = false): ConfigProblem => ({
    file: fileName,
    ...locate(doc, lines, path, onKey),
    message,
  });

  const parsed = configSchema.safeParse(doc.toJS(), { error: issueText });
  if (!parsed.success) throw fail(parsed.error.issues.flatMap((issue) => schemaProblems(issue, problem)));

  const config = applyDefaults(camelKeys(parsed.data));
  const issues = checkConfig(config);
  if (issues.length > 0) throw fail(issues.map((i) => problem(i.path, i.message)));
  return config;
}

/** One problem per unknown key, placed at the key; one per other issue. */
function schemaProblems(issue: z.core.$ZodIssue, problem: (path: KeyPath, message: string, onKey?: boolean) => ConfigProblem) {
  if (issue.code !== 'unrecognized_keys') return [problem(issue.path, issue.message)];
  return issue.keys.map((key) => problem([...issue.path, key], `unknown key "${key}"; ${issue.message}`, true));
}

/** yaml's message without the "at line L, column C:" and source excerpt it appends to some. */
function syntaxMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
