// Winsock UDP servers (--platform windows, and the Windows side of --platform portable) set
// SO_EXCLUSIVEADDRUSE before bind(), as the TCP ones do (checklist: "SO_REUSEADDR on Windows lets
// another process steal the port: servers use SO_EXCLUSIVEADDRUSE"). Not setting SO_REUSEADDR is
// enough on POSIX, but on Windows another program that sets SO_REUSEADDR can bind the port anyway
// and take the datagrams unless this socket is exclusive. Each file is compiled with the MinGW cross
// compiler (-Werror), and what the compiler itself sees is checked: the Windows side preprocessed
// by MinGW (the POSIX side of the portable file by gcc) has configure_socket() fail unless
// SO_EXCLUSIVEADDRUSE is set, before anything else it does, and open_listener() calls
// configure_socket() before bind(). Running them needs wine (c-wine.test.ts), which this does not.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServer, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import * as h from './harness.js';
import { STRICT_FLAGS } from './c-runtime.js';

const MINGW = 'x86_64-w64-mingw32-gcc';

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The body of C function `name` in preprocessed (-P) or plain source: from its definition to the first `}` in column 0. */
function functionBody(src: string, signature: string): string {
  const at = src.indexOf(`\n${signature}`);
  assert.ok(at >= 0, `${signature} not found`);
  const end = src.indexOf('\n}', at);
  return src.slice(at, end + 2);
}

const OPTION_SETS: GeneratorInput[] = [{}, { ipv6: true, dualStack: true }, { comments: false }, { rcvbuf: 1 << 20, sndbuf: 1 << 20 }];

describe('Winsock UDP servers set SO_EXCLUSIVEADDRUSE before bind()', () => {
  for (const platform of ['windows', 'portable'] as const) {
    for (const ioModel of ['select', 'poll']) {
      const sets = platform === 'portable' ? [...OPTION_SETS, { reusePort: true }] : OPTION_SETS;
      test(`c ${platform} ${ioModel} udp (${sets.length} option sets, MinGW -Werror)`, { timeout: 120_000 }, () => {
        assert.ok(h.haveTool(MINGW), `${MINGW} is missing (apt-get install mingw-w64)`);
        const dir = mkdtempSync(join(tmpdir(), 'sockscope-winudp-'));
        try {
          sets.forEach((extra, k) => {
            const what = `${platform} ${ioModel} ${JSON.stringify(extra)}`;
            const src = generateServer({ type: 'udp', handler: 'echo', language: 'c', platform, ioModel, port: 0, ...extra }, { config: DEFAULT_CONFIG }).files[0].content;
            const file = `udp-${k}.c`;
            writeFileSync(join(dir, file), src);
            run(MINGW, [...STRICT_FLAGS, '-O2', '-o', `udp-${k}.exe`, file, '-lws2_32'], dir);
            assert.match(functionBody(src, 'static int set_exclusive_address(sock_t s)'), /set_option\(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1, "SO_EXCLUSIVEADDRUSE"\)/, what);

            // What MinGW compiles: the option is set first, a failure stops the bind, no SO_REUSEADDR/SO_REUSEPORT.
            const win = run(MINGW, ['-std=c11', '-E', '-P', file], dir);
            const configure = functionBody(win, 'static int configure_socket(sock_t s, int family)');
            const set = configure.search(/if \(set_exclusive_address\(s\) != 0\)\s*return -1;/);
            assert.ok(set >= 0, `${what}: configure_socket does not set SO_EXCLUSIVEADDRUSE:\n${configure}`);
            for (const later of ['set_option(', 'enable_reply_source(', 'WSAIoctl(', 'return 0;'])
              assert.ok(configure.indexOf(later) > set, `${what}: ${later} before SO_EXCLUSIVEADDRUSE:\n${configure}`);
            assert.doesNotMatch(configure, /"SO_REUSEADDR"|"SO_REUSEPORT"/, `${what}: reuse option on Windows`);
            const open = functionBody(win, 'static sock_t open_listener(const char *address, const char *port)');
            assert.match(open, /if \(configure_socket\(s, ai->ai_family\) == 0\) \{\s*if \(bind\(s, /, `${what}: bind() not after configure_socket():\n${open}`);

            if (platform === 'portable') {
              // The POSIX side: no SO_REUSEADDR on UDP, nothing Windows-only; SO_REUSEPORT only when asked.
              const posix = run('gcc', ['-std=c11', '-E', '-P', file], dir);
              const cfg = functionBody(posix, 'static int configure_socket(sock_t s, int family)');
              assert.doesNotMatch(cfg, /set_exclusive_address|"SO_REUSEADDR"/, `${what}: POSIX side`);
              assert.equal(/"SO_REUSEPORT"/.test(cfg), extra.reusePort === true, `${what}: SO_REUSEPORT on the POSIX side`);
              run('gcc', [...STRICT_FLAGS, '-O2', '-o', `udp-${k}`, file], dir);
            }
          });
        } finally {
          h.cleanup(dir);
        }
      });
    }
  }
  test('--reuse-port is refused for --platform windows (no SO_REUSEPORT there to conflict with SO_EXCLUSIVEADDRUSE)', () => {
    assert.throws(() => generateServer({ type: 'udp', language: 'c', platform: 'windows', reusePort: true }, { config: DEFAULT_CONFIG }), /Windows has no SO_REUSEPORT/);
  });
});
