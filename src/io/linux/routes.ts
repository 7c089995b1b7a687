// Routes and policy rules a node installs and removes on exit, through the ip command (setup, not
// the packet path). Each change is recorded with its inverse, so remove() takes away exactly what
// this set added and nothing else (LISPmob's way: steer EID traffic into the TUN device with
// source rules, leave every other route alone).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export type IpFamily = 'ipv4' | 'ipv6';

export class RouteSet {
  private readonly undo: string[][] = [];

  /** `ip [-6] rule add ARGS`, undone by `ip [-6] rule del ARGS`. */
  rule(family: IpFamily, args: string[]): void {
    this.apply(family, 'rule', args);
  }

  /** `ip [-6] route add ARGS`, undone by `ip [-6] route del ARGS`. */
  route(family: IpFamily, args: string[]): void {
    this.apply(family, 'route', args);
  }

  /** Removes what this set added, newest first; failures (already gone) are ignored. */
  remove(): void {
    for (const args of this.undo.splice(0).reverse()) {
      try {
        ip(args);
      } catch {
        // Gone already (the device went away with its routes).
      }
    }
  }

  private apply(family: IpFamily, what: 'rule' | 'route', args: string[]): void {
    const f = family === 'ipv6' ? ['-6'] : ['-4'];
    ip([...f, what, 'add', ...args]);
    this.undo.push([...f, what, 'del', ...args]);
  }
}

/** Sets a sysctl, e.g. setSysctl('net/ipv4/conf/loci0/rp_filter', '0'). */
export function setSysctl(path: string, value: string): void {
  writeFileSync(`/proc/sys/${path}`, value);
}

function ip(args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`ip ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, { cause: err });
  }
}
