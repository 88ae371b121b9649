// The built binary when stdout is not a TTY: one plain snapshot table, exit 0; also as an unprivileged user.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HOST_WIDE_OUTPUT } from '../helpers/run-cli.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const bin = `${ROOT}bin/sockscope`;

describe('sockscope | cat', () => {
  it('prints one plain table and exits 0 (no escape sequences, no alternate screen)', () => {
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    const r = spawnSync(process.execPath, [bin, '--tcp'], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^sockscope · /);
    assert.match(r.stdout, /PORT PROTO PROCESS/);
    assert.match(r.stdout, /Recommendations/);
    assert.doesNotMatch(r.stdout, /\u001b/);
  });

  it('--interval and --port are validated (exit 2, one line naming the flag)', () => {
    for (const [args, re] of [
      [['--interval', '10ms'], /--interval must be between 100 ms/],
      [['--port', '70000'], /--port must be a port number/],
      // The space form: yargs read "-1s" as the flags -1 and -s ("Unknown arguments: 1, s"); a negative
      // duration is read as one and refused by its range (1072d3d).
      [['--interval', '-1s'], /--interval must be between 100 ms and 3600 s, got "-1s"/],
      [['--interval=-1s'], /--interval must be between 100 ms and 3600 s, got "-1s"/],
      [['--no-tcp', '--no-udp'], /--no-tcp --no-udp leaves no protocol to show/],
    ] as const) {
      const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 30_000 });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });

  it('works unprivileged (nobody): what it cannot see is said, not fatal', { skip: process.getuid?.() !== 0 ? 'needs root to switch to nobody' : false }, () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /PORT PROTO PROCESS/);
  });

  it('--no-tcp starts without TCP (it was accepted and changed nothing)', () => {
    const r = spawnSync(process.execPath, [bin, '--no-tcp'], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.split('\n').filter((l) => /^\S*\s+\d+ (tcp|udp) /.test(l));
    assert.ok(!rows.some((l) => / tcp /.test(l)), `TCP rows with --no-tcp:\n${r.stdout}`);
    assert.match(r.stdout, /^sockscope · \S+ · udp · /);
  });
});

describe('sockscope --json and the plain table when stdout fails', () => {
  const env = { ...process.env, NO_COLOR: '1' };
  for (const args of [['--json'], []]) {
    const what = args.length ? 'sockscope --json' : 'sockscope (plain table)';
    it(`${what} > /dev/full: one line naming the cause, exit 1, no stack trace`, () => {
      const full = openSync('/dev/full', 'w');
      try {
        const r = spawnSync(process.execPath, [bin, '--tcp', ...args], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 60_000, env, stdio: ['ignore', full, 'pipe'] });
        assert.equal(r.stderr, 'sockscope: cannot write output: no space left on device\n');
        assert.equal(r.status, 1);
      } finally {
        closeSync(full);
      }
    });

    it(`${what} | head -c 0 (the reader is gone): nothing on stderr, exit 0`, () => {
      const r = spawnSync('bash', ['-c', `"$@" | head -c 0; echo "rc=\${PIPESTATUS[0]}"`, 'bash', process.execPath, bin, '--tcp', ...args], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 60_000, env });
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, 'rc=0\n');
    });
  }
});

describe('unix sockets not collected are not counted as 0 without saying so', () => {
  it('--json: a note says totals.unix was not counted; with --unix the real count and no note; the plain table says "not collected"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockscope-unix-'));
    const path = join(dir, 'listen.sock');
    // A unix listener held by a helper process, for as long as the test needs it.
    const helper = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('ready')); setTimeout(() => process.exit(0), 60000).unref(); process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('helper did not start')), 10_000);
        helper.stdout!.once('data', () => {
          clearTimeout(t);
          resolve();
        });
      });
      const run = (...args: string[]) => {
        const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 60_000 });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
      };
      const without = JSON.parse(run('--json'));
      assert.equal(without.totals.unix, 0);
      assert.ok(without.notes.some((n: string) => /^totals\.unix: not counted \(--unix counts unix sockets\)/.test(n)), JSON.stringify(without.notes));
      const withUnix = JSON.parse(run('--json', '--unix'));
      assert.ok(withUnix.totals.unix >= 1, 'the listener is counted');
      assert.ok(!withUnix.notes.some((n: string) => n.startsWith('totals.unix')), JSON.stringify(withUnix.notes));
      // TCP is collected whatever the toggles: counted, and the note says it is not listed (it said "not counted").
      assert.ok(withUnix.notes.some((n: string) => n.startsWith('totals.tcp: counted, but tcp sockets are not listed')), 'TCP left out by --unix is said too');
      assert.match(run('--tcp'), /  unix not collected\n/);
      assert.match(run('--unix'), /  unix [1-9]\d*\n/);
    } finally {
      helper.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
