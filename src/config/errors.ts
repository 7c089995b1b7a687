// ConfigError: every problem found in a config file, each with the file, key path, line and column.
import { LispError } from '../packet/errors.js';

export type KeyPath = readonly PropertyKey[];

export interface ConfigProblem {
  readonly file: string;
  /** Key path in the file, e.g. "sites[0].eid-prefixes[1].eid-prefix"; "" for the file as a whole. */
  readonly path: string;
  /** 1-based; 0 when the problem has no place in the text (the file cannot be read). */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export function formatPath(path: KeyPath): string {
  return path.reduce<string>((out, seg) => {
    if (typeof seg === 'number') return `${out}[${seg}]`;
    return out ? `${out}.${String(seg)}` : String(seg);
  }, '');
}

/** "file:line:column: path: message", the form editors and terminals link to the place. */
function formatProblem(p: ConfigProblem): string {
  const at = p.line > 0 ? `:${p.line}:${p.column}` : '';
  return `${p.file}${at}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

export class ConfigError extends LispError {
  readonly problems: readonly ConfigProblem[];
  constructor(file: string, problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((p) => `  ${formatProblem(p)}`);
    super('ERR_LISP_CONFIG', [`invalid config ${file} (${count}):`, ...lines].join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
