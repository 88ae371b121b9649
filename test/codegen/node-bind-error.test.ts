// The Node TCP server on a port in use said "server error: listen EADDRINUSE: address already in use
// 127.0.0.1:N", where the Node UDP, Python and C servers say "cannot bind 127.0.0.1 port N: ..." (the
// text README quotes). It now prints the same line, "cannot bind 127.0.0.1 port N: Address already in
// use", exit 1, echo and http, with --bind 127.0.0.1 and localhost. The port is held on 127.0.0.1 by
// this process; the server is run by the real node.
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
