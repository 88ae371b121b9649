// The Node TCP server on a port in use said "server error: listen EADDRINUSE: address already in use
// 127.0.0.1:N", where the Node UDP, Python and C servers say "cannot bind 127.0.0.1 port N: ..." (the
// text README quotes). It now prints the same line, "cannot bind 127.0.0.1 port N: Address already in
// use", exit 1, echo and http, with --bind 127.0.0.1 and localhost. The port is held on 127.0.0.1 by
// this process; the server is run by the real node.
//
// The Node UDP server on a port in use said "cannot bind 127.0.0.1 port N: another program has it (bind EADDRINUSE
// 127.0.0.1:N)", and with --bind an address not on this host the TCP server said "...: Address not available" (libuv's
// text) and the UDP one "skipping ADDR: bind EADDRNOTAVAIL ..." then "no address to bind ...", where C and Python say
// glibc's strerror text. Both now print "cannot bind ADDR port N: Address already in use" / "Cannot assign requested
// address", exit 1.
import { networkInterfaces } from 'node:os';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateServer } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import * as h from './harness.js';

describe('node tcp: a port in use is "cannot bind ADDR port N: ..."', () => {
  for (const handler of ['echo', 'http'] as const) {
    test(`${handler}: exit 1, one stderr line "cannot bind 127.0.0.1 port N: Address already in use" (--bind 127.0.0.1 and localhost)`, { timeout: 30_000 }, async () => {
      for (const bindAddress of ['127.0.0.1', 'localhost']) {
        const port = await h.freePort();
        const holder = await h.holdPort('tcp', port, h.LOOPBACK4);
        try {
          const r = generateServer({ language: 'node', type: 'tcp', handler, port, bindAddress }, { config: DEFAULT_CONFIG });
          const { dir } = h.materialize(r);
          try {
            const run = await h.runToExit(r, dir);
            assert.equal(run.code, 1, `${bindAddress}: exit ${run.code}\n${run.stderr}`);
            assert.equal(run.stdout, '', `${bindAddress}: nothing on stdout`);
            assert.equal(run.stderr, `cannot bind 127.0.0.1 port ${port}: Address already in use\n`, bindAddress);
          } finally {
            h.cleanup(dir);
          }
        } finally {
          await holder.close();
        }
      }
    });
  }
});

/** Runs the generated Node server expected to fail binding; returns its exit code and output. */
async function failedRun(type: 'tcp' | 'udp', port: number, bindAddress: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = generateServer({ language: 'node', type, port, bindAddress }, { config: DEFAULT_CONFIG });
  const { dir } = h.materialize(r);
  try {
    return await h.runToExit(r, dir);
  } finally {
    h.cleanup(dir);
  }
}

describe('node udp and tcp: bind errors in the C and Python servers\' words', () => {
  test('udp: a port in use is exit 1, "cannot bind 127.0.0.1 port N: Address already in use"', { timeout: 30_000 }, async () => {
    const port = await h.freePort();
    const holder = await h.holdPort('udp', port, h.LOOPBACK4);
    try {
      const run = await failedRun('udp', port, '127.0.0.1');
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr, `cannot bind 127.0.0.1 port ${port}: Address already in use\n`);
    } finally {
      await holder.close();
    }
  });

  test('tcp and udp: --bind an address not on this host is exit 1, "cannot bind ADDR port N: Cannot assign requested address"', { timeout: 30_000 }, async () => {
    const absent = '192.0.2.77'; // TEST-NET-1 (RFC 5737): never a host's address
    const local = Object.values(networkInterfaces()).flatMap((l) => l ?? []).map((a) => a.address);
    assert.ok(!local.includes(absent), `${absent} is an address of this host; the test needs one that is not`);
    for (const type of ['tcp', 'udp'] as const) {
      const port = await h.freePort();
      const run = await failedRun(type, port, absent);
      assert.equal(run.code, 1, `${type}: exit ${run.code}\n${run.stderr}`);
      assert.equal(run.stdout, '', type);
      assert.equal(run.stderr, `cannot bind ${absent} port ${port}: Cannot assign requested address\n`, type);
    }
  });
});
