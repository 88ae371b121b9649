// Creates the benchmark's socket load on loopback and removes it: N TCP sockets split into
// ESTABLISHED pairs, CLOSE_WAIT/FIN_WAIT2 pairs and TIME_WAIT sockets, held by child processes
// (each with its fd limit raised in a shell: `ulimit -n`), each child serving on its own 127.0.0.x
// address so that 100,000 connections fit the ephemeral port range (one range per destination).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

export interface Load {
  plan: LoadPlan;
  /** Listening ports of the children's main servers (one per child). */
  ports: number[];
  pids: number[];
  setupMs: number;
  /** Removes the load (reset connections, end the children). Safe to call twice. */
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
  fds?: number;
  error?: string;
}

function startChild(cfg: Record<string, unknown>, fdLimit: number, timeoutMs: number): Promise<{ child: ChildProcess; report: ChildReport }> {
  // A shell raises the fd limit, then execs node: the child keeps the shell's pid.
  const child = spawn('sh', ['-c', `ulimit -n ${fdLimit} 2>/dev/null; exec "$0" "$@"`, process.execPath, CHILD, JSON.stringify(cfg)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load child did not get ready within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        const report = JSON.parse(buf.slice(0, nl)) as ChildReport;
        if (!report.ready) reject(new Error(`load child failed: ${report.error}`));
        else resolve({ child, report });
      } catch (e) {
        reject(e as Error);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`load child exited early (code ${code})`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    child.stdin!.end('stop\n');
  } catch {
    child.kill('SIGTERM');
  }
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/** Kills every load child still running (for exit handlers: synchronous). */
export function killAllLoad(): void {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      // gone
    }
  }
  live.clear();
}

/** Starts the load and waits until every child holds its sockets. */
export async function startLoad(size: number, opts: { ttlSeconds?: number; timeoutMs?: number } = {}): Promise<Load> {
  const plan = planLoad(size);
  const t0 = performance.now();
  const started: ChildProcess[] = [];
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
          started.push(r.child);
          return r;
        }),
      ),
    );
    const setupMs = performance.now() - t0;
    let stopped = false;
    return {
      plan,
      ports: results.map((r) => r.report.port!),
      pids: results.map((r) => r.report.pid!),
      setupMs,
      async stop() {
        if (stopped) return;
        stopped = true;
        await Promise.all(started.map((c) => stopChild(c)));
      },
    };
  } catch (e) {
    await Promise.all(started.map((c) => stopChild(c)));
    killAllLoad();
    throw e;
  }
}
