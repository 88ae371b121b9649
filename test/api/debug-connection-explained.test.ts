// The library's debugConnection() and task {"operation":"debug-connections"} give the diagnosis the CLI prints:
// the host's facts (listeners on the port at other addresses, with their processes) are read by the probe itself
// (collect/connect-explain.ts). They returned the probe's first reading ('nothing listens on 127.0.0.1:PORT')
// while `sockscope debug-connections` named the [::1] listener. Real loopback listener: python3 on [::1] only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { debugConnection } from '../../src/api/inspect.js';
import { executeTask } from '../../src/api/task.js';

const PY = `
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(('::1', 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
sys.stdin.read()
`;

test('debugConnection and task name the [::1]-only listener behind a refused 127.0.0.1 connect', { timeout: 60_000 }, async (t) => {
  const py = spawn('python3', ['-c', PY], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => py.kill());
  const [line] = (await once(py.stdout, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  assert.ok(port > 0);
  const want = `nothing listens on 127.0.0.1:${port}, but python3/${py.pid} listens on [::1]:${port}`;

  const r = await debugConnection({ address: `127.0.0.1:${port}`, timeoutMs: 2000 });
  assert.equal(r.addresses[0].connect.errno, 'ECONNREFUSED');
  assert.equal(r.addresses[0].diagnosis?.summary, want);
  assert.equal(r.verdict.summary, `127.0.0.1:${port} refuses connections: ${want}`);
  assert.ok(r.verdict.nextSteps.includes(`connect to [::1]:${port} instead`), r.verdict.nextSteps.join('\n'));

  const task = await executeTask({ operation: 'debug-connections', address: `127.0.0.1:${port}`, timeoutMs: 2000 });
  assert.equal(task.exitCode, 0);
  assert.ok(task.document.ok && task.document.operation === 'debug-connections');
  const result = (task.document as { result: typeof r }).result;
  assert.equal(result.addresses[0].diagnosis?.summary, want);
  assert.equal(result.verdict.summary, r.verdict.summary);
});
