// `sockscope inspect-options` end to end: exact values as root, the fallback as an unprivileged user, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asC, sockscope, startKnownOptions } from '../collect/getsockopt-helpers.js';

interface JsonRow {
  name: string;
  value?: unknown;
  source?: string;
  missing?: string;
  meaning: string;
  unusual?: string;
  platformNotes: string[];
}

test('inspect-options --pid --socket-fd --json reports exactly what the process reads back', { timeout: 60_000 }, async (t) => {
  const p = await startKnownOptions('reno');
  t.after(() => p.stop());
  for (const s of Object.values(p.sockets)) {
    const r = sockscope(['inspect-options', '--pid', String(p.pid), '--socket-fd', String(s.fd), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.method, 'pidfd_getfd');
    const rows = new Map<string, JsonRow>(j.options.map((o: JsonRow) => [o.name, o]));
    for (const [name, expected] of Object.entries(s.options)) {
      const row = rows.get(name)!;
      if (row.missing?.startsWith('not applicable')) continue;
      assert.deepEqual(asC(row.value), expected, `${s.label} ${name}`);
      assert.ok(row.meaning.length > 0, `${name} has a meaning`);
    }
  }
});

test('inspect-options --port finds the listener, names its process and explains what is unusual', { timeout: 60_000 }, async (t) => {
  const p = await startKnownOptions('reno');
  t.after(() => p.stop());
  const port = p.sockets['tcp4-listener'].port;
  const r = sockscope(['inspect-options', '--port', String(port)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`pid ${p.pid} \\(known-options, uid 0\\) fd ${p.sockets['tcp4-listener'].fd}`));
  assert.match(r.stdout, /read with: pidfd_getfd \+ getsockopt/);
  // SO_RCVBUF 256 KiB on the listener: set, or the default it was created with (review s19 diffE): named, not "fixed".
  assert.match(r.stdout, /a listener has not autotuned \(the connections it accepts inherit its buffer\): setsockopt asked for exactly 256 KiB, which fixes it \(autotuning off\), or net\.ipv4\.tcp_rmem\[1\] was 512 KiB when the socket was created/);
  assert.match(r.stdout, /SO_LINGER \{1, 5\}/);
  assert.match(r.stdout, /TCP_CONGESTION is reno/);
  assert.match(r.stdout, /TCP_KEEPIDLE +30 s/);
  assert.match(r.stdout, /elsewhere: .*Windows/); // platform notes from the option reference
  assert.match(r.stdout, /fd flags: O_RDWR/);

  const j = JSON.parse(sockscope(['inspect-options', '--port', String(port), '--options', 'SO_RCVBUF,TCP_NODELAY', '--json']).stdout);
  // SO_RCVLOWAT is read along: SO_RCVBUF's verdict depends on it (it grows a receive buffer without fixing it).
  assert.deepEqual(j.options.map((o: JsonRow) => o.name), ['SO_RCVLOWAT', 'SO_RCVBUF', 'TCP_NODELAY']);
  assert.ok(j.options[1].platformNotes.length > 0);
  assert.deepEqual(j.unusual, []); // the listener's 512 KiB may be the default it was created with (review s19 diffE)

  const inode = j.inode;
  const byInode = JSON.parse(sockscope(['inspect-options', '--inode', String(inode), '--options', 'SO_REUSEPORT', '--json']).stdout);
  assert.equal(byInode.pid, p.pid);
  assert.equal(byInode.options[0].value, true);
});

test('as an unprivileged user: the fallback, labelled by source, with what is missing and why, and no crash', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root to start a process another uid cannot read');
  assert.equal(spawnSync('setpriv', ['--version']).error, undefined, 'setpriv (util-linux) is required');
  const p = await startKnownOptions('reno');
  t.after(() => p.stop());
  const s = p.sockets['tcp4-listener'];

  const byFd = sockscope(['inspect-options', '--pid', String(p.pid), '--socket-fd', String(s.fd), '--json'], { uid: 65534 });
  assert.equal(byFd.status, 0, byFd.stderr);
  const a = JSON.parse(byFd.stdout);
  assert.equal(a.method, 'fallback');
  assert.match(a.methodNote, /pidfd_getfd failed with EPERM: reading another process's socket needs root/);
  assert.ok(a.missing.some((m: string) => /fdinfo/.test(m)));
  // The text form says the socket is unknown (not an empty line) and gives the one reason once, not once per option.
  const byFdText = sockscope(['inspect-options', '--pid', String(p.pid), '--socket-fd', String(s.fd)], { uid: 65534 });
  assert.equal(byFdText.status, 0, byFdText.stderr);
  assert.match(byFdText.stdout, /^socket: unknown \(see Missing below\)$/m);
  assert.doesNotMatch(byFdText.stdout, /no collector/);
  assert.match(byFdText.stdout, /^\(all \d+\) +- \(unknown: no getsockopt/m);
  assert.doesNotMatch(byFdText.stdout, /^SO_RCVBUF /m);

  const byPort = sockscope(['inspect-options', '--port', String(s.port), '--json'], { uid: 65534 });
  assert.equal(byPort.status, 0, byPort.stderr);
  const b = JSON.parse(byPort.stdout);
  assert.equal(b.method, 'fallback');
  const rows = new Map<string, JsonRow>(b.options.map((o: JsonRow) => [o.name, o]));
  assert.equal(rows.get('SO_RCVBUF')!.value, 524288);
  assert.match(rows.get('SO_RCVBUF')!.source!, /skmem rb/);
  assert.equal(rows.get('TCP_CONGESTION')!.value, 'reno');
  assert.match(rows.get('TCP_NODELAY')!.missing!, /needs getsockopt/);
  assert.ok(b.missing.some((m: string) => /options? needs? getsockopt on the socket itself/.test(m)));

  const text = sockscope(['inspect-options', '--port', String(s.port)], { uid: 65534 });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /read with: fallback/);
  assert.match(text.stdout, /Missing:/);
});

test('the same user without root reads real values (pidfd_getfd is allowed when ptrace is)', { timeout: 60_000 }, async (t) => {
  const p = await startKnownOptions('reno', 65534);
  t.after(() => p.stop());
  const s = p.sockets['tcp4-listener'];
  const r = sockscope(['inspect-options', '--pid', String(p.pid), '--socket-fd', String(s.fd), '--options', 'SO_RCVBUF,TCP_NODELAY,SO_LINGER', '--json'], { uid: 65534 });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.method, 'pidfd_getfd', j.methodNote);
  assert.equal(j.process.uid, 65534);
  assert.deepEqual(j.options.filter((o: JsonRow) => o.name !== 'SO_RCVLOWAT').map((o: JsonRow) => asC(o.value)), [s.options.SO_RCVBUF, s.options.TCP_NODELAY, s.options.SO_LINGER]);
});

