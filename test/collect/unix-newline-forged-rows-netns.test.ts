// /proc/net/unix prints each unix socket's name raw, so an unprivileged user's abstract name with a
// newline can write lines that read as sockets: here five names each forge a connection waiting in a
// root listener's accept queue (1 real connection read as 6) and one forges a listener /tmp/ghost that
// does not exist (inode 99999). netstat -x reads the same file. The procfs and netstat sources now take
// the unix rows from the kernel (netlink unix_diag, names with their length) when it lists a name with
// a newline, and say so in a note. Real sockets in a namespace of the test's own (the forger is nobody).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const netTools = /net-tools/.test(spawnSync('netstat', ['--version'], { encoding: 'utf8' }).stdout ?? '');

interface Unix {
  path: string;
  listeners: { acceptQueue: number | null }[];
}

test('procfs and netstat: names with a newline do not add waiting connections nor a phantom listener', async (t) => {
  const ns = `sockscope-nlforge-${process.pid}`;
  const path = `/tmp/sockscope-nlforge-${process.pid}.sock`;
  const ghost = `/tmp/sockscope-ghost-${process.pid}.sock`;
  const kids: ChildProcess[] = [];
  t.after(() => {
    for (const k of kids) {
      k.stdout?.destroy();
      k.kill('SIGKILL');
    }
    // runuser forks python: end the forger by its namespace (the namespace's own processes only)
    spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).forEach((pid) => {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    });
    deleteNetns(ns);
    spawnSync('rm', ['-f', path]);
  });
  createNetns(ns);
  // root's listener, backlog 8, one connection waiting in its accept queue
  kids.push(await netnsHolder(ns, `import os
p=${JSON.stringify(path)}
if os.path.exists(p): os.unlink(p)
l=socket.socket(socket.AF_UNIX); l.bind(p); l.listen(8)
c=socket.socket(socket.AF_UNIX); c.connect(p)`));
  // nobody's forged names
  const forge = `import socket,time
s=[]
for i in range(5):
    u=socket.socket(socket.AF_UNIX); u.bind("\\0x%d\\n000000000000000%d: 00000003 00000000 00000000 0001 02     0 ${path}" % (i,i)); s.append(u)
u=socket.socket(socket.AF_UNIX); u.bind("\\0y\\n0000000000000000: 00000002 00000000 00010000 0001 01 99999 ${ghost}"); s.append(u)
print("ready", flush=True); time.sleep(60)`;
  const forger = spawn('ip', ['netns', 'exec', ns, 'runuser', '-u', 'nobody', '--', 'python3', '-c', forge], { stdio: ['ignore', 'pipe', 'inherit'] });
  kids.push(forger);
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('forger not ready in 10 s')), 10_000);
    forger.stdout!.once('data', () => (clearTimeout(timer), res()));
  });
  // What the sources used to read: /proc/net/unix itself does hold the forged lines.
  const raw = spawnSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/unix'], { encoding: 'utf8' }).stdout;
  assert.ok(raw.includes(`99999 ${ghost}`), raw);
  for (const source of ['netlink', 'procfs', ...(netTools ? ['netstat'] : [])]) {
    const r = spawnSync('ip', ['netns', 'exec', ns, BIN, '--unix', '--source', source, '--json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { unix: Unix[]; notes: string[] };
    const listeners = j.unix.filter((u) => u.path === path).flatMap((u) => u.listeners);
    assert.equal(listeners.length, 1, `${source}: one listener ${path}\n${JSON.stringify(j.unix, null, 1)}`);
    assert.equal(listeners[0].acceptQueue, 1, `${source}: 1 connection waiting, not 6`);
    assert.ok(!j.unix.some((u) => u.path === ghost), `${source}: no phantom listener ${ghost}\n${JSON.stringify(j.unix, null, 1)}`);
    assert.equal(j.unix.filter((u) => u.path.includes('\n')).length, 6, `${source}: the six names whole, newline included`);
    if (source !== 'netlink') assert.ok(j.notes.some((n) => /6 unix sockets have a newline in their name: .*read from the kernel \(netlink unix_diag\)/.test(n)), `${source}: ${j.notes.join('\n')}`);
  }
});
