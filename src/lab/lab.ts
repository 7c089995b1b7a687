// A network-namespace lab for end-to-end tests and `loci demo`. Every namespace is
// named `l<id>-<name>` from one random run id; veth ends are created directly inside
// the lab's namespaces, so no name ever appears in the root namespace. Cleanup kills
// only the processes this lab spawned and deletes only the namespaces it added
// (their veths go with them). All commands run through execFile with argv arrays.
import { execFile, execFileSync, spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { isIP } from 'node:net';
import { constants } from 'node:os';

export interface LabOptions {
  /** How long destroy() waits after SIGTERM before SIGKILL; default 2000. */
  graceMs?: number;
}

export interface NamespaceOptions {
  /** Turns on IPv4 and IPv6 forwarding. */
  router?: boolean;
  /** false turns reverse-path filtering off (all and default). Left as the kernel has it otherwise. */
  rpFilter?: boolean;
  /** Routes over a link that lost its carrier are not used (IPv4 and IPv6), so a route of higher metric takes over. */
  ignoreLinkdownRoutes?: boolean;
}

export interface RouteTarget {
  via?: string;
  dev?: string;
  /** Routing table id; main when absent. */
  table?: number;
  metric?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status; 128 + signal number when killed by a signal. */
  code: number;
  timedOut: boolean;
}

export interface SpawnOptions {
  /** Added to process.env. */
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended to this file; otherwise they are pipes the caller must read. */
  logFile?: string;
}

type Cleanup = () => void | Promise<void>;

const NAME = /^[a-z0-9][a-z0-9-]{0,23}$/;
const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

const usedIds = new Set<string>();
const liveLabs = new Set<Lab>();
let processHooked = false;

/** Once per process: clean up live labs on exit (synchronously) and on SIGINT/SIGTERM. */
function hookProcess(): void {
  if (processHooked) return;
  processHooked = true;
  process.on('exit', () => {
    for (const lab of liveLabs) lab.destroySync();
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      void Promise.allSettled([...liveLabs].map((lab) => lab.destroy())).then(() => {
        // Alone on this signal: restore the default action and re-raise it, so the process ends as it would have.
        if (process.listenerCount(sig) === 1) {
          process.removeListener(sig, onSignal);
          process.kill(process.pid, sig);
        }
      });
    };
    process.on(sig, onSignal);
  }
}

function ip(args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

function checkIfname(ifname: string): void {
  if (!IFNAME.test(ifname)) throw new Error(`bad interface name "${ifname}" (1-15 of A-Z a-z 0-9 _ . -)`);
}

/** Splits and checks "addr/len"; returns the address family (4 or 6). */
function cidrFamily(cidr: string): 4 | 6 {
  const [addr = '', len, extra] = cidr.split('/');
  const family = isIP(addr);
  const bits = Number(len);
  if (family === 0 || extra !== undefined || !/^\d{1,3}$/.test(len ?? '') || bits > (family === 4 ? 32 : 128)) {
    throw new Error(`bad CIDR "${cidr}"`);
  }
  return family as 4 | 6;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined || exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

export class Lab {
  /** short name -> system name, in creation order. */
  private readonly netns = new Map<string, string>();
  private readonly children = new Set<ChildProcess>();
  private readonly cleanups: Cleanup[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private destroying: Promise<void> | undefined;

  private constructor(
    readonly tag: string,
    readonly id: string,
    private readonly graceMs: number,
  ) {}

  /** A lab with a run id unused in this process and by any namespace on the machine. */
  static async create(tag: string, opts: LabOptions = {}): Promise<Lab> {
    if (!NAME.test(tag)) throw new Error(`bad lab tag "${tag}"`);
    const existing = (await ip(['netns', 'list'])).split('\n').map((line) => line.split(' ')[0] ?? '');
    for (;;) {
      const id = (randomBytes(4).readUInt32BE() % 36 ** 4).toString(36).padStart(4, '0');
      const prefix = `l${id}-`;
      if (usedIds.has(id) || existing.some((ns) => ns.startsWith(prefix))) continue;
      usedIds.add(id);
      hookProcess();
      const lab = new Lab(tag, id, opts.graceMs ?? 2000);
      liveLabs.add(lab);
      return lab;
    }
  }

  /** System names of the namespaces this lab made. */
  get namespaces(): string[] {
    return [...this.netns.values()];
  }

  /** PIDs of the processes it started (spawn, and exec while it runs) still running. */
  get pids(): number[] {
    return [...this.children].flatMap((c) => (c.pid === undefined || exited(c) ? [] : [c.pid]));
  }

  /** The system name of one of this lab's namespaces, given its short or system name. */
  nsName(ns: string): string {
    const full = this.netns.get(ns);
    if (full !== undefined) return full;
    if ([...this.netns.values()].includes(ns)) return ns;
    throw new Error(`lab ${this.tag}/${this.id}: no namespace "${ns}"`);
  }

  /** Runs fn at destroy(), before processes are stopped (last registered, first run). */
  onCleanup(fn: Cleanup): void {
    this.cleanups.push(fn);
  }

  /** Creates namespace `l<id>-<name>` with lo up; returns its system name. */
  async namespace(name: string, opts: NamespaceOptions = {}): Promise<string> {
    if (!NAME.test(name)) throw new Error(`bad namespace name "${name}" (1-24 of a-z 0-9 -)`);
    if (this.netns.has(name)) throw new Error(`lab ${this.tag}/${this.id}: namespace "${name}" exists`);
    const full = `l${this.id}-${name}`;
    return this.track(async () => {
      await ip(['netns', 'add', full]);
      this.netns.set(name, full);
      // DAD off so that link-local and global IPv6 addresses are usable at once.
      const sysctls = ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'];
      if (opts.router) sysctls.push('net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1');
      if (opts.rpFilter === false) sysctls.push('net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0');
      if (opts.ignoreLinkdownRoutes) sysctls.push('net.ipv4.conf.all.ignore_routes_with_linkdown=1', 'net.ipv6.conf.all.ignore_routes_with_linkdown=1');
      await Promise.all([
        ip(['-n', full, 'link', 'set', 'lo', 'up']),
        ip(['netns', 'exec', full, 'sysctl', '-q', '-w', ...sysctls]),
      ]);
      return full;
    });
  }

  /** A veth pair: ifA in nsA, ifB in nsB, both up. */
  async link(nsA: string, ifA: string, nsB: string, ifB: string, opts: { mtu?: number } = {}): Promise<void> {
    checkIfname(ifA);
    checkIfname(ifB);
    const [a, b] = [this.nsName(nsA), this.nsName(nsB)];
    const mtu = opts.mtu === undefined ? [] : ['mtu', String(opts.mtu)];
    await this.track(async () => {
      await ip(['-n', a, 'link', 'add', ifA, ...mtu, 'type', 'veth', 'peer', 'name', ifB, ...mtu, 'netns', b]);
      await Promise.all([ip(['-n', a, 'link', 'set', ifA, 'up']), ip(['-n', b, 'link', 'set', ifB, 'up'])]);
    });
  }

  /** Adds an IPv4 or IPv6 address ("addr/len"); IPv6 ones skip DAD. */
  async address(ns: string, ifname: string, cidr: string): Promise<void> {
    checkIfname(ifname);
    const family = cidrFamily(cidr);
    const full = this.nsName(ns);
    await this.track(() => ip(['-n', full, `-${family}`, 'addr', 'add', cidr, 'dev', ifname, ...(family === 6 ? ['nodad'] : [])]));
  }

  /** Adds a route to dst ("default", "addr/len" or an address) via a gateway and/or out of a device. */
  async route(ns: string, dst: string, to: RouteTarget): Promise<void> {
    const full = this.nsName(ns);
    if (to.via === undefined && to.dev === undefined) throw new Error('route needs via or dev');
    if (to.via !== undefined && isIP(to.via) === 0) throw new Error(`bad gateway "${to.via}"`);
    if (to.dev !== undefined) checkIfname(to.dev);
    const dstFamily = dst === 'default' ? 0 : dst.includes('/') ? cidrFamily(dst) : isIP(dst);
    if (dst !== 'default' && dstFamily === 0) throw new Error(`bad route destination "${dst}"`);
    const family = dstFamily || (to.via === undefined ? 0 : isIP(to.via));
    if (family === 0) throw new Error('a default route out of a device needs a family: use 0.0.0.0/0 or ::/0');
    const args = ['-n', full, `-${family}`, 'route', 'add', dst];
    if (to.via !== undefined) args.push('via', to.via);
    if (to.dev !== undefined) args.push('dev', to.dev);
    if (to.table !== undefined) args.push('table', String(to.table));
    if (to.metric !== undefined) args.push('metric', String(to.metric));
    await this.track(() => ip(args));
  }

  /** A policy rule: packets from `from` (address or CIDR) look up `table`. */
  async rule(ns: string, rule: { from: string; table: number; priority?: number }): Promise<void> {
    const full = this.nsName(ns);
    const family = rule.from.includes('/') ? cidrFamily(rule.from) : isIP(rule.from);
    if (family === 0) throw new Error(`bad rule source "${rule.from}"`);
    const args = ['-n', full, `-${family}`, 'rule', 'add', 'from', rule.from, 'table', String(rule.table)];
    if (rule.priority !== undefined) args.push('priority', String(rule.priority));
    await this.track(() => ip(args));
  }

  async setLink(ns: string, ifname: string, state: 'up' | 'down'): Promise<void> {
    checkIfname(ifname);
    const full = this.nsName(ns);
    await this.track(() => ip(['-n', full, 'link', 'set', ifname, state]));
  }

  /** Runs argv in the namespace; a non-zero exit is a result, not an error. destroy() stops it if it still runs. */
  exec(ns: string, argv: string[], opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    this.checkLive();
    const full = this.nsName(ns);
    return new Promise((resolve, reject) => {
      const options = { timeout: opts.timeoutMs ?? 10_000, killSignal: 'SIGKILL' as const, encoding: 'utf8' as const, maxBuffer: 64 << 20 };
      const child = execFile('ip', ['netns', 'exec', full, ...argv], options, (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr, code: 0, timedOut: false });
        if (typeof err.code === 'number') return resolve({ stdout, stderr, code: err.code, timedOut: false });
        if (err.signal) {
          const code = 128 + (constants.signals[err.signal] ?? 0);
          return resolve({ stdout, stderr, code, timedOut: err.killed === true });
        }
        reject(err);
      });
      // Recorded like spawned processes, so destroy() (and Ctrl-C) stops a command still running.
      this.children.add(child);
      child.once('exit', () => this.children.delete(child));
    });
  }

  /** Starts a long-running process in the namespace and records it for destroy(). */
  spawn(ns: string, argv: string[], opts: SpawnOptions = {}): ChildProcess {
    this.checkLive();
    const full = this.nsName(ns);
    const fd = opts.logFile === undefined ? undefined : openSync(opts.logFile, 'a');
    try {
      // `ip netns exec` execs the command in place, so the child's PID is the command's.
      const child = spawnChild('ip', ['netns', 'exec', full, ...argv], {
        env: { ...process.env, ...opts.env },
        stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
      });
      this.children.add(child);
      child.once('exit', () => this.children.delete(child));
      return child;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /**
   * Runs the onCleanup functions, stops the spawned processes (SIGTERM, SIGKILL after
   * the grace period, awaiting exit) and deletes the lab's namespaces. Idempotent.
   */
  destroy(): Promise<void> {
    this.destroying ??= this.teardown();
    return this.destroying;
  }

  /** Best effort for process exit, where nothing can be awaited. */
  destroySync(): void {
    if (!liveLabs.has(this)) return;
    liveLabs.delete(this);
    this.destroying ??= Promise.resolve();
    for (const fn of this.cleanups.splice(0).reverse()) {
      try {
        void Promise.resolve(fn()).catch(() => {});
      } catch {
        // nothing to report to at exit
      }
    }
    for (const child of this.children) if (!exited(child)) child.kill('SIGKILL');
    for (const full of this.netns.values()) {
      try {
        execFileSync('ip', ['netns', 'del', full], { stdio: 'ignore', timeout: 5000 });
      } catch {
        // already gone
      }
    }
    this.netns.clear();
  }

  private async teardown(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    const errors: unknown[] = [];
    for (const fn of this.cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    }
    await Promise.all([...this.children].map((child) => stopChild(child, this.graceMs)));
    await Promise.all(
      [...this.netns].map(async ([name, full]) => {
        try {
          await ip(['netns', 'del', full]);
          this.netns.delete(name);
        } catch (err) {
          errors.push(err);
        }
      }),
    );
    liveLabs.delete(this);
    if (errors.length > 0) throw new AggregateError(errors, `lab ${this.tag}/${this.id}: cleanup failed`);
  }

  private checkLive(): void {
    if (this.destroying) throw new Error(`lab ${this.tag}/${this.id} is destroyed`);
  }

  /** Runs a step that creates state, refused after destroy() and awaited by it. */
  private track<T>(step: () => Promise<T>): Promise<T> {
    this.checkLive();
    const p = step();
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => {});
    return p;
  }
}
