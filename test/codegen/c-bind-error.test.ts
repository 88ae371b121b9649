// Generated C servers whose port is taken: bind() fails, and the one stderr line must say what failed,
// naming the address tried and the port as the Python servers do ("cannot bind 127.0.0.1 port N:
// Address already in use"), not a bare "bind: Address already in use"; exit 1. Every Linux event loop
// (the listener code is shared), TCP and UDP, built with -Werror; the port is held on 127.0.0.1 by this
// process. A name (localhost) is reported as the numeric address that was tried.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';
import { generateC, pool } from './c-runtime.js';

const VARIANTS: { label: string; ioModel: string; platform: 'posix' | 'portable' }[] = [
  ...['epoll', 'poll', 'select', 'io_uring'].map((ioModel) => ({ label: `c ${ioModel}`, ioModel, platform: 'posix' as const })),
  ...['poll', 'select'].map((ioModel) => ({ label: `c portable ${ioModel}`, ioModel, platform: 'portable' as const })),
];

/** Runs the server on a port held by this process; returns its exit code and stderr. */
async function runOnHeldPort(v: (typeof VARIANTS)[number], type: 'tcp' | 'udp', bindArg: string): Promise<{ port: number; code: number | null; stdout: string; stderr: string }> {
  const port = await h.freePort();
  const holder = await h.holdPort(type, port, h.LOOPBACK4);
  try {
    const r = generateC({ ioModel: v.ioModel, platform: v.platform, type, port, bindAddress: h.LOOPBACK4 });
    const { dir } = h.materialize(r);
    try {
      h.build(r, dir);
      const run = await h.runToExit({ ...r, runCommand: `./server ${port} ${bindArg}` }, dir);
      return { port, ...run };
    } finally {
      h.cleanup(dir);
    }
  } finally {
    await holder.close();
  }
}

describe('c servers: bind() failing names the address and port', () => {
  for (const v of VARIANTS) {
    test(`${v.label}: port in use on 127.0.0.1 (tcp and udp, given as 127.0.0.1 and as localhost): one line "cannot bind 127.0.0.1 port N: ...", exit 1`, { timeout: 60_000 }, async () => {
      const cases = (['tcp', 'udp'] as const).flatMap((type) => ['127.0.0.1', 'localhost'].map((bindArg) => ({ type, bindArg })));
      const runs = await pool(cases.map((c) => async () => ({ ...c, ...(await runOnHeldPort(v, c.type, c.bindArg)) })));
      for (const run of runs) {
        const what = `${run.type} ${run.bindArg}`;
        assert.equal(run.code, 1, `${what}: exit ${run.code}\nstderr: ${run.stderr}`);
        assert.equal(run.stdout, '', `${what}: nothing on stdout`);
        const lines = run.stderr.trim().split('\n');
        assert.equal(lines.length, 1, `${what}: one line, got:\n${run.stderr}`);
        assert.equal(lines[0], `cannot bind 127.0.0.1 port ${run.port}: Address already in use`, what);
      }
    });
  }
});
