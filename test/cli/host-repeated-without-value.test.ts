// A repeated --host without a value: yargs adds nothing to the array for it, so `--host a --host --json`,
// `--host a --host "$EMPTY"` (the shell drops the empty word) and a trailing `--host` read the one host a,
// exit 0, though README says --host without a value is exit 2 (as the first --host, --host '' and --host= were).
// Every occurrence is checked now (host-option.ts hostWithoutValue). Real sshd on loopback, so that without
// the fix each of these is a single-host report, exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/run-cli.js';
import { startSshd } from '../helpers/sshd.js';
import { hostWithoutValue } from '../../src/cli/host-option.js';

const NEEDS = 'sockscope: --host needs a value: user@server[:port] (repeat --host for several servers)';

test('every --host without a value is exit 2, not a single-host report (real sshd)', { timeout: 120_000 }, async (t) => {
  const sshd = await startSshd();
  t.after(() => sshd.stop());
  const cfg = ['--ssh-config', sshd.clientConfig];
  const ok = await runCli(['analyze-states', '--port', '18080', '--host', 'sockscope-test', ...cfg, '--json']);
  assert.equal(ok.status, 0, ok.stderr);
  const cases = [
    ['analyze-states', '--port', '18080', '--host', 'sockscope-test', '--host', ...cfg, '--json'],
    ['--host', 'sockscope-test', '--host', ...cfg, '--json'],
    ['--host', 'sockscope-test', ...cfg, '--json', '--host'],
    ['analyze', '--host', 'sockscope-test', ...cfg, '--host'],
    ['--host', '--host', 'sockscope-test', ...cfg, '--json'],
    // `--host=` as the last word (diff review s26 dB #1): yargs takes the next word for its value, and there is none.
    ['analyze', '--port', '18080', '--host', 'sockscope-test', ...cfg, '--host='],
    ['--host', 'sockscope-test', ...cfg, '--json', '--host='],
  ];
  for (const args of cases) {
    const r = await runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout.slice(0, 200)} ${r.stderr}`);
    assert.equal(r.stderr.trim(), NEEDS, args.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('hostWithoutValue: which words leave a --host without a value', () => {
  assert.equal(hostWithoutValue(['--host', 'a', '--host', 'b']), false);
  assert.equal(hostWithoutValue(['--host', 'a', 'b']), false);
  assert.equal(hostWithoutValue(['--host=a']), false);
  assert.equal(hostWithoutValue(['--json', '--', '--host']), false);
  assert.equal(hostWithoutValue(['--host', 'a', '--host']), true);
  assert.equal(hostWithoutValue(['--host', 'a', '--host', '--json']), true);
  assert.equal(hostWithoutValue(['--host', '-']), true);
  assert.equal(hostWithoutValue(['--host', 'a', '--host=']), true);
  assert.equal(hostWithoutValue(['--host=', '--host', 'a']), false, 'not last: yargs gives the empty value, which hostValues refuses');
});
