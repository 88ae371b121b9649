// --host reads ss's text through ssh and run(), which decodes a byte that is not UTF-8 as U+DC80..U+DCFF
// (decodeUtf8Lines). parseSs turned that text back into bytes with Buffer.from(text, 'utf8'), which writes
// U+FFFD for each such surrogate, so a unix path or process name read remotely lost its bytes where the
// local ss source keeps them. Real socket through a real sshd on loopback, and the parser fed the exact
// text run() gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';
import { SsSource } from '../../src/collect/ss.js';
import { decodeUtf8, decodeUtf8Lines, encodeUtf8Bytes, escapeControl } from '../../src/model/escape.js';
import { parseSs, SsStreamParser } from '../../src/parse/ss.js';
import { startSshd } from '../helpers/sshd.js';
import { NON_UTF8_HOLDER as HOLDER } from '../helpers/unix-names.js';

const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

/** ss 6.1's -xanOHe -p line for a listener at b'/tmp/fx11/s\xff\xfe\xc3\xa9x' held by a process named b'py\xffthon3'. */
const LINE = bytes('u_str LISTEN 0      128    /tmp/fx11/s', [0xff, 0xfe, 0xc3, 0xa9], 'x 59985560 * 0    users:(("py', [0xff], 'thon3",pid=31709,fd=3)) <-> ino:4325539 dev:0/65024 peers:\n');

test('parseSs of the text run() gives keeps the bytes that are not UTF-8, as the byte parser does', () => {
  const text = decodeUtf8Lines(LINE);
  assert.ok(text.includes('\udcff'), 'run() keeps the byte as U+DCFF');
  const [s] = parseSs(text);
  const p = new SsStreamParser();
  p.push(LINE);
  assert.deepEqual(s, p.end()[0]);
  assert.equal(s.local.address, '/tmp/fx11/s\udcff\udcfe\u00e9x');
  assert.deepEqual(s.processes, [{ name: 'py\udcffthon3', pid: 31709, fd: 3 }]);
  assert.equal(escapeControl(s.local.address), '/tmp/fx11/s\\xff\\xfe\u00e9x');
});

test('encodeUtf8Bytes gives back the bytes decodeUtf8 read: bad bytes, real pairs whose low half is U+DC80.., a real U+FFFD', () => {
  const cases = [
    bytes([0xff, 0xfe], 'a'),
    // U+10080 is the pair D800 DC80; after it a lone 0x80 byte (U+DC80) must not join it
    bytes('x', [0xf0, 0x90, 0x82, 0x80, 0x80, 0xc3, 0x0a, 0xef, 0xbf, 0xbd]),
    bytes('plain\n'),
    bytes([0xed, 0xb2, 0x80]), // CESU-8 surrogate: three bad bytes
  ];
  for (const b of cases) assert.deepEqual(encodeUtf8Bytes(decodeUtf8(b)), b, JSON.stringify(decodeUtf8(b)));
});

test('--host names a unix path and a process with bytes that are not UTF-8 as the local ss source does', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-rbytes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const holder = spawn('python3', ['-c', HOLDER, dir], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, HOLDER } });
  t.after(() => {
    holder.stdin?.end();
    holder.kill();
  });
  await Promise.race([
    new Promise((res) => createInterface({ input: holder.stdout! }).once('line', res)),
    new Promise((_, rej) => setTimeout(() => rej(new Error('the python3 holder did not start in 15 s')), 15_000)),
  ]);
  const sshd = await startSshd();
  t.after(() => sshd.stop());

  const opts = { protocols: ['unix' as const], processes: 'all' as const, timeoutMs: 20_000 };
  const remote = await new RemoteSource(parseRemoteTarget('sockscope-test'), { configFile: sshd.clientConfig }).collect(opts);
  const local = await new SsSource().collect(opts);
  const mine = (snap: typeof remote) => snap.sockets.filter((s) => s.protocol === 'unix' && s.local.address.startsWith(`${dir}/`));
  const [r] = mine(remote);
  assert.equal(mine(remote).length, 1, JSON.stringify(mine(remote).map((s) => s.local.address)));
  assert.equal(r.local.address, `${dir}/s\udcff\udcfe\u00e9x`);
  assert.equal(escapeControl(r.local.address), `${dir}/s\\xff\\xfe\u00e9x`);
  assert.deepEqual(
    r.processes.map((p) => [p.pid, p.name]),
    [[holder.pid, 'py\udcff\udcfe']],
  );
  const [l] = mine(local);
  assert.deepEqual([r.local.address, r.processes.map((p) => p.name)], [l.local.address, l.processes.map((p) => p.name)]);
});
