// Review-churn #5 as the reviewer ran it: the built monitor in tmux, `--port P`, Enter on the port, the
// orphaned socket (FIN_WAIT2 after the server's close(), the client still holding its end), Enter. Then the
// client closes, the drilled socket turns TIME_WAIT, and the view must word it as TIME_WAIT (it kept the
// FIN_WAIT2-time "no owning process is known (another user's process without root ...)").
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { pane, ROOT, sleep, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const tmux = tmuxServer('sockscope-orphan');
const { until } = pane(tmux, 'orph');
const flat = (s: string) => s.replace(/\s+/g, ' ');

/** Accepts one connection and closes it; the client keeps its end until a line arrives on stdin. */
const ORPHAN = `
const net = require('net');
const srv = net.createServer((a) => a.destroy()).listen(0, '127.0.0.1', () => {
  const c = net.connect({ port: srv.address().port, host: '127.0.0.1', allowHalfOpen: true }, () => console.log(JSON.stringify({ port: srv.address().port })));
  c.on('error', () => {});
  c.resume();
  process.stdin.once('data', () => c.destroy());
});
setTimeout(() => process.exit(0), 90000).unref();
process.stdin.on('end', () => process.exit(0));
`;

describe('monitor drill-down on an orphaned socket, then TIME_WAIT (tmux)', { skip: tmuxSkip || (process.platform !== 'linux' && 'Linux only') }, () => {
  let child: ChildProcess | undefined;
  let port = 0;
  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    child = spawn(process.execPath, ['-e', ORPHAN], { stdio: ['pipe', 'pipe', 'inherit'] });
    port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('helper did not start')), 10_000);
      child!.stdout!.once('data', (d) => {
        clearTimeout(t);
        resolve(JSON.parse(String(d)).port);
      });
    });
    const r = tmux('new-session', '-d', '-s', 'orph', '-x', '120', '-y', '45', '-e', 'CI=false', `${ROOT}bin/sockscope --port ${port}; sleep 60`);
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => {
    tmux('kill-server');
    child?.kill();
  });

  it('FIN_WAIT2 orphan: the kernel keeps no tcp_info/skmem, no process holds it; TIME_WAIT: worded as TIME_WAIT', { timeout: 60_000 }, async () => {
    await until((s) => new RegExp(`\\b${port} tcp`).test(s), 'the port row');
    tmux('send-keys', '-t', 'orph', 'Enter');
    await until((s) => /FIN_WAIT2/.test(s), 'the orphan in the port view');
    // Sorted by state: the listener first, then the orphan.
    tmux('send-keys', '-t', 'orph', 'j');
    await sleep(300);
    tmux('send-keys', '-t', 'orph', 'Enter');
    let s = await until((x) => /state\s+FIN_WAIT2/.test(x) && x.includes('SOCKET OPTIONS') && !x.includes('reading…') && !x.includes('not collected yet'), 'the socket view of the orphan');
    let text = flat(s);
    assert.match(text, /process none: closed by its process/);
    assert.match(text, /TCP_INFO none: the kernel keeps this FIN_WAIT2 orphan as a timewait socket \(timer timewait\), with no tcp_info/);
    assert.match(text, /MEMORY AND BUFFERS none: the kernel keeps this FIN_WAIT2 orphan .* with no skmem/);
    assert.match(text, /FD FLAGS \(\/proc\/PID\/fdinfo\) no process holds it: its process closed it/);
    assert.match(text, /SOCKET OPTIONS \(getsockopt\) no process holds it: its process closed it/);
    assert.doesNotMatch(text, /another user|not available from this collector/);

    child!.stdin!.write('close\n'); // the client closes: the orphan turns TIME_WAIT
    s = await until((x) => /state\s+TIME_WAIT/.test(x) && !x.includes('not collected yet'), 'the socket turned TIME_WAIT', 15_000);
    text = flat(s);
    assert.match(text, /TCP_INFO none: the kernel keeps no tcp_info for a TIME_WAIT socket/);
    assert.match(text, /FD FLAGS \(\/proc\/PID\/fdinfo\) a TIME_WAIT socket belongs to no process any more/);
    assert.match(text, /SOCKET OPTIONS \(getsockopt\) a TIME_WAIT socket belongs to no process any more/);
    assert.doesNotMatch(text, /closed by its process|another user|not available from this collector/);
  });
});
