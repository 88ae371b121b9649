// A number out of range says so in one sentence, the same in the CLI, the library, a task and the wizard: the
// CLI said zod's "--buffer-size: Too small: expected number to be >=512" (and for a huge number a second message
// about JavaScript's safe integers), the wizard "buffer size must be 512 to 64M (67108864), got 73400320" for 70M.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { generateServer, GeneratorOptionsError } from '../../src/codegen/index.js';
import { runTask } from '../../src/index.js';
import { parseBufferSize } from '../../src/ui/wizard/steps.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'sockscope-ranges-'));
after(() => rmSync(home, { recursive: true, force: true }));

function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, [`${ROOT}bin/sockscope`, 'generate-server', '--language', 'c', ...args, '--stdout'], {
    encoding: 'utf8',
    timeout: 20_000,
    cwd: home,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
  });
  assert.equal(r.status, 2, r.stderr);
  return r.stderr;
}

const HUGE = '99999999999999999999999';

describe('number ranges: one message for CLI, library, task and wizard', () => {
  it('the CLI: in plain words with the range, the value as typed, one message', () => {
    assert.equal(cli('--buffer-size', '511'), 'sockscope: --buffer-size must be 512 to 64M (67108864), got 511\n');
    assert.equal(cli('--buffer-size', '70M'), 'sockscope: --buffer-size must be 512 to 64M (67108864), got 70M\n');
    assert.equal(cli('--buffer-size', HUGE), `sockscope: --buffer-size must be 512 to 64M (67108864), got ${HUGE}\n`);
    assert.equal(cli('--buffer-size', '0'), 'sockscope: --buffer-size must be 512 to 64M (67108864), got 0\n');
    assert.equal(cli('--sndbuf', HUGE), `sockscope: --sndbuf must be 1 to 1024M (1073741824), got ${HUGE}\n`);
    assert.equal(cli('--rcvbuf', '2048M'), 'sockscope: --rcvbuf must be 1 to 1024M (1073741824), got 2048M\n');
    assert.equal(cli('--backlog', HUGE), `sockscope: --backlog must be 1 to 65535, got ${HUGE}\n`);
    assert.equal(cli('--backlog', '0'), 'sockscope: --backlog must be 1 to 65535, got 0\n');
    assert.equal(cli('--port', '70000'), 'sockscope: --port must be 0 to 65535, got 70000\n');
    assert.equal(cli('--max-connections', HUGE), `sockscope: --max-connections must be 0 to 10000000, got ${HUGE}\n`);
    assert.equal(cli('--idle-timeout', HUGE), `sockscope: --idle-timeout must be 0 to 86400000, got ${HUGE}\n`);
    assert.equal(cli('--graceful-shutdown', '600001'), 'sockscope: --graceful-shutdown must be 0 to 600000, got 600001\n');
    assert.equal(cli('--keepalive', '99999,1,1'), 'sockscope: --keepalive idle must be 1 to 32767, got 99999\n');
    for (const flag of ['--buffer-size', '--sndbuf', '--backlog', '--port']) assert.doesNotMatch(cli(flag, HUGE), /Too big|expected int|9007199254740991|;/);
  });

  it('the library: the same sentence, the issue at bufferSize', () => {
    assert.throws(
      () => generateServer({ bufferSize: 73400320 }),
      (e: unknown) => {
        assert.ok(e instanceof GeneratorOptionsError);
        assert.equal(e.message, '--buffer-size must be 512 to 64M (67108864), got 73400320');
        assert.deepEqual(e.issues, [{ path: 'bufferSize', message: 'must be 512 to 64M (67108864), got 73400320' }]);
        return true;
      },
    );
    assert.throws(() => generateServer({ backlog: 1e23 }), { message: '--backlog must be 1 to 65535, got 1e+23' });
    assert.throws(() => generateServer({ port: 1.5 }), { message: '--port must be a whole number 0 to 65535, got 1.5' });
  });

  it('a task: the field and the same words', async () => {
    await assert.rejects(runTask({ operation: 'generate', type: 'tcp-server', config: { bufferSize: 511 } }), (e: { message: string; issues: unknown }) => {
      assert.equal(e.message, 'invalid generate task: config.bufferSize: must be 512 to 64M (67108864), got 511');
      assert.deepEqual(e.issues, [{ path: 'config.bufferSize', message: 'must be 512 to 64M (67108864), got 511' }]);
      return true;
    });
  });

  it("the wizard: the CLI's message with the field's name, the size as typed", () => {
    for (const typed of ['511', '70M', HUGE]) {
      const fromCli = cli('--buffer-size', typed).replace(/^sockscope: --buffer-size/, 'buffer size').trimEnd();
      assert.throws(() => parseBufferSize(typed), { message: fromCli });
    }
    assert.throws(() => parseBufferSize('70M'), { message: 'buffer size must be 512 to 64M (67108864), got 70M' });
  });
});
