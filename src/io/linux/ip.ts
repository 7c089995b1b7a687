// The ip command (iproute2), for set-up only: links, addresses, rules and routes. Every failure is
// a LispError ERR_LISP_SYSTEM whose message is the command and ip's own words, on one line.
import { execFileSync } from 'node:child_process';
import { LispError } from '../../packet/errors.js';

/** `ip ARGS`: what it printed. */
export function ip(args: readonly string[]): string {
  try {
    return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10_000 });
  } catch (err) {
    const e = err as { stderr?: string; code?: string; message?: string };
    // ip's own words, on one line ("RTNETLINK answers: File exists"), else why it did not run.
    const why = e.stderr?.trim().replace(/\s*\n\s*/g, '; ') || e.code || e.message || 'failed';
    throw new LispError('ERR_LISP_SYSTEM', `ip ${args.join(' ')}: ${why}`, { cause: err });
  }
}

/** `ip -j ARGS`, parsed; a table that does not exist, or a family the kernel does not have, lists nothing. */
export function ipJson(args: readonly string[]): Record<string, unknown>[] {
  let out: string;
  try {
    out = ip(['-j', ...args]);
  } catch (e) {
    if (e instanceof LispError && /FIB table does not exist|Address family not supported/.test(e.message)) return [];
    throw e;
  }
  if (out.trim() === '') return [];
  try {
    const parsed: unknown = JSON.parse(out);
    return Array.isArray(parsed) ? (parsed as Record<string, unknown>[]) : [];
  } catch {
    throw new LispError('ERR_LISP_SYSTEM', `ip -j ${args.join(' ')} printed what is not JSON`);
  }
}
