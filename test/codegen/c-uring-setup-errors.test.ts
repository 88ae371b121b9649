// The C io_uring server when io_uring_setup() fails with something other than "no io_uring here":
// it printed "listening on ..." and then exited 1 (print_listening ran before run() set up the ring),
// and for ENOMEM (the ring's memory counts against RLIMIT_MEMLOCK on Linux 5.6 to 5.11) it said
// "Generate the epoll variant instead", though the file has that epoll server as its fallback.
// ENOMEM now falls back to epoll with one stderr line saying why; any other setup error (EMFILE,
// EFAULT) exits 1 with nothing on stdout. The failure is made by a seccomp filter (noring/noring.c,
// compiled here) that fails io_uring_setup with the chosen errno; the server is real, the clients too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as h from './harness.js';
import { generateC } from './c-runtime.js';

let helperDir = '';
let noring = '';

before(() => {
  helperDir = mkdtempSync(join(tmpdir(), 'sockscope-noring-'));
  noring = join(helperDir, 'noring');
  const cc = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-o', noring, resolve('test/codegen/noring/noring.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
});
after(() => h.cleanup(helperDir));

const ENOMEM = 12;
const EFAULT = 14;
const EMFILE = 24;

describe('c io_uring: io_uring_setup failing with ENOMEM falls back to epoll; other errors exit 1 before "listening"', () => {
  for (const type of ['tcp', 'udp'] as const) {
    test(`${type}: ENOMEM: one line naming RLIMIT_MEMLOCK, then "listening on" and the epoll server serves; SIGTERM exit 0`, { timeout: 60_000 }, async () => {
      const r = generateC({ ioModel: 'io_uring', type, bindAddress: h.LOOPBACK4 });
      const { dir } = h.materialize(r);
      try {
        h.build(r, dir);
        const srv = await h.startServer({ ...r, runCommand: `${noring} ${ENOMEM} ./server 0 ${h.LOOPBACK4}` }, dir);
        try {
          assert.equal(
            srv.stderr(),
            'io_uring_queue_init: Cannot allocate memory: no memory for the ring (on Linux 5.6 to 5.11 it counts against RLIMIT_MEMLOCK, ulimit -l); falling back to epoll\n',
          );
          assert.doesNotMatch(srv.stderr(), /Generate the epoll variant/);
          if (type === 'tcp') {
            assert.equal((await h.echoOnce(srv.port, h.LOOPBACK4, Buffer.from('enomem'))).toString(), 'enomem');
            assert.deepEqual(await h.concurrentEcho(srv.port, h.LOOPBACK4, 50), []);
          } else {
            assert.deepEqual(await h.udpEcho(srv.port, h.LOOPBACK4, 20), []);
          }
          const st = await h.sigtermCheck(srv, 2000, type);
          assert.equal(st.code, 0, `${st.error ?? ''} stderr: ${srv.stderr()}`);
        } finally {
          await srv.kill();
        }
      } finally {
        h.cleanup(dir);
      }
    });

    test(`${type}: EMFILE and EFAULT: exit 1, "io_uring_queue_init: ..." only, nothing on stdout`, { timeout: 60_000 }, () => {
      const r = generateC({ ioModel: 'io_uring', type, bindAddress: h.LOOPBACK4 });
      const { dir } = h.materialize(r);
      try {
        h.build(r, dir);
        for (const [errno, text] of [[EMFILE, 'Too many open files'], [EFAULT, 'Bad address']] as const) {
          const run = spawnSync(noring, [String(errno), './server', '0', h.LOOPBACK4], { cwd: dir, encoding: 'utf8', timeout: 10_000 });
          assert.equal(run.status, 1, `errno ${errno}: exit ${run.status}\n${run.stdout}${run.stderr}`);
          assert.equal(run.stdout, '', `errno ${errno}: it said it was listening`);
          assert.equal(run.stderr, `io_uring_queue_init: ${text}\n`);
        }
      } finally {
        h.cleanup(dir);
      }
    });
  }
});
