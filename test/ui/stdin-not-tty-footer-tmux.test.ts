// With stdin not a terminal (`sleep 30 | sockscope`) the monitor has no key handling (README: Ctrl-C still
// quits), yet its footer listed keys (q quit ? help / filter ...) that did nothing. The footer now says
// keys are off and that Ctrl-C quits. The built bin/sockscope in a real terminal (tmux).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { hasTmux, pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const skip = tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing: run the build' : false);

describe('the monitor with stdin not a terminal', { skip }, () => {
  const tmux = tmuxServer('sockscope-stdin-pipe');
  const { until } = pane(tmux, 'mon');
  after(() => tmux('kill-server'));

  it('the footer says keys are off and Ctrl-C quits, not keys that do nothing; Ctrl-C quits', async () => {
    assert.ok(hasTmux);
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '120', '-y', '30', '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', ROOT, 'bash', '--norc', '--noprofile');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => s.includes('READY$'), 'the shell prompt');
    tmux('send-keys', '-t', 'mon', 'clear; sleep 60 | bin/sockscope --interval 500ms', 'Enter');
    const s = await until((x) => / · row \d+\/\d+/.test(x), 'the ports view');
    const footer = s.trimEnd().split('\n').at(-1) ?? '';
    assert.match(footer, /keys off: stdin is not a terminal/, s);
    assert.match(footer, /Ctrl-C quit/, s);
    assert.ok(!/q quit|\? help|\/ filter/.test(s), `keys listed that do nothing:\n${s}`);
    tmux('send-keys', '-t', 'mon', 'C-c');
    await until((x) => x.trimEnd().endsWith('READY$') && !x.includes('LOCAL PORTS'), 'the shell after Ctrl-C');
  });
});
