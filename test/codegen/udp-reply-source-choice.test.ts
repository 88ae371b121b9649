// Which source address the generated UDP servers choose for a reply, from the IPv4 packet info of the
// datagram (review of the codegen diff, #4 and #6). A datagram sent to a multicast group or to
// 255.255.255.255 must not make its destination the reply's source (a send from such a source fails
// or is dropped, so the reply is lost): routing picks a unicast one. Linux fills ipi_spec_dst (the
// interface's address for a broadcast); macOS leaves it 0 and gives only ipi_addr; Windows has only
// ipi_addr. These cases cannot be produced on Linux (the kernel always fills ipi_spec_dst) nor under
// wine (it ignores the source), so the servers' own take_reply_source()/reply_source() are called on
// built packet info: the generated C file is #included by a small driver (gcc -Werror for POSIX,
// MinGW -Werror run under wine for Winsock), and the generated Python module is imported. The Winsock
// fallback to sendto() when WSASendMsg refuses a source is compiled (-Werror) but not run: nothing
// here makes WSASendMsg refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { generateServer, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { STRICT_FLAGS } from './c-runtime.js';
import * as h from './harness.js';

const MINGW = 'x86_64-w64-mingw32-gcc';

/** [ipi_spec_dst, ipi_addr, the reply's source or "routing"] */
const POSIX_CASES: [string, string, string][] = [
  ['192.0.2.1', '192.0.2.10', '192.0.2.1'], // Linux: spec_dst, the local address the datagram was for
  ['192.0.2.1', '255.255.255.255', '192.0.2.1'], // Linux broadcast: the interface's address
  ['0.0.0.0', '192.0.2.10', '192.0.2.10'], // macOS: only ipi_addr
  ['0.0.0.0', '255.255.255.255', 'routing'], // macOS broadcast
  ['0.0.0.0', '224.0.0.251', 'routing'], // macOS multicast (mDNS)
  ['0.0.0.0', '239.1.2.3', 'routing'],
];
/** [ipi_addr, the reply's source or "routing"] */
const WIN_CASES: [string, string][] = [
  ['192.0.2.10', '192.0.2.10'],
  ['255.255.255.255', 'routing'],
  ['224.0.0.251', 'routing'],
  ['239.1.2.3', 'routing'],
];

function generate(input: GeneratorInput): { dir: string; main: string } {
  const r = generateServer({ port: 0, type: 'udp', ...input }, { config: DEFAULT_CONFIG });
  const { dir } = h.materialize(r);
  return { dir, main: r.files[0].path };
}

function run(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 180_000, env });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

test('C POSIX: IPv4 reply source from ipi_spec_dst, else ipi_addr unless multicast or 255.255.255.255', () => {
  const { dir, main } = generate({ language: 'c', ioModel: 'epoll' });
  try {
    const calls = POSIX_CASES.map(([spec, addr]) => `    check("${spec}", "${addr}");`).join('\n');
    writeFileSync(
      join(dir, 'driver.c'),
      `#define main generated_main
#include "${main}"
#undef main
#include <arpa/inet.h>

static void check(const char *spec, const char *addr)
{
    _Alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(struct in_pktinfo))];
    struct msghdr msg;
    struct cmsghdr *cm;
    struct in_pktinfo pi, out;
    struct reply_source src;
    char text[INET_ADDRSTRLEN];

    memset(&msg, 0, sizeof msg);
    memset(control, 0, sizeof control);
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = IPPROTO_IP;
    cm->cmsg_type = IP_PKTINFO;
    cm->cmsg_len = CMSG_LEN(sizeof pi);
    memset(&pi, 0, sizeof pi);
    pi.ipi_ifindex = 3;
    inet_pton(AF_INET, spec, &pi.ipi_spec_dst);
    inet_pton(AF_INET, addr, &pi.ipi_addr);
    memcpy(CMSG_DATA(cm), &pi, sizeof pi);
    take_reply_source(&msg, &src);
    if (src.len == 0) {
        printf("%s %s routing\\n", spec, addr);
        return;
    }
    memcpy(&out, CMSG_DATA((struct cmsghdr *)(void *)src.buf), sizeof out);
    inet_ntop(AF_INET, &out.ipi_spec_dst, text, sizeof text);
    printf("%s %s %s ifindex=%d\\n", spec, addr, text, out.ipi_ifindex);
}

int main(void)
{
${calls}
    return 0;
}
`,
    );
    run('gcc', [...STRICT_FLAGS, '-O2', '-o', 'driver', 'driver.c'], dir);
    const got = run(join(dir, 'driver'), [], dir).trim().split('\n');
    assert.deepEqual(got, POSIX_CASES.map(([s, a, want]) => (want === 'routing' ? `${s} ${a} routing` : `${s} ${a} ${want} ifindex=0`)));
  } finally {
    h.cleanup(dir);
  }
});

