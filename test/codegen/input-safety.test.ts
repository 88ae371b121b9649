// Free text that reaches generated source (--bind in string literals, --output in the header comments):
// bad values exit 2 with one line naming the flag and the rule; good ones, however odd, give code that
// compiles under gcc/clang -Werror, py_compile and node --check, and a server bound to a host name
// answers on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServer, GeneratorOptionsError, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { cleanup, echoOnce, haveTool, LOOPBACK4 } from './harness.js';
import { STRICT_FLAGS, withCServer } from './c-runtime.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });

const BAD_BINDS = [
  'a\nb',
  'x??/',
  '??=define',
  'host\u0007',
  '127.0.0.1"; system("id"); "',
  "127.0.0.1'\n",
  'a\\b',
  '999.1.1.1',
  'two words',
  '$(id)',
  'fe80::1%eth0\n',
  'x*/y',
  '\u2028',
  'host_name',
  '-lead.example',
];

test('--bind that is not an IP address or host name exits 2 with one line naming the flag and the rule', () => {
  BAD_BINDS.forEach((bind, k) => {
    // Every value through the library for each language; through the CLI once (rotating languages).
    for (const language of ['c', 'python', 'node'] as const) {
      assert.throws(() => generateServer({ language, bindAddress: bind }, { config: DEFAULT_CONFIG }), /^GeneratorOptionsError: --bind must be/);
    }
    {
      const language = ['c', 'python', 'node'][k % 3];
      const r = run(['generate-server', '--language', language, `--bind=${bind}`, '--stdout']);
      assert.equal(r.status, 2, `${JSON.stringify(bind)} ${language}: exit ${r.status}\n${r.stdout.slice(0, 200)}${r.stderr}`);
      assert.equal(r.stdout, '', 'no code printed');
      assert.match(r.stderr, /--bind must be an IP address .* or a host name/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
  // The library and automation inputs go through the same rule.
  assert.throws(() => generateServer({ language: 'c', bindAddress: 'x??/' }, { config: DEFAULT_CONFIG }), GeneratorOptionsError);
  assert.throws(
    () => generateServer({ operation: 'generate', type: 'tcp-server', config: { bindAddress: 'a\nb' } }, { config: DEFAULT_CONFIG }),
    /--bind must be/,
  );
});

test('--output with a line break or control character exits 2 (it is written into the header comment)', () => {
  for (const out of ['x\nimport os', 'x\r.py', 'srv\u2028.mjs', 'a\u0007b.c']) {
    for (const language of ['c', 'python', 'node']) {
      // --json (not --stdout, which is exclusive with --output): refused before anything is written.
      const r = run(['generate-server', '--language', language, '--output', out, '--json']);
      assert.equal(r.status, 2, `${JSON.stringify(out)} ${language}: exit ${r.status}\n${r.stderr}`);
      assert.match(r.stderr, /--output must be a file name without control characters/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  }
  // An io model with a line break: still one line.
  const r = run(['generate-server', '--language', 'c', '--io-model', 'ep\noll', '--stdout']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test('an output path that names no file (empty, a directory path) is refused by the generator itself', () => {
  const refused = (output: string, re: RegExp) =>
    assert.throws(() => generateServer({ language: 'python' }, { config: DEFAULT_CONFIG, output }), (e: unknown) => e instanceof GeneratorOptionsError && re.test((e as Error).message));
  refused('', /^--output needs a file path, got ""$/);
  refused('  ', /^--output needs a file path, got " {2}"$/);
  refused('out/', /^--output names the file to write, got the directory path "out\/"; add a file name \(e\.g\. out\/server\.py\)$/);
  refused('.', /directory path "\."; add a file name \(e\.g\. \.\/server\.py\)/);
  refused('a/..', /directory path "a\/\.\."/);
  // Names that only look like those are files.
  for (const ok of ['out/.x.py', 'x.', '..py']) assert.equal(generateServer({ language: 'python' }, { config: DEFAULT_CONFIG, output: ok }).files[0].path, ok);
});

/** Accepted binds and odd-but-legal output paths that land in literals and comments. */
const GOOD: { bind: string; output: string }[] = [
  { bind: '127.0.0.1', output: 'we ird??/x*/y.c' },
  { bind: '::1', output: "it's \"q\"??=/s.c" },
  { bind: 'localhost', output: 'a\\b??/.c' },
  { bind: 'fe80::1%lo', output: 'srv.c' },
  { bind: 'host-1.example.', output: 'dir??/??/.c' },
  // '/*' inside the header block comment is -Wcomment (an error under -Werror with clang).
  { bind: '10.0.0.1', output: 'dir/??=??/*.c' },
  { bind: '0.0.0.0', output: '*/*/*.c' },
];

test('accepted --bind values and odd --output paths give C that compiles with gcc and clang -Werror', { timeout: 120_000 }, () => {
  for (const cc of ['gcc', 'clang']) {
    if (!haveTool(cc)) {
      assert.ok(process.env.CI !== 'true', `${cc} is missing (apt-get install ${cc})`);
      return;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-safety-'));
  try {
    const failures: string[] = [];
    let n = 0;
    for (const { bind, output } of GOOD) {
      for (const ioModel of ['epoll', 'io_uring']) {
        for (const type of ['tcp', 'udp'] as const) {
          const input: GeneratorInput = { language: 'c', ioModel, type, bindAddress: bind };
          const r = generateServer(input, { config: DEFAULT_CONFIG, output });
          const src = join(dir, `s${n++}.c`);
          writeFileSync(src, r.files[0].content);
          for (const cc of ['gcc', 'clang']) {
            const c = spawnSync(cc, [...STRICT_FLAGS, '-c', '-o', '/dev/null', src], { encoding: 'utf8', timeout: 60_000 });
            if (c.status !== 0) failures.push(`${cc} ${JSON.stringify({ ...input, output })}:\n${c.stderr}`);
          }
        }
      }
    }
    assert.deepEqual(failures, [], failures.join('\n\n'));
  } finally {
    cleanup(dir);
  }
});

test('accepted --bind values and odd --output paths give Python and JavaScript that parse', { timeout: 120_000 }, () => {
  assert.ok(haveTool('python3') || process.env.CI !== 'true', 'python3 is missing');
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-safety-'));
  try {
    const failures: string[] = [];
    let n = 0;
    for (const { bind } of GOOD) {
      for (const [language, ext] of [['python', 'py'], ['node', 'mjs']] as const) {
        for (const type of ['tcp', 'udp'] as const) {
          const output = `x\\y??/'"*/ z.${ext}`;
          const r = generateServer({ language, type, bindAddress: bind }, { config: DEFAULT_CONFIG, output });
          const src = join(dir, `s${n++}.${ext}`);
          writeFileSync(src, r.files[0].content);
          const c =
            language === 'python'
              ? haveTool('python3')
                ? spawnSync('python3', ['-m', 'py_compile', src], { encoding: 'utf8' })
                : null
              : spawnSync(process.execPath, ['--check', src], { encoding: 'utf8' });
          if (c && c.status !== 0) failures.push(`${language} ${type} ${JSON.stringify(bind)}:\n${c.stderr}`);
        }
      }
    }
    assert.deepEqual(failures, [], failures.join('\n\n'));
  } finally {
    cleanup(dir);
  }
});

test('a C server bound to the host name localhost echoes on loopback', { timeout: 60_000 }, async () => {
  if (!haveTool('cc')) {
    assert.ok(process.env.CI !== 'true', 'cc is missing');
    return;
  }
  await withCServer({ ioModel: 'epoll', bindAddress: 'localhost', port: 0 }, LOOPBACK4, async (srv) => {
    const payload = Buffer.from('hello over a host name');
    assert.deepEqual(await echoOnce(srv.port, LOOPBACK4, payload), payload);
  });
});
