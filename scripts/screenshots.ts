// `npm run screenshots`: opens real sockets on loopback, runs the monitor in tmux at 120x36, and saves
// the ports view, port view, socket view, wizard and help screen as SVG images in screenshots/.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { openScenario } from '../test/helpers/scenario.js';
import { ansiToSvg } from './ansi-to-svg.js';

const COLS = 120;
const ROWS = 36;
const SESSION = `sockscope-shots-${process.pid}`;
const BIN = new URL('../bin/sockscope', import.meta.url).pathname;
const OUT = new URL('../screenshots/', import.meta.url).pathname;

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function capture(): string {
  return tmux('capture-pane', '-t', SESSION, '-e', '-p');
}

async function waitForText(re: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = capture();
    if (re.test(last.replace(/\x1b\[[0-9;]*m/g, ''))) return last;
    await sleep(200);
  }
  throw new Error(`screen never showed ${re}; last screen:\n${last.replace(/\x1b\[[0-9;]*m/g, '')}`);
}

function save(name: string, screen: string, title: string): void {
  writeFileSync(`${OUT}${name}.svg`, ansiToSvg(screen, COLS, ROWS, title));
  writeFileSync(`${OUT}${name}.txt`, screen.replace(/\x1b\[[0-9;]*m/g, ''));
  console.log(`screenshots/${name}.svg`);
}

async function main(): Promise<void> {
  if (spawnSync('tmux', ['-V']).error) throw new Error('tmux is required (apt-get install tmux)');
  mkdirSync(OUT, { recursive: true });
  const sc = await openScenario({ timeWait: 3, acceptBacklog: 4, acceptClients: 3 });
  try {
    // CI must be absent, not just false: Ink reads CI=false as "not in CI", but chalk's colour detection
    // turns colour off whenever a CI variable exists at all.
    tmux('new-session', '-d', '-s', SESSION, '-x', String(COLS), '-y', String(ROWS), `env -u CI -u NO_COLOR TERM=xterm-256color ${BIN} --interval 1s`);
    await waitForText(new RegExp(String(sc.closeWait.port)));
    await sleep(2500); // a few samples for the sparklines and rates
    save('ports', capture(), 'sockscope: ports view');

    tmux('send-keys', '-t', SESSION, '/', ...String(sc.closeWait.port).split(''), 'Enter');
    await sleep(700);
    tmux('send-keys', '-t', SESSION, 'Enter');
    await waitForText(/CLOSE_WAIT/);
    await sleep(700);
    save('port', capture(), `sockscope: port ${sc.closeWait.port}`);

    // the CLOSE_WAIT socket (the second row, after the listener)
    tmux('send-keys', '-t', SESSION, 'j');
    await sleep(300);
    tmux('send-keys', '-t', SESSION, 'Enter');
    await waitForText(/CLOSE_WAIT/);
    await sleep(1200);
    save('socket', capture(), 'sockscope: one socket');

    tmux('send-keys', '-t', SESSION, 'Escape');
    await sleep(300);
    tmux('send-keys', '-t', SESSION, 'Escape');
    await sleep(300);
    tmux('send-keys', '-t', SESSION, '?');
    await sleep(800);
    save('help', capture(), 'sockscope: help');

    tmux('send-keys', '-t', SESSION, 'Escape');
    await sleep(300);
    tmux('send-keys', '-t', SESSION, 'c');
    await sleep(1000);
    save('wizard', capture(), 'sockscope: code generation wizard');
  } finally {
    spawnSync('tmux', ['kill-session', '-t', SESSION]);
    await sc.close();
  }
}

main().catch((e) => {
  console.error(`screenshots: ${(e as Error).message}`);
  process.exit(1);
});
