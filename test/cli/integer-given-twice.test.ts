// An integer or port flag given twice: yargs joins the values into an array, which the flag's parser read as
// the text "80,81" (`analyze --port 80 --port 81` said '--port must be a port number 1-65535, got "80,81"',
// a value nobody typed). Every single-valued integer and port flag of every command now says it was given
// twice, as the duration flags do (duration-given-twice.test.ts): exit 2, one line, nothing collected.
// A single valid value still works (a real listener on loopback for --port / --peer-port).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

/** Runs the built CLI without blocking this process's event loop (the loopback listener below keeps serving). */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** [command words, flag, two values, three values' third, what the flag takes] */
const CASES: [string[], string, [string, string], string, string][] = [
  [['analyze'], 'port', ['80', '81'], '82', 'one port'],
  [['analyze-states'], 'port', ['80', '81'], '82', 'one port'],
  [['analyze-states'], 'peer-port', ['80', '443'], '8443', 'one port'],
  [['analyze'], 'peer-port', ['80', '443'], '8443', 'one port'],
  [['analyze'], 'samples', ['3', '4'], '5', 'one number'],
  [['analyze-states'], 'samples', ['3', '4'], '5', 'one number'],
  [['monitor'], 'port', ['80', '81'], '82', 'one port'],
  [['buffers', '--socket-fd', '3'], 'pid', ['1', '2'], '3', 'one number'],
  [['buffers', '--pid', '1'], 'socket-fd', ['3', '4'], '5', 'one number'],
  [['buffers'], 'port', ['80', '81'], '82', 'one port'],
  [['inspect-options', '--socket-fd', '3'], 'pid', ['1', '2'], '3', 'one number'],
  [['inspect-options', '--pid', '1'], 'socket-fd', ['3', '4'], '5', 'one number'],
  [['inspect-options'], 'port', ['80', '81'], '82', 'one port'],
  [['inspect-options'], 'inode', ['5', '6'], '7', 'one number'],
  [['try', 'listen', '127.0.0.1:0'], 'backlog', ['1', '2'], '3', 'one number'],
  [['generate-server', '--language', 'python', '--stdout'], 'port', ['8080', '8081'], '8082', 'one port'],
  [['generate-tcp-server', '--language', 'python', '--stdout'], 'port', ['8080', '8081'], '8082', 'one port'],
  [['generate-server', '--language', 'python', '--stdout'], 'backlog', ['1', '2'], '3', 'one number'],
  [['generate-server', '--language', 'python', '--stdout'], 'buffer-size', ['1k', '2k'], '4k', 'one size'],
  [['generate-server', '--language', 'python', '--stdout'], 'sndbuf', ['1k', '2k'], '4k', 'one size'],
  [['generate-server', '--language', 'python', '--stdout'], 'rcvbuf', ['1k', '2k'], '4k', 'one size'],
  [['generate-server', '--language', 'python', '--stdout'], 'max-connections', ['1', '2'], '3', 'one number'],
  [['generate-server', '--language', 'python', '--stdout'], 'idle-timeout', ['1', '2'], '3', 'one number'],
  [['generate-server', '--language', 'python', '--stdout'], 'graceful-shutdown', ['1', '2'], '3', 'one number'],
];

for (const [words, flag, [a, b], c, what] of CASES) {
  test(`${words.join(' ')} --${flag} given twice or three times says so (exit 2)`, { timeout: 60_000 }, async () => {
    const q = (v: string) => `"${v}"`;
    for (const [args, times, values] of [
      [[`--${flag}`, a, `--${flag}`, b], 'twice', [a, b]],
      [[`--${flag}=${a}`, `--${flag}=${b}`], 'twice', [a, b]],
      [[`--${flag}`, a, `--${flag}=${b}`, `--${flag}`, c], '3 times', [a, b, c]],
    ] as [string[], string, string[]][]) {
      const r = await run([...words, ...args]);
      const line = [...words, ...args].join(' ');
      assert.equal(r.status, 2, `${line}: ${r.stderr}`);
      assert.equal(r.stderr, `sockscope: --${flag} given ${times} (${values.map(q).join(', ')}): it takes ${what}\n`, line);
      assert.equal(r.stdout, '', line);
    }
  });
}

test('a single --port, --peer-port or --samples still works', { timeout: 60_000 }, async () => {
  const server = net.createServer((s) => s.on('error', () => {}));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  try {
    const local = await run(['analyze', '--port', String(port), '--json']);
    assert.equal(local.status, 0, local.stderr);
    assert.ok(local.stdout.includes(`${port}`), local.stdout);
    const peer = await run(['analyze-states', `--peer-port=${port}`, '--json']);
    assert.equal(peer.status, 0, peer.stderr);
    const sampled = await run(['analyze', '--port', String(port), '--samples', '2', '--sample-interval', '100ms', '--json']);
    assert.equal(sampled.status, 0, sampled.stderr);
    const backlog = await run(['try', 'listen', '127.0.0.1:0', '--backlog', '5']);
    assert.equal(backlog.status, 0, backlog.stderr);
    assert.match(backlog.stdout, /requested 5/);
    const gen = await run(['generate-server', '--language', 'python', '--port', '8081', '--buffer-size', '4k', '--stdout']);
    assert.equal(gen.status, 0, gen.stderr);
    assert.match(gen.stdout, /port=8081 .*bufferSize=4096/);
  } finally {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});