test('C Winsock (MinGW -Werror, run under wine): IPv4 reply source is ipi_addr unless multicast or 255.255.255.255', () => {
  const wine = ['/usr/lib/wine/wine64', '/usr/bin/wine64', '/usr/bin/wine'].find((p) => existsSync(p));
  assert.ok(h.haveTool(MINGW), `${MINGW} is missing (apt-get install mingw-w64)`);
  assert.ok(wine, 'wine is not installed (apt-get install --no-install-recommends wine64)');
  const { dir, main } = generate({ language: 'c', ioModel: 'select', platform: 'windows' });
  const prefix = mkdtempSync(join(tmpdir(), 'sockscope-wine-'));
  try {
    const calls = WIN_CASES.map(([addr]) => `    check("${addr}");`).join('\n');
    writeFileSync(
      join(dir, 'driver.c'),
      `#define main generated_main
#include "${main}"
#undef main

static void check(const char *addr)
{
    _Alignas(WSACMSGHDR) char control[WSA_CMSG_SPACE(sizeof(IN_PKTINFO))];
    WSAMSG msg;
    WSACMSGHDR *cm;
    IN_PKTINFO pi, out;
    struct reply_source src;

    memset(&msg, 0, sizeof msg);
    memset(control, 0, sizeof control);
    msg.Control.buf = control;
    msg.Control.len = (ULONG)sizeof control;
    cm = WSA_CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = IPPROTO_IP;
    cm->cmsg_type = IP_PKTINFO;
    cm->cmsg_len = WSA_CMSG_LEN(sizeof pi);
    memset(&pi, 0, sizeof pi);
    pi.ipi_ifindex = 3;
    pi.ipi_addr.s_addr = inet_addr(addr);
    memcpy(WSA_CMSG_DATA(cm), &pi, sizeof pi);
    take_reply_source(&msg, &src);
    if (src.len == 0) {
        printf("%s routing\\n", addr);
        return;
    }
    memcpy(&out, WSA_CMSG_DATA((WSACMSGHDR *)(void *)src.buf), sizeof out);
    printf("%s %s ifindex=%lu\\n", addr, inet_ntoa(out.ipi_addr), (unsigned long)out.ipi_ifindex);
}

int main(void)
{
${calls}
    fflush(stdout);
    return 0;
}
`,
    );
    // The server file itself with -Werror (the sendto() fallback after a refused WSASendMsg is in it).
    run(MINGW, [...STRICT_FLAGS, '-O2', '-c', '-o', 'server.o', main], dir);
    run(MINGW, [...STRICT_FLAGS, '-O2', '-o', 'driver.exe', 'driver.c', '-lws2_32'], dir);
    const got = run(wine!, ['./driver.exe'], dir, { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all' })
      .replace(/\r/g, '')
      .trim()
      .split('\n');
    assert.deepEqual(got, WIN_CASES.map(([a, want]) => (want === 'routing' ? `${a} routing` : `${a} ${want} ifindex=0`)));
  } finally {
    spawnSync(wine!.replace(/wine(64)?$/, 'wineserver'), ['-k'], { env: { ...process.env, WINEPREFIX: prefix }, timeout: 20_000 });
    h.cleanup(prefix);
    h.cleanup(dir);
  }
});

test('Python: IP_PKTINFO is known on macOS (26) as on Linux (8); the IPv4 reply source as in C', () => {
  const { dir, main } = generate({ language: 'python', ioModel: 'selectors' });
  try {
    const cases = JSON.stringify(POSIX_CASES);
    const script = `
import importlib.util, json, socket, struct, sys
real = sys.platform
got = {}
for platform in ("linux", "darwin"):
    sys.platform = platform
    had = getattr(socket, "IP_PKTINFO", None)
    if had is not None:
        delattr(socket, "IP_PKTINFO")  # as on Python versions that do not name it
    spec = importlib.util.spec_from_file_location("server_" + platform, ${JSON.stringify(main)})
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if had is not None:
        socket.IP_PKTINFO = had
    got[platform] = mod.IP_PKTINFO
sys.platform = real
lines = []
for s, a, want in json.loads(${JSON.stringify(cases)}):
    anc = [(socket.IPPROTO_IP, mod.IP_PKTINFO, struct.pack("@i", 3) + socket.inet_aton(s) + socket.inet_aton(a))]
    out = mod.reply_source(anc)
    if not out:
        lines.append("%s %s routing" % (s, a))
    else:
        value = out[0][2]
        lines.append("%s %s %s ifindex=%d" % (s, a, socket.inet_ntoa(value[4:8]), struct.unpack("@i", value[:4])[0]))
print(json.dumps({"values": got, "lines": lines}))
`;
    const out = JSON.parse(run('python3', ['-c', script], dir));
    assert.deepEqual(out.values, { linux: 8, darwin: 26 });
    assert.deepEqual(out.lines, POSIX_CASES.map(([s, a, want]) => (want === 'routing' ? `${s} ${a} routing` : `${s} ${a} ${want} ifindex=0`)));
  } finally {
    h.cleanup(dir);
  }
});
