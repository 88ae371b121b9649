// The port argument of a generated C server (argv[1]) went to getaddrinfo() as text, and glibc keeps the
// low 16 bits of a number: `./server 65617 127.0.0.1` listened on port 81, 99999 on 34463, 65536 on a
// random port. Anything but a decimal number from 0 to 65535 ("80x", "-1", "", " 80", "+80", 65536...)
// must be refused with the usage line and exit 2, before anything is bound; a valid one (with leading
// zeros too) is the port listened on. Every Linux loop, TCP and UDP (the main() is shared), built with
// -Werror; the Winsock files (windows and portable) are compiled with MinGW -Werror, whose main() is the same.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as h from './harness.js';
import { generateC, pool, STRICT_FLAGS } from './c-runtime.js';
import { generateServer } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';

const BAD = ['65617', '99999', '65536', '4294967377', '80x', 'x80', '-1', '', ' 80', '80 ', '+80', '0x50', '8.0'];

const VARIANTS: { ioModel: string; platform: 'posix' | 'portable' }[] = [
  ...['epoll', 'poll', 'select', 'io_uring'].map((ioModel) => ({ ioModel, platform: 'posix' as const })),
  ...['poll', 'select'].map((ioModel) => ({ ioModel, platform: 'portable' as const })),
];

describe('c servers: the port argument is a decimal number from 0 to 65535', () => {
  for (const v of VARIANTS) {
    test(`c ${v.platform} ${v.ioModel}: out-of-range and malformed ports exit 2 with the usage line; valid ones listen there (tcp and udp)`, { timeout: 120_000 }, async () => {
      await pool(
        (['tcp', 'udp'] as const).map((type) => async () => {
          const r = generateC({ ioModel: v.ioModel, platform: v.platform, type, port: 0, bindAddress: h.LOOPBACK4 });
          const { dir } = h.materialize(r);
          try {
            h.build(r, dir);
            for (const bad of BAD) {
              const run = spawnSync('./server', [bad, h.LOOPBACK4], { cwd: dir, encoding: 'utf8', timeout: 5000 });
              const what = `${type} port ${JSON.stringify(bad)}`;
              assert.equal(run.status, 2, `${what}: exit ${run.status} signal ${run.signal}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
              assert.equal(run.stdout, '', `${what}: nothing on stdout (it must not listen)`);
              assert.equal(run.stderr, 'port: not a number from 0 to 65535\nusage: ./server [port] [bind-address]\n', what);
            }
            // A new port for each run: an io_uring server's socket outlives a SIGKILL for a moment (the
            // ring is torn down by a kernel worker), so the same port can still be taken.
            for (const spell of [(p: number) => String(p), (p: number) => `00${p}`]) {
              const port = await h.freePort();
              const arg = spell(port);
              const srv = await h.startServer({ ...r, runCommand: `./server ${arg} ${h.LOOPBACK4}` }, dir);
              try {
                assert.equal(srv.port, port, `${type} ${arg}: ${srv.stdout()}`);
              } finally {
                await srv.kill();
              }
            }
            const any = await h.startServer({ ...r, runCommand: `./server 0 ${h.LOOPBACK4}` }, dir);
            try {
              assert.ok(any.port > 0, any.stdout());
            } finally {
              await any.kill();
            }
          } finally {
            h.cleanup(dir);
          }
        }),
      );
    });
  }

  test('the Winsock files (windows and portable, select and poll, tcp and udp) compile with MinGW -Werror', { timeout: 120_000 }, () => {
    const mingw = 'x86_64-w64-mingw32-gcc';
    if (!h.haveTool(mingw)) {
      assert.ok(process.env.CI !== 'true', `${mingw} is missing`);
      return;
    }
    for (const platform of ['windows', 'portable'] as const)
      for (const ioModel of ['select', 'poll'])
        for (const type of ['tcp', 'udp'] as const) {
          const r = generateServer({ language: 'c', ioModel, platform, type, port: 0 }, { config: DEFAULT_CONFIG });
          assert.match(r.files[0].content, /parse_port\(argc > 1 \? argv\[1\] : DEFAULT_PORT, port\)/);
          const { dir } = h.materialize(r);
          try {
            const cc = spawnSync(mingw, [...STRICT_FLAGS, '-O2', '-o', 'server.exe', r.files[0].path, '-lws2_32'], { cwd: dir, encoding: 'utf8' });
            assert.equal(cc.status, 0, `${platform} ${ioModel} ${type}:\n${cc.stderr}`);
          } finally {
            h.cleanup(dir);
          }
        }
  });
});
