// A bound, unconnected UDP socket is state="CLOSE" in sockscope_sockets, the name `sockscope --json` gives
// it (ports[].states.CLOSE, the kernel's state names the product uses), and the README's metrics table
// says so. Review: the table did not, while the README elsewhere calls such a socket UNCONN (ss's name, as
// the analyze and try tables print it), so a reader looked for state="UNCONN" or took CLOSE for a closing
// socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { startCli } from '../helpers/exporter.js';
import { freeLowPort, freePort, waitFor } from '../helpers/free-port.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const README = new URL('../../README.md', import.meta.url).pathname;

test('an unconnected UDP socket: state="CLOSE" in the scrape and in --json, and the metrics table says so', { timeout: 60_000 }, async (t) => {
  // A UDP port below the ephemeral range, so that it gets a series of its own.
  const udpPort = await freeLowPort();
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(udpPort, '127.0.0.1', () => r()));
  t.after(() => sock.close());

  const port = await freePort();
  const { child: exporter } = await startCli(['export', '--listen', `127.0.0.1:${port}`, '--interval', '200ms']);
  t.after(() => exporter.kill('SIGKILL'));
  const text = await waitFor('the UDP port in sockscope_sockets', async () => {
    const s = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return s.includes(`port="${udpPort}"`) ? s : undefined;
  });
  const udpLines = text.split('\n').filter((l) => l.startsWith(`sockscope_sockets{protocol="udp",port="${udpPort}",`));
  assert.deepEqual(udpLines, [`sockscope_sockets{protocol="udp",port="${udpPort}",state="CLOSE"} 1`]);

  // The same name in --json.
  const { stdout } = await run(process.execPath, [BIN, '--json'], { maxBuffer: 64 << 20 });
  const row = (JSON.parse(stdout) as { ports: { protocol: string; port: number; states: Record<string, number> }[] }).ports.find((p) => p.protocol === 'udp' && p.port === udpPort);
  assert.equal(row?.states.CLOSE, 1, JSON.stringify(row));

  // The README's metrics table says what CLOSE is for UDP, and that ss calls it UNCONN.
  const readme = readFileSync(README, 'utf8');
  const tableRow = readme.split('\n').find((l) => l.startsWith('| `sockscope_sockets` |'));
  assert.ok(tableRow, 'the sockscope_sockets row of the metrics table');
  assert.match(tableRow!, /UDP[^|]*`state="CLOSE"`[^|]*bound[^|]*not connected[^|]*UNCONN/);
});
