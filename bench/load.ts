// Creates the benchmark's socket load on loopback and removes it: N TCP sockets split into
// ESTABLISHED pairs, CLOSE_WAIT/FIN_WAIT2 pairs and TIME_WAIT sockets, held by child processes
// (each with its fd limit raised in a shell: `ulimit -n`), each child serving on its own 127.0.0.x
// address so that 100,000 connections fit the ephemeral port range (one range per destination).
// The TIME_WAIT share belongs to no process once made (the kernel holds it for 60 s): before each
// section refreshTimeWait() removes it (ss -K, root) and makes it anew, so that every section runs on
// the same composition, and stop() resets the connections and removes it (bench/run.ts also runs the
// whole bench in a network namespace of its own, whose end takes whatever is left with it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./load-child.mjs', import.meta.url));

/** Every load child alive, so that any exit path can kill them. */
const live = new Set<ChildProcess>();

export interface LoadPlan {
  /** TCP sockets asked for (both ends of each loopback pair count). */
  size: number;
  pairs: number;
  closeWait: number;
  timeWait: number;
  children: number;
  /** One loopback address per child: each destination has the whole ephemeral port range. */
  serverHosts: string[];
  fdLimit: number;
}

export interface TimeWaitRefresh {
  /** The load's TIME_WAIT sockets removed with ss -K (0 where the kernel or the rights refuse). */
  removed: number;
  /** Left after that (they expire within 60 s of their making). */
  left: number;
  /** Made anew so that the share is plan.timeWait again. */
  made: number;
  ms: number;
}

export interface Load {
  plan: LoadPlan;
  /** Listening ports of the children's main servers (one per child). */
  ports: number[];
  /** Ports of the children's TIME_WAIT servers (one per child, on the child's serverHost). */
  twPorts: number[];
  pids: number[];
  setupMs: number;
  /** The load's TIME_WAIT sockets now (ss -tanH state time-wait to the children's TIME_WAIT servers). */
  countTimeWait(): number;
  /** Removes the load's TIME_WAIT sockets (ss -K; needs CAP_NET_ADMIN and a kernel that aborts TIME_WAIT). Returns how many it removed. */
  removeTimeWait(): number;
  /** Removes the TIME_WAIT share and makes it anew (plan.timeWait sockets, each with 60 s to live). */
  refreshTimeWait(): Promise<TimeWaitRefresh>;
  /** Removes the load (reset connections, end the children, remove its TIME_WAIT where it can). Safe to call twice. */
  stop(): Promise<void>;
}

/** The fd limit a child can get: `ulimit -n` raised as far as the hard limit (root: up to 262144). */
export function childFdLimit(): number {
  const r = spawnSync('sh', ['-c', 'ulimit -n 262144 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; ulimit -n'], { encoding: 'utf8' });
  const n = Number.parseInt(r.stdout.trim(), 10);
  return Number.isFinite(n) && n > 0 ? n : 1024;
}

/** The ephemeral port range (net.ipv4.ip_local_port_range). */
export function ephemeralPorts(): { low: number; high: number; count: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return { low, high, count: high - low + 1 };
  } catch {
    return { low: 32768, high: 60999, count: 28232 };
  }
}

/**
 * Splits `size` TCP sockets: 10 % TIME_WAIT, 5 % CLOSE_WAIT + FIN_WAIT2 pairs, the rest ESTABLISHED
 * pairs; enough children for the fd limit and for each destination to use at most half the port range.
 */
export function planLoad(size: number, fdLimit = childFdLimit()): LoadPlan {
  const timeWait = Math.round(size * 0.1);
  const closeWait = Math.round((size * 0.05) / 2);
  const pairs = Math.max(1, Math.round((size - timeWait - closeWait * 2) / 2));
  const fds = (pairs + closeWait) * 2;
  const perChild = Math.max(500, Math.floor(fdLimit * 0.9) - 100);
  // Connections per destination stay under half the ephemeral range (TIME_WAIT holds ports too).
  const clientPorts = pairs + closeWait + timeWait;
  const { count } = ephemeralPorts();
  const children = Math.min(200, Math.max(2, Math.ceil(fds / perChild), Math.ceil(clientPorts / (count / 2))));
  const serverHosts = Array.from({ length: children }, (_, i) => `127.0.0.${10 + i}`);
  return { size, pairs, closeWait, timeWait, children, serverHosts, fdLimit };
}

