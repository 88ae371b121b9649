// The built monitor in a real terminal (tmux, capture-pane -e) without colour: the selection must still be
// visible (inverse video is not a colour); and Ctrl-C quits after the keymap rebinds quit.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hasTmux, ROOT, tmuxServer, tmuxSkip, until as poll } from '../helpers/tmux.js';

const skip = tmuxSkip;
const tmux = tmuxServer('sockscope-nocolor');
const capture = (attrs = false) => tmux('capture-pane', '-p', ...(attrs ? ['-e'] : []), '-t', 'mon').stdout;
const until = (pred: (screen: string) => boolean, what: string, attrs = false, ms?: number) => poll(() => capture(attrs), pred, what, ms);

/** The SGR parameters of a captured line. */
function sgr(line: string): string[] {
  return [...line.matchAll(/\u001b\[([0-9;]*)m/g)].flatMap((m) => m[1].split(';'));
}
const inverse = (line: string) => sgr(line).includes('7');
/** A foreground or background colour (39/49 are the defaults, not colours). */
const coloured = (screen: string) => sgr(screen).some((p) => /^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$/.test(p));
const plain = (line: string) => line.replace(/\u001b\[[0-9;]*m/g, '');

/** A TCP server with 2 connected clients (2 ESTABLISHED on its port). */
const SERVER = `
const net = require('net');
const srv = net.createServer(() => {}).listen(0, '127.0.0.1', 9, () => {
  const port = srv.address().port;
  let n = 0;
  for (let i = 0; i < 2; i++) net.connect(port, '127.0.0.1', () => { if (++n === 2) console.log(JSON.stringify({ port })); });
});
setTimeout(() => process.exit(0), 120000).unref();
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

describe('monitor without colour in a real terminal (tmux)', { skip }, () => {
  let server: ChildProcess;
  let port = 0;
  let config = '';

  before(async () => {
    assert.ok(hasTmux, 'tmux is required for this test (apt-get install tmux)');
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    server = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
    port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('helper did not start')), 10_000);
      server.stdout!.once('data', (d) => {
        clearTimeout(t);
        resolve(JSON.parse(String(d)).port);
      });
    });
    config = mkdtempSync(join(tmpdir(), 'sockscope-keymap-'));
    mkdirSync(join(config, 'sockscope'));
    writeFileSync(join(config, 'sockscope', 'config.yaml'), 'keymap:\n  quit: [Q]\n');
    mkdirSync(join(`${config}-off`, 'sockscope'), { recursive: true });
    writeFileSync(join(`${config}-off`, 'sockscope', 'config.yaml'), 'color: false\n');
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '100', '-y', '30', '-e', 'CI=false', '-e', 'PS1=READY$ ', '-c', ROOT, 'bash', '--norc', '--noprofile');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => s.includes('READY$'), 'the shell prompt');
  });

  after(() => {
    tmux('kill-server');
    server?.kill();
    if (config) for (const d of [config, `${config}-off`]) rmSync(d, { recursive: true, force: true });
  });

  // chalk (under Ink) read --no-color / --color=false from argv and TERM=dumb from the environment and
  // dropped every style: the selected row had no attribute at all. NO_COLOR, which chalk ignores, kept it.
  for (const [name, command] of [
    ['--no-color', `bin/sockscope --no-color --port PORT`],
    ['--color=false', `bin/sockscope --color=false --port PORT`],
    ['TERM=dumb', `TERM=dumb bin/sockscope --port PORT`],
    ['NO_COLOR=1', `NO_COLOR=1 bin/sockscope --port PORT`],
  ] as const) {
    it(`${name}: no colours, the selection in inverse video in the ports, port and wizard views`, async () => {
      tmux('send-keys', '-t', 'mon', `clear; ${command.replace('PORT', String(port))}; echo "exit=$?"`, 'Enter');
      let s = await until((x) => x.includes(`${port} tcp`) && / · row 1\/1/.test(x), 'the ports view with our port');
      s = capture(true);
      const row = s.split('\n').find((l) => plain(l).includes(`${port} tcp`))!;
      assert.ok(inverse(row), `ports view: the selected row is not in inverse video:\n${JSON.stringify(row)}`);
      assert.ok(!coloured(s), `ports view: colours without colour:\n${s}`);

      // Port view: the first socket is selected.
      tmux('send-keys', '-t', 'mon', 'Enter');
      await until((x) => x.includes(`TCP PORT ${port}: SOCKETS`) && / · row 1\/\d/.test(x), 'the port view');
      s = capture(true);
      const lines = s.split('\n');
      const t = lines.findIndex((l) => plain(l).includes(`TCP PORT ${port}: SOCKETS`));
      // The title, the column header, then the first row (the selected one); the second row is not selected.
      assert.ok(inverse(lines[t + 2]), `port view: the selected socket is not in inverse video:\n${s}`);
      assert.ok(!inverse(lines[t + 3]), `port view: an unselected row in inverse video:\n${s}`);
      assert.ok(!coloured(s), `port view: colours without colour:\n${s}`);

      // The wizard's list: the cursor's choice in inverse video (and its › mark).
      tmux('send-keys', '-t', 'mon', 'c');
      await until((x) => x.includes('sockscope generate') && x.includes('UDP'), 'the wizard');
      s = capture(true);
      const cursor = s.split('\n').find((l) => plain(l).startsWith('› '))!;
      assert.ok(cursor && inverse(cursor), `wizard: the choice under the cursor is not in inverse video:\n${s}`);
      assert.ok(!coloured(s), `wizard: colours without colour:\n${s}`);

      tmux('send-keys', '-t', 'mon', 'C-c');
      s = await until((x) => /exit=\d+/.test(x), 'the monitor ended');
      assert.match(s, /exit=0/);
    });
  }

  it('with colour the selection is inverse video too, and colours are used', async () => {
    tmux('send-keys', '-t', 'mon', `clear; bin/sockscope --port ${port}; echo "exit=$?"`, 'Enter');
    await until((x) => x.includes(`${port} tcp`) && / · row 1\/1/.test(x), 'the ports view');
    const s = capture(true);
    assert.ok(inverse(s.split('\n').find((l) => plain(l).includes(`${port} tcp`))!), s);
    assert.ok(coloured(s), `no colour at all:\n${s}`);
    tmux('send-keys', '-t', 'mon', 'q');
    await until((x) => /exit=0/.test(x), 'the monitor ended by q');
  });

  // A typed --color is a flag, the last word in the precedence (sockscope config said 'color true flag --color'),
  // yet the monitor ANDed it with NO_COLOR and the file's `color: false`: no colour at all (review s18).
  it('--color typed wins over NO_COLOR and a config file\'s color: false', async () => {
    for (const command of [`NO_COLOR=1 bin/sockscope --color --port ${port}`, `XDG_CONFIG_HOME=${config}-off bin/sockscope --color --port ${port}`]) {
      tmux('send-keys', '-t', 'mon', `clear; ${command}; echo "exit=$?"`, 'Enter');
      await until((x) => x.includes(`${port} tcp`) && / · row 1\/1/.test(x), `the ports view (${command})`);
      const s = capture(true);
      assert.ok(coloured(s), `${command}: no colour:\n${s}`);
      tmux('send-keys', '-t', 'mon', 'q');
      await until((x) => /exit=0/.test(x), 'the monitor ended by q');
    }
  });

  it('sockscope generate: --color typed wins over NO_COLOR too', async () => {
    tmux('send-keys', '-t', 'mon', `clear; NO_COLOR=1 bin/sockscope generate --color; echo "exit=$?"`, 'Enter');
    await until((x) => x.includes('sockscope generate') && x.includes('UDP'), 'the wizard');
    const s = capture(true);
    assert.ok(coloured(s), `generate --color under NO_COLOR: no colour:\n${s}`);
    tmux('send-keys', '-t', 'mon', 'Escape');
    await until((x) => /exit=0/.test(x), 'the wizard ended by Esc');
  });

  it('keymap {quit: [Q]} (the README\'s example): Ctrl-C still quits, in the ports view and in the help', async () => {
    for (const view of ['ports', 'help'] as const) {
      tmux('send-keys', '-t', 'mon', `clear; XDG_CONFIG_HOME=${config} bin/sockscope --port ${port}; echo "exit=$?"`, 'Enter');
      await until((x) => / · row 1\/1/.test(x) && x.includes('Q quit'), 'the monitor with Q for quit');
      if (view === 'help') {
        tmux('send-keys', '-t', 'mon', '?');
        await until((x) => x.includes('Q Ctrl-C') && x.includes('Ctrl-C always quits'), 'the help with Q Ctrl-C');
      }
      tmux('send-keys', '-t', 'mon', 'C-c');
      const s = await until((x) => /exit=\d+/.test(x), `the monitor ended by Ctrl-C (${view})`);
      assert.match(s, /exit=0/);
      assert.ok(!s.includes('LOCAL PORTS'), s);
    }
  });
});
