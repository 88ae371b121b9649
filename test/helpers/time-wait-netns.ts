// A network namespace of the test's own for time-wait-port-exhaustion on real sockets: ip_local_port_range shrunk
// to 50 ports (40000-40049), the sysctls the test names (tcp_tw_reuse 0 first, so that a burst slower than 1 s does
// not take over its own older entries), a python3 server on 127.0.0.1 that closes after the client (so every
// client connect/close leaves a TIME_WAIT on the client side), and the ways to fill the range, run
// `bin/sockscope analyze` inside and try connect() again. The namespace and server go when the test ends.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createNetns, deleteNetns } from './netns.js';

/** The ephemeral ports the namespace has: ip_local_port_range 40000 40049. */
export const TW_PORTS = 50;

const SERVER = String.raw`
import socket, selectors, time, sys
sel = selectors.DefaultSelector()
for port in map(int, sys.argv[1:]):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port)); s.listen(512); s.setblocking(False); sel.register(s, selectors.EVENT_READ, 'l')
print('ready', flush=True)
end = time.time() + 60
while time.time() < end:
    for k, _ in sel.select(0.2):
        if k.data == 'l':
            try: c, _ = k.fileobj.accept(); c.setblocking(False); sel.register(c, selectors.EVENT_READ, 'c')
            except BlockingIOError: pass
        else:
            try: d = k.fileobj.recv(4096)
            except Exception: d = b''
            if not d: sel.unregister(k.fileobj); k.fileobj.close()
`;

const CLIENT = String.raw`
import socket, sys
ok = fail = 0; err = ''
for i in range(int(sys.argv[2])):
    c = socket.socket()
    try: c.connect(('127.0.0.1', int(sys.argv[1]))); c.close(); ok += 1
    except OSError as e: fail += 1; err = e.strerror; c.close()
print(ok, fail, err)
`;

export interface TwRec {
  id: string;
  severity: string;
  message: string;
  evidence: string;
  fix: string;
}

export interface TimeWaitNetns {
  /** Runs `args` in the namespace; fails the test unless it exits 0; its stdout. */
  exec(args: string[]): string;
  /** `n` connect()/close() to 127.0.0.1:`port` in the namespace: "OK FAIL STRERROR" (trimmed). */
  connect(port: number, n: number): string;
  /** Connections to :`port` in the namespace (only those in TIME_WAIT with `timeWaitOnly`), by ss. */
  held(port: number, timeWaitOnly?: boolean): number;
  /**
   * Connects to 127.0.0.1:`port` (`burst` at once if given, then 10 at a time up to 5 times) until every one of
   * the 50 ports is held to it (in TIME_WAIT with `timeWaitOnly`: the kernel under load sometimes lets a
   * connection go without one); asserts they all are.
   */
  fill(port: number, opts: { burst?: number; timeWaitOnly?: boolean; what: string }): void;
  sysctl(setting: string): void;
  /** `bin/sockscope analyze --peer-port PORT ...extra --json` in the namespace: its time-wait-port-exhaustion (asserted present). */
  exhaustion(port: number, extra?: string[]): TwRec;
}

/**
 * Creates namespace `name` (deleted when `t` ends) with ip_local_port_range 40000 40049 and then each of `sysctls`
 * ("name=value", in order), and starts the server listening on 127.0.0.1 at each of `ports`.
 */
export async function timeWaitNetns(t: { after: (fn: () => void) => void }, name: string, ports: number[], sysctls: string[]): Promise<TimeWaitNetns> {
  createNetns(name);
  let server: ChildProcess | undefined;
  t.after(() => {
    server?.kill('SIGKILL');
    deleteNetns(name);
  });
  const exec = (args: string[]): string => {
    const r = spawnSync('ip', ['netns', 'exec', name, ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const sysctl = (setting: string) => void exec(['sysctl', '-qw', setting]);
  for (const s of ['net.ipv4.ip_local_port_range=40000 40049', ...sysctls]) sysctl(s);
  server = spawn('ip', ['netns', 'exec', name, 'python3', '-c', SERVER, ...ports.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await createInterface({ input: server.stdout! })[Symbol.asyncIterator]().next();

  const connect = (port: number, n: number) => exec(['python3', '-c', CLIENT, String(port), String(n)]).trim();
  const held = (port: number, timeWaitOnly = false) => Number(exec(['sh', '-c', `ss -tanH ${timeWaitOnly ? 'state time-wait ' : ''}'dport = :${port}' | wc -l`]).trim());
  return {
    exec,
    connect,
    held,
    sysctl,
    fill(port, { burst, timeWaitOnly = false, what }) {
      // The last connections closed are in FIN_WAIT2 until the server's select loop (0.2 s, longer on a loaded
      // machine) closes its side: wait up to 2 s for them to reach TIME_WAIT before connecting more (a CI run
      // counted 49 of 50 after five refills that all failed at once while the 50th port was still held).
      const settled = () => {
        let n = held(port, timeWaitOnly);
        for (let w = 0; w < 20 && n < TW_PORTS; w++) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
          n = held(port, timeWaitOnly);
        }
        return n;
      };
      if (burst !== undefined) connect(port, burst);
      for (let i = 0; i < 5 && settled() < TW_PORTS; i++) connect(port, 10);
      assert.equal(settled(), TW_PORTS, what);
    },
    exhaustion(port, extra = []) {
      const recs = (JSON.parse(exec(['bin/sockscope', 'analyze', '--peer-port', String(port), ...extra, '--json'])) as { recommendations: TwRec[] }).recommendations;
      const r = recs.find((x) => x.id === 'time-wait-port-exhaustion');
      assert.ok(r, JSON.stringify(recs.map((x) => x.id)));
      return r;
    },
  };
}
