// Option value parsers shared by the subcommands.
import { isIP } from 'node:net';
import { InvalidArgumentError } from 'commander';

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`"${v}" is not a UDP port (1-65535)`);
  return n;
}

export const ipArg = (what: string) => (v: string) => {
  if (!isIP(v)) throw new InvalidArgumentError(`"${v}" is not an IPv4 or IPv6 address (${what})`);
  return v;
};

export const intArg = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`"${v}" is not an integer in ${min}..${max}`);
  return n;
};