function split(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

interface ChildReport {
  ready: boolean;
  pid?: number;
  port?: number;
  twPort?: number;
  fds?: number;
  error?: string;
}

interface Child {
  proc: ChildProcess;
  /** The next JSON line the child prints. */
  next(timeoutMs: number): Promise<Record<string, unknown>>;
}

function startChild(cfg: Record<string, unknown>, fdLimit: number, timeoutMs: number): Promise<{ child: Child; report: ChildReport }> {
  // A shell raises the fd limit, then execs node: the child keeps the shell's pid.
  const proc = spawn('sh', ['-c', `ulimit -n ${fdLimit} 2>/dev/null; exec "$0" "$@"`, process.execPath, CHILD, JSON.stringify(cfg)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  // A child that died (Ctrl-C reaches the whole process group) makes writes to its stdin fail with EPIPE.
  proc.stdin!.on('error', () => {});
  const lines: Record<string, unknown>[] = [];
  const waiters: ((l: Record<string, unknown> | null) => void)[] = [];
  let ended = false;
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      msg = { error: `not JSON: ${line.slice(0, 200)}` };
    }
    const w = waiters.shift();
    if (w) w(msg);
    else lines.push(msg);
  });
  proc.once('exit', (code, signal) => {
    ended = true;
    for (const w of waiters.splice(0)) w(null);
    lines.push({ exited: true, code, signal });
  });
  const child: Child = {
    proc,
    next(ms) {
      if (lines.length) return Promise.resolve(lines.shift()!);
      if (ended) return Promise.reject(new Error('load child exited'));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`load child did not answer within ${ms} ms`));
        }, ms);
        const w = (l: Record<string, unknown> | null) => {
          clearTimeout(timer);
          if (l) resolve(l);
          else reject(new Error(`load child exited (code ${proc.exitCode}, signal ${proc.signalCode})`));
        };
        waiters.push(w);
      });
    },
  };
  return child.next(timeoutMs).then(
    (msg) => {
      const report = msg as unknown as ChildReport;
      if (!report.ready) throw new Error(`load child failed: ${report.error ?? JSON.stringify(msg)}`);
      return { child, report };
    },
    (e: Error) => {
      proc.kill('SIGTERM');
      throw e;
    },
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // The child resets its connections on "stop" and on SIGTERM alike; it may be gone already.
  if (child.stdin?.writable) child.stdin.end('stop\n');
  else child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/**
 * For exit handlers (synchronous): SIGTERM to every load child still running (each resets its
 * connections and exits; SIGKILL would close them with FINs and leave them in TIME_WAIT), then
 * ss -K on the TIME_WAIT share of every load started.
 */
export function killAllLoad(): void {
  for (const c of live) {
    try {
      c.kill('SIGTERM');
    } catch {
      // gone
    }
  }
  live.clear();
  for (const f of twFilters) ssKill(f);
}

/** ss filters of the TIME_WAIT shares of loads not yet stopped. */
const twFilters = new Set<string[]>();

/** `ss -tanH state time-wait` to the given TIME_WAIT servers: arguments for ss. */
function timeWaitArgs(hosts: string[], twPorts: number[]): string[] {
  const terms = hosts.map((h, i) => `dst ${h}:${twPorts[i]}`).join(' or ');
  return ['-tanH', 'state', 'time-wait', `( ${terms} )`];
}

function ssCount(args: string[]): number {
  const r = spawnSync('ss', args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`ss ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.trim()).length;
}

/** ss -K on the sockets `args` selects: how many the kernel destroyed (0 without CAP_NET_ADMIN or CONFIG_INET_DIAG_DESTROY). */
function ssKill(args: string[]): number {
  const r = spawnSync('ss', ['-K', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) return 0;
  const listed = r.stdout.split('\n').filter((l) => l.trim()).length;
  // ss -K lists what it asked to destroy; what is still there was refused.
  return Math.max(0, listed - ssCount(args));
}

/** Starts the load and waits until every child holds its sockets. */
export async function startLoad(size: number, opts: { ttlSeconds?: number; timeoutMs?: number } = {}): Promise<Load> {
  const plan = planLoad(size);
  const t0 = performance.now();
  const started: ChildProcess[] = [];
  const children: Child[] = [];
  try {
    const results = await Promise.all(
      Array.from({ length: plan.children }, (_, i) =>
        startChild(
          {
            serverHost: plan.serverHosts[i],
            pairs: split(plan.pairs, plan.children, i),
            closeWait: split(plan.closeWait, plan.children, i),
            timeWait: split(plan.timeWait, plan.children, i),
            concurrency: 200,
            ttlSeconds: opts.ttlSeconds ?? 900,
          },
          plan.fdLimit,
          opts.timeoutMs ?? 180_000,
        ).then((r) => {
          started.push(r.child.proc);
          children.push(r.child);
          return r;
        }),
      ),
    );
    const setupMs = performance.now() - t0;
    let stopped = false;
    // In the children's order (Promise.all keeps it): child i serves on serverHosts[i].
    const kids = results.map((r) => r.child);
    const twPorts = results.map((r) => r.report.twPort!);
    const twArgs = timeWaitArgs(plan.serverHosts, twPorts);
    twFilters.add(twArgs);
    const load: Load = {
      plan,
      ports: results.map((r) => r.report.port!),
      twPorts,
      pids: results.map((r) => r.report.pid!),
      setupMs,
      countTimeWait: () => ssCount(twArgs),
      removeTimeWait: () => ssKill(twArgs),
      async refreshTimeWait() {
        const t = performance.now();
        const removed = ssKill(twArgs);
        const left = ssCount(twArgs);
        const made = Math.max(0, plan.timeWait - left);
        await Promise.all(
          kids.map(async (k, i) => {
            const n = split(made, kids.length, i);
            if (n === 0) return;
            k.proc.stdin!.write(`tw ${n}\n`);
            const reply = await k.next(opts.timeoutMs ?? 180_000);
            if (reply.tw !== n) throw new Error(`load child ${i} made ${String(reply.tw)} of ${n} TIME_WAIT sockets: ${String(reply.error ?? JSON.stringify(reply))}`);
          }),
        );
        return { removed, left, made, ms: Math.round(performance.now() - t) };
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await Promise.all(started.map((c) => stopChild(c)));
        ssKill(twArgs);
        twFilters.delete(twArgs);
      },
    };
    return load;
  } catch (e) {
    await Promise.all(started.map((c) => stopChild(c)));
    killAllLoad();
    throw e;
  }
}