test('bad input exits 2 with one line naming the flag', () => {
  const unknown = sockscope(['inspect-options', '--port', '80', '--options', 'SO_RCVBUF,SO_NOPE']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /--options: unknown socket option 'SO_NOPE'/);
  const none = sockscope(['inspect-options']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /--pid N --socket-fd FD, or --port P, or --inode I/);
  const half = sockscope(['inspect-options', '--pid', '1']);
  assert.equal(half.status, 2);
  const port = sockscope(['inspect-options', '--port', '70000']);
  assert.equal(port.status, 2);
  assert.match(port.stderr, /--port must be an integer 1-65535/);
  const gone = sockscope(['inspect-options', '--pid', String(2 ** 22), '--socket-fd', '3']);
  assert.equal(gone.status, 1);
  assert.match(gone.stderr, /no process with pid/);
});

test('a bad number is refused once, naming the flag (CLI, exit 2) or the field (library)', { timeout: 60_000 }, async () => {
  // The flags' coerce (inspect-options.ts) and the library's schema check the numbers; runInspect no longer
  // repeats the check, so these messages are the only ones.
  const cases: [string[], string][] = [
    [['--pid', '0', '--socket-fd', '3'], '--pid must be an integer 1-4194304, got "0"'],
    [['--pid', 'abc'], '--pid must be an integer 1-4194304, got "abc"'],
    [['--pid', '1.5', '--socket-fd', '3'], '--pid must be an integer 1-4194304, got "1.5"'],
    [['--port', '70000'], '--port must be an integer 1-65535, got "70000"'],
    [['--port', '0'], '--port must be an integer 1-65535, got "0"'],
    [['--pid', '1', '--socket-fd', '-1'], '--socket-fd must be an integer 0-2147483647, got "-1"'],
    [['--inode', '0'], '--inode must be an integer 1-9007199254740991, got "0"'],
    [['--inode', '9007199254740993'], '--inode must be an integer 1-9007199254740991, got "9007199254740993"'],
  ];
  for (const [args, message] of cases) {
    const r = sockscope(['inspect-options', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, `sockscope: ${message}\n`, args.join(' '));
    assert.equal(r.stdout, '');
  }
  const { inspectOptions } = await import('../../src/api/inspect.js');
  const { InvalidInputError } = await import('../../src/api/errors.js');
  for (const [input, field] of [[{ pid: 0, socketFd: 3 }, 'pid'], [{ port: 70000 }, 'port'], [{ port: 1.5 }, 'port'], [{ pid: 1, socketFd: -1 }, 'socketFd'], [{ inode: 0 }, 'inode']] as const) {
    await assert.rejects(inspectOptions(input), (e: unknown) => e instanceof InvalidInputError && e.code === 'invalid-input' && e.issues.length === 1 && e.issues[0].path === field, JSON.stringify(input));
  }
});

test('a socket with the default buffer names the real sysctl net.core.rmem_default / wmem_default', { timeout: 60_000 }, async (t) => {
  const p = await startKnownOptions('reno');
  t.after(() => p.stop());
  const s = p.sockets.udp4; // a UDP socket on 127.0.0.1 that never set SO_RCVBUF / SO_SNDBUF
  const r = sockscope(['inspect-options', '--pid', String(p.pid), '--socket-fd', String(s.fd), '--options', 'SO_RCVBUF,SO_SNDBUF', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const rows = new Map<string, JsonRow>(JSON.parse(r.stdout).options.map((o: JsonRow) => [o.name, o]));
  assert.match(rows.get('SO_RCVBUF')!.meaning, /the default net\.core\.rmem_default$/);
  assert.match(rows.get('SO_SNDBUF')!.meaning, /the default net\.core\.wmem_default$/);
});

test('a unix socket path with terminal escapes is shown escaped', { timeout: 30_000 }, async (t) => {
  // A real listener (python3, as the C fixtures need no unix socket) whose path holds ESC and BEL.
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-esc-'));
  const path = join(dir, 'u\x1b[31m\x07sock');
  const child = spawn('python3', ['-c', 'import socket,sys,os\ns=socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\ns.listen(1)\nprint(s.fileno(), flush=True)\nsys.stdin.read()', path], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const fd = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('python3 unix listener not ready in 10 s')), 10_000);
    child.stdout!.once('data', (d) => {
      clearTimeout(timer);
      resolve(Number(String(d).trim()));
    });
    child.once('error', reject);
  });
  const r = sockscope(['inspect-options', '--pid', String(child.pid), '--socket-fd', String(fd), '--options', 'SO_TYPE']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /[\x07\x1b]/, 'no raw control characters reach the terminal');
  assert.ok(r.stdout.includes('socket: unix LISTEN ' + join(dir, 'u\\x1b[31m\\x07sock')), r.stdout);
});

