// SOCKET_DEBUG's line for a child process says how it ended: `exit=N`, `signal=SIG...` only when a signal
// ended it, `error=ENOENT` when it never ran. Before, run() logged `exit=signal` for netstat --version
// whose spawn failed with ENOENT (PATH without netstat), and runStreaming logged a bare `error` for both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runStreaming } from '../../src/collect/exec.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('--source netstat with no netstat on PATH: the debug log says error=ENOENT, not exit=signal', () => {
  const empty = mkdtempSync(join(tmpdir(), 'sockscope-nobin-'));
  try {
    const r = spawnSync(process.execPath, [join(BIN, '../../dist/cli.js'), '--source', 'netstat', '--json'], { encoding: 'utf8', env: { PATH: empty, HOME: empty, SOCKET_DEBUG: '1' } });
    const line = r.stderr.split('\n').find((l) => l.includes('exec netstat --version'));
    assert.ok(line, r.stderr);
    assert.match(line, / error=ENOENT$/);
    assert.doesNotMatch(r.stderr, /exit=signal/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

function captureDebug(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const prev = process.env.SOCKET_DEBUG;
  process.env.SOCKET_DEBUG = '1';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  return {
    lines,
    restore: () => {
      process.stderr.write = write;
      if (prev === undefined) delete process.env.SOCKET_DEBUG;
      else process.env.SOCKET_DEBUG = prev;
    },
  };
}

test('run(): a child ended by a signal logs signal=SIGTERM; one that never ran logs error=ENOENT; a normal one exit=N', async () => {
  const cap = captureDebug();
  try {
    await assert.rejects(run('sh', ['-c', 'kill -TERM $$']));
    await run('sh', ['-c', 'exit 3']);
    await assert.rejects(run('/nonexistent/sockscope-no-such-tool', []));
  } finally {
    cap.restore();
  }
  const log = cap.lines.join('');
  assert.match(log, /exec sh -c kill -TERM \$\$ .* signal=SIGTERM\n/);
  assert.match(log, /exec sh -c exit 3 .* exit=3\n/);
  assert.match(log, /exec \/nonexistent\/sockscope-no-such-tool .* error=ENOENT\n/);
});

test('runStreaming(): the same endings (signal=SIGTERM, error=ENOENT)', async () => {
  const cap = captureDebug();
  try {
    await assert.rejects(runStreaming('sh', ['-c', 'kill -TERM $$'], { onStdout: () => {} }));
    await assert.rejects(runStreaming('/nonexistent/sockscope-no-such-tool', [], { onStdout: () => {} }));
  } finally {
    cap.restore();
  }
  const log = cap.lines.join('');
  assert.match(log, /exec sh -c kill -TERM \$\$ .* signal=SIGTERM\n/);
  assert.match(log, /exec \/nonexistent\/sockscope-no-such-tool .* error=ENOENT\n/);
});
