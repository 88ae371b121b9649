// --ssh-config FILE that cannot be read was passed to every host's ssh and reported per host as a runtime
// failure ("1 of 2 hosts failed", exit 1). It is bad input: checked once when the flags are read, exit 2,
// one line naming --ssh-config, before any ssh runs. `none` (ssh -F none) and a real config still work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.js';
import { startSshd } from '../helpers/sshd.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });

test('--ssh-config that cannot be read: exit 2 naming the flag, for the monitor (plain, --json), analyze and analyze-states', { timeout: 120_000 }, async () => {
  const closed = `root@127.0.0.1:${await freePort()}`;
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-sshcfg-'));
  try {
    for (const [file, why] of [
      ['/nonexistent', 'no such file'],
      [dir, 'is a directory, not an ssh config file'],
    ] as const) {
      for (const cmd of [[], ['--json'], ['analyze'], ['analyze-states', '--json']]) {
        const r = run([...cmd, '--host', closed, '--host', 'other@127.0.0.1:1', '--ssh-config', file]);
        assert.equal(r.status, 2, `${cmd.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, `sockscope: --ssh-config ${file}: ${why}\n`, cmd.join(' '));
        assert.equal(r.stdout, '', cmd.join(' '));
      }
    }
    const empty = run(['analyze', '--host', closed, '--ssh-config', '']);
    assert.equal(empty.status, 2, empty.stderr);
    assert.match(empty.stderr, /^sockscope: --ssh-config needs a value/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // ssh -F none reads no config: accepted; the refused host is then the runtime failure it is (exit 1).
  const none = run(['analyze-states', '--host', closed, '--ssh-config', 'none']);
  assert.equal(none.status, 1, none.stderr);
  assert.match(none.stderr, /refused/i);
  // A real config still reaches the host.
  const sshd = await startSshd();
  try {
    const ok = run(['analyze-states', '--host', 'sockscope-test', '--ssh-config', sshd.clientConfig]);
    assert.equal(ok.status, 0, ok.stderr);
  } finally {
    sshd.stop();
  }
});

// A config file ssh refuses (a keyword it does not know, a bad value) was passed to every host's ssh: "every
// host failed", exit 1. It is checked once with ssh -G for the first host before any host is read: exit 2,
// one line naming --ssh-config and ssh's complaint, for the monitor (plain, --json), analyze and analyze-states.
test('--ssh-config with content ssh refuses: exit 2 naming the flag and the line, before any host is read', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-sshcfg-'));
  try {
    const bad = join(dir, 'bad_config');
    writeFileSync(bad, 'Host *\n  BadKeyword yes\n');
    const badPort = join(dir, 'bad_port');
    writeFileSync(badPort, 'Host elsewhere\n  Port abc\n');
    for (const [file, said] of [
      [bad, 'line 2: Bad configuration option: badkeyword'],
      [badPort, "line 2: Bad port 'abc'."],
    ] as const) {
      for (const cmd of [[], ['--json'], ['analyze'], ['analyze-states'], ['analyze-states', '--json']]) {
        const r = run([...cmd, '--host', 'A', '--host', 'B', '--ssh-config', file]);
        assert.equal(r.status, 2, `${cmd.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, `sockscope: --ssh-config ${file}: ssh refuses it: ${said}\n`, cmd.join(' '));
        assert.equal(r.stdout, '', cmd.join(' '));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
