// `export --listen`: what is wrong with an address is said with the flag and the rule it breaks (exit 2),
// through the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { freePort } from '../helpers/free-port.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

function run(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stderr: r.stderr };
}

/** `export --listen LISTEN` until it says where it serves: the child (killed by the caller) and its stderr so far. */
async function serving(listen: string): Promise<{ child: ReturnType<typeof spawn>; err: string }> {
  const child = spawn(process.execPath, [BIN, 'export', '--listen', listen], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d) => {
        err += d;
        if (err.includes('serving http://')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`${listen}: exited ${code}: ${err}`)));
    });
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return { child, err };
}

test('--listen without a port, or given twice, says so (not "write IPv6 addresses in brackets")', () => {
  const cases: [string[], RegExp][] = [
    [['--listen', '[::1]'], /^sockscope: --listen: '\[::1\]' has no port: write \[::1\]:PORT/],
    [['--listen', '[::1]:'], /^sockscope: --listen: '\[::1\]:' has no port after the ':'/],
    [['--listen=[::1]:'], /^sockscope: --listen: '\[::1\]:' has no port after the ':'/],
    [['--listen', '127.0.0.1:'], /^sockscope: --listen: '127\.0\.0\.1:' has no port after the ':'/],
    [['--listen', '127.0.0.1'], /^sockscope: --listen: '127\.0\.0\.1' has no port: write 127\.0\.0\.1:PORT/],
    [['--listen', '::1'], /^sockscope: --listen: '::1' is an IPv6 address without a port: write it in brackets with the port, as \[::1\]:PORT/],
    [['--listen', '127.0.0.1:99999'], /^sockscope: --listen: port must be 0-65535, got '99999'/],
    [['--listen', '[::1]:x'], /^sockscope: --listen: port must be 0-65535, got 'x'/],
    [['--listen', '127.0.0.1:19503', '--listen', '127.0.0.1:19504'], /^sockscope: --listen given twice \("127\.0\.0\.1:19503", "127\.0\.0\.1:19504"\): it takes one HOST:PORT/],
  ];
  for (const [args, want] of cases) {
    const r = run(['export', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want, args.join(' '));
    assert.doesNotMatch(r.stderr, /write IPv6 addresses in brackets/, args.join(' '));
  }
});

test('--listen [::1]:PORT and a bare PORT still serve', { timeout: 30_000 }, async () => {
  for (const [listen, url] of [
    [`[::1]:${await freePort('::1')}`, (p: string) => `http://[::1]:${p}/metrics`],
    [String(await freePort()), (p: string) => `http://127.0.0.1:${p}/metrics`],
  ] as const) {
    const { child: c, err } = await serving(listen);
    try {
      const port = /:(\d+)\/metrics/.exec(err)![1];
      const r = await fetch(url(port));
      assert.equal(r.status, 200, listen);
    } finally {
      c.kill('SIGKILL');
    }
  }
});

test('--listen with an address that is not one: exit 2 naming the flag, checked before listening', async () => {
  const port = await freePort();
  const cases: [string, RegExp][] = [
    // Was "cannot listen on 256.1.1.1:PORT: ENOTFOUND", exit 1 (Node's listen took it for a name).
    [`256.1.1.1:${port}`, /^sockscope: --listen: '256\.1\.1\.1' is not an IP address: an IPv4 address is four numbers 0-255/],
    [`[fe80::1%nosuch0]:${port}`, /^sockscope: --listen: the zone 'nosuch0' after % names no network interface of this host/],
    [`nosuch-host.invalid:${port}`, /^sockscope: --listen: 'nosuch-host\.invalid' is not an IP address and does not resolve \((ENOTFOUND|EAI_NONAME|EAI_NODATA)\)/],
  ];
  for (const [listen, want] of cases) {
    const r = run(['export', '--listen', listen]);
    assert.equal(r.status, 2, `${listen}: ${r.stderr}`);
    assert.match(r.stderr, want, listen);
  }
});

test('--listen on a link-local address without its scope id: EINVAL explained as try listen does (the scope id), exit 1', async () => {
  const port = await freePort();
  // Was "cannot listen on [fe80::1]:PORT: EINVAL" and nothing more.
  const r = run(['export', '--listen', `[fe80::1]:${port}`]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^sockscope: cannot listen on \\[fe80::1\\]:${port}: EINVAL: fe80::1 is an IPv6 link-local address \\(fe80::/10\\): listen needs its scope id, the interface it belongs to, as in \\[fe80::1%[\\w.-]+\\]:${port}`));
  assert.match(r.stderr, new RegExp(`sockscope export --listen '\\[fe80::1%[\\w.-]+\\]:${port}'`));
  assert.doesNotMatch(r.stderr, /sockscope try listen/);
  // try listen says the same about the same address.
  const t = spawnSync(process.execPath, [BIN, 'try', 'listen', `[fe80::1]:${port}`], { encoding: 'utf8' });
  assert.match(t.stdout, /fe80::1 is an IPv6 link-local address \(fe80::\/10\): listen needs its scope id/);
});

test('--listen localhost:PORT still serves (a name that resolves binds its first address)', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const c = spawn(process.execPath, [BIN, 'export', '--listen', `localhost:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let err = '';
    await new Promise<void>((resolve, reject) => {
      c.stderr!.on('data', (d) => {
        err += d;
        if (err.includes('serving http://')) resolve();
      });
      c.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    const url = /serving (\S+)/.exec(err)![1];
    assert.equal((await fetch(url)).status, 200, err);
  } finally {
    c.kill('SIGKILL');
  }
});

// Review s19 export #3: `--listen 127.0.0.1:019941` was refused with "port must be 0-65535, got '019941'" (19941 is
// in range) while `--listen 019941` served on 19941. One rule for both forms, the one analyze's --port and
// --peer-port follow: a decimal number, leading zeros allowed, 0-65535.
test('--listen with leading zeros in the port: HOST:PORT, [v6]:PORT and PORT alone read it as --port does', { timeout: 60_000 }, async () => {
  const cases: [string, string | undefined][] = [
    [`127.0.0.1:0${await freePort()}`, 'http://127.0.0.1'],
    [`[::1]:00${await freePort('::1')}`, 'http://[::1]'],
    [`localhost:0${await freePort()}`, undefined],
    [`0${await freePort()}`, 'http://127.0.0.1'],
  ];
  for (const [text, base] of cases) {
    const want = Number(/(\d+)$/.exec(text)![1]);
    const { child: c, err } = await serving(text);
    try {
      const served = /serving (\S+)/.exec(err)![1]!;
      assert.ok(served.endsWith(`:${want}/metrics`), `${text}: ${err}`);
      if (base) assert.equal(served, `${base}:${want}/metrics`);
      assert.equal((await fetch(served)).status, 200, text);
    } finally {
      c.kill('SIGKILL');
    }
  }
  // Out of range with or without leading zeros, in either form: the same rule, named with the flag.
  for (const text of ['127.0.0.1:070000', '070000', '[::1]:0065536', '127.0.0.1:99999']) {
    const r = run(['export', '--listen', text]);
    assert.equal(r.status, 2, `${text}: ${r.stderr}`);
    const port = /(\d+)$/.exec(text)![1];
    assert.match(r.stderr, new RegExp(`^sockscope: --listen: port must be 0-65535, got '${port}'`), text);
  }
  // analyze's --port reads leading zeros the same way.
  const a = spawnSync(process.execPath, [BIN, 'analyze', '--port', '019941', '--json'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /"port": ?19941\b/);
});
