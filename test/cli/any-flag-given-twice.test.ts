// Any single-valued flag given twice: yargs makes an array of the values, and a flag without its own check
// read it as something else. Found: `analyze --source ss --source procfs` ran with netlink (exit 0);
// `errno 104 --platform linux --platform macos` printed zod's JSON, exit 1; `inspect-options --options A
// --options B` said "text.split is not a function" and `debug-connections --address X --address Y` "text.trim
// is not a function", exit 1; generate-server's --io-model and --bind said "expected string, received array";
// buffers' --bandwidth and --rtt quoted "1Gbit,2Gbit". Each is now exit 2, one line naming the flag and the
// values as typed. Flags that repeat by design (--host) still do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 20_000 });

/** [words before the flag, flag, two values] */
const CASES: [string[], string, [string, string]][] = [
  [['analyze', '--port', '80'], 'source', ['ss', 'procfs']],
  [['analyze-states'], 'source', ['netlink', 'ss']],
  [['errno', '104'], 'platform', ['linux', 'macos']],
  [['inspect-options', '--pid', '1', '--socket-fd', '3'], 'options', ['SO_RCVBUF', 'SO_SNDBUF']],
  [['debug-connections'], 'address', ['127.0.0.1:1', '127.0.0.1:2']],
  [['generate-server', '--type', 'tcp', '--language', 'c', '--output', '/nonexistent/x.c'], 'io-model', ['epoll', 'poll']],
  [['generate-server', '--type', 'tcp', '--language', 'c', '--io-model', 'epoll', '--output', '/nonexistent/x.c'], 'bind', ['127.0.0.1', '::1']],
  [['generate-server', '--language', 'c', '--io-model', 'epoll', '--output', '/nonexistent/x.c'], 'type', ['tcp', 'udp']],
  [['generate-server', '--type', 'tcp', '--io-model', 'epoll', '--output', '/nonexistent/x.c'], 'language', ['c', 'python']],
  [['buffers', '--rtt', '10ms'], 'bandwidth', ['1Gbit', '2Gbit']],
  [['buffers', '--bandwidth', '1Gbit'], 'rtt', ['10ms', '20ms']],
];

for (const [before, flag, [a, b]] of CASES) {
  test(`${before[0]} --${flag} ${a} --${flag} ${b}: exit 2, one line naming the flag and both values`, () => {
    for (const words of [[`--${flag}`, a, `--${flag}`, b], [`--${flag}=${a}`, `--${flag}=${b}`]]) {
      const r = run([...before, ...words]);
      assert.equal(r.status, 2, `${words.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `sockscope: --${flag} given twice ("${a}", "${b}"): it takes ${flag === 'address' ? 'one HOST:PORT' : 'one value'}\n`);
    }
  });
}

test('three times says so; a flag given once still runs', () => {
  const r = run(['errno', '104', '--platform', 'linux', '--platform=macos', '--platform', 'windows']);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, 'sockscope: --platform given 3 times ("linux", "macos", "windows"): it takes one value\n');
  const ok = run(['errno', '104', '--platform', 'macos']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /ECONNRESET/);
  const src = run(['analyze-states', '--source', 'procfs']);
  assert.equal(src.status, 0, src.stderr);
});
