// Option value parsers shared by the subcommands.
import { InvalidArgumentError } from 'commander';

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`"${v}" is not a UDP port (1-65535)`);
  return n;
}
