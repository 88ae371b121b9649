// Review s23 (monitor) finding 2: as root, the socket view of a socket whose owner was not found (the monitor in a
// PID namespace of its own, `unshare -pf --mount-proc`: the listener's process is out of its sight) said
// `process  unknown (not attributed: another user's process without root, or a kernel socket)`, telling root to
// run as root, while the same view's FD FLAGS and SOCKET OPTIONS said no process was found with every process read
// as root. The process line now says so too (socket-lines.ts noOwner, by the viewer's privilege). A real loopback
// listener held by a node process outside the namespace; the built bin/sockscope in tmux.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { freeLowPort } from '../helpers/free-port.js';
import { hasTmux, ROOT, tmuxServer, until as poll } from '../helpers/tmux.js';

const isRoot = process.getuid?.() === 0;
const canUnshare = isRoot && spawnSync('unshare', ['-pf', '--mount-proc', 'true']).status === 0;
const skip = !canUnshare ? 'needs root and unshare -pf --mount-proc' : !hasTmux ? 'tmux is not installed' : !existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing: run the build' : false;

const HOLDER = `
const srv = require('net').createServer().listen(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));
setTimeout(() => process.exit(0), 120000).unref();
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

describe('socket view as root, owner not found (unshare -pf --mount-proc)', { skip }, () => {
  let holder: ChildProcess;
  let port: number;
  const tmux = tmuxServer('sockscope-sv-owner-root');
  const capture = () => tmux('capture-pane', '-p', '-t', 'mon').stdout;
  const until = (pred: (s: string) => boolean, what: string) => poll(capture, pred, what);

  before(async () => {
    port = await freeLowPort();
    holder = spawn(process.execPath, ['-e', HOLDER, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.once('data', () => resolve());
      holder.once('exit', (c) => reject(new Error(`holder exited ${c}`)));
    });
  });
  after(() => {
    tmux('kill-server');
    holder?.kill();
  });

  it('the process line says no process was found with every process read as root, as the fd flags do; never "without root"', async () => {
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '200', '-y', '50', '-e', 'CI=false', '-c', ROOT, 'unshare', '-pf', '--mount-proc', 'bin/sockscope', '--interval', '500ms');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => / · row \d+\/\d+/.test(s), 'the ports view');
    tmux('send-keys', '-t', 'mon', '/');
    await until((s) => s.includes('Enter keep'), 'the filter bar');
    tmux('send-keys', '-t', 'mon', String(port), 'Enter');
    await until((x) => new RegExp(`${port} tcp\\s+\\?\\s`).test(x) && !x.includes('Enter keep'), 'the row with "?"');
    tmux('send-keys', '-t', 'mon', 'Enter');
    await until((x) => x.includes(`TCP PORT ${port}: SOCKETS`) && /LISTEN\s.*\s\?\s*$/m.test(x), 'the port view, its listener with "?"');
    tmux('send-keys', '-t', 'mon', 'Enter');
    const s = await until((x) => /^\s*process\s/m.test(x) && /every process read as root/.test(x.split('\n').filter((l) => /fd flags|FD FLAGS/i.test(l) || l.includes('read as root')).join('\n')), 'the socket view with its fd flags');
    const processLine = s.split('\n').find((l) => /^\s*process\s/.test(l)) ?? '';
    assert.doesNotMatch(s, /without root/, s);
    assert.match(processLine, /^\s*process\s+not found, with every process read as root \(a kernel socket, a process in another PID namespace/, s);
  });
});