test('an interface name with terminal escapes (SO_BINDTODEVICE) is shown escaped in meanings and findings', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'creating a network namespace needs root (as in CI)');
  const ns = `sockscope-ifesc-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  assert.equal(add.error, undefined, 'ip (iproute2) is required');
  assert.equal(add.status, 0, add.stderr);
  t.after(() => spawnSync('ip', ['netns', 'delete', ns]));
  // Linux refuses only '/', ':' and white space in interface names: ESC is allowed.
  const dev = 'e\x1b[7m';
  const veth = spawnSync('ip', ['-n', ns, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', 'p0'], { encoding: 'utf8' });
  assert.equal(veth.status, 0, veth.stderr);
  const script = 'import socket,sys\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, sys.argv[1].encode())\ns.bind(("0.0.0.0", 0))\ns.listen(1)\nprint(s.fileno(), flush=True)\nsys.stdin.read()';
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', script, dev], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const fd = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('python3 listener not ready in 10 s')), 10_000);
    child.stdout!.once('data', (d) => {
      clearTimeout(timer);
      resolve(Number(String(d).trim()));
    });
    child.once('error', reject);
  });
  // ip netns exec runs python3 in place (exec), so the child's pid is python's.
  const r = sockscope(['inspect-options', '--pid', String(child.pid), '--socket-fd', String(fd), '--options', 'SO_BINDTODEVICE'], { netns: ns });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /\x1b/, 'no raw ESC reaches the terminal');
  assert.match(r.stdout, /sends and receives only through interface e\\x1b\[7m/);
  assert.match(r.stdout, /- bound to device e\\x1b\[7m \(SO_BINDTODEVICE\)/);
});
