// What --host says when ssh fails (review of --host, session 16): ssh's failure kept only its last stderr
// line, so a config line `Bogus yes` read "terminating, 1 bad configuration options" without the line
// naming the option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';

test("ssh's failure keeps the line that names the problem, not only its last line (real ssh)", { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-badcfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'bad.cfg');
  writeFileSync(cfg, 'Host x\n  Bogus yes\n');
  const err = await new RemoteSource(parseRemoteTarget('x'), { configFile: cfg }).collect({ protocols: ['tcp'] }).then(
    () => assert.fail('collect should fail'),
    (e: Error) => e,
  );
  assert.match(err.message, /line 2: Bad configuration option: bogus/i, err.message);
  assert.match(err.message, /terminating, 1 bad configuration options/, err.message);
  assert.doesNotMatch(err.message, /\n/, 'one line');
});
