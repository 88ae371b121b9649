// Checklist: "TCP_NODELAY on each accepted socket". Every TCP server (C epoll/poll/select/io_uring,
// Python asyncio/selectors/threads, Node) is started with the default options on loopback, a client
// connects and gets its echo, and the accepted socket's TCP_NODELAY is read from the kernel
// (inspectOptions: pidfd_getfd + getsockopt). With --no-tcp-nodelay it must be off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { inspectOptions } from '../../src/api/inspect.js';
import { generateServer, resolveOptions, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import * as h from './harness.js';
import { withCServer } from './c-runtime.js';
import { withServer } from './runtime-suite.js';

/** TCP_NODELAY of the server's side of one established connection on `port`, as the kernel reports it. */
async function acceptedNodelay(srv: h.RunningServer): Promise<unknown> {
  const payload = Buffer.from('nodelay?');
  const s = await new Promise<import('node:net').Socket>((resolve, reject) => {
    import('node:net').then((net) => {
      const c = net.connect(srv.port, h.LOOPBACK4, () => resolve(c));
      c.once('error', reject);
    }, reject);
  });
  try {
    const got = await h.within(
      5000,
      new Promise<Buffer>((resolve) => {
        let b = Buffer.alloc(0);
        s.on('data', (d: Buffer) => {
          b = Buffer.concat([b, d]);
          if (b.length >= payload.length) resolve(b);
        });
        s.write(payload);
      }),
      'echo',
    );
    assert.deepEqual(got, payload);
    const local = s.localPort;
    const ss = spawnSync('ss', ['-tneH', 'state', 'established', `( sport = :${srv.port} and dport = :${local} )`], { encoding: 'utf8' });
    assert.equal(ss.status, 0, ss.stderr);
    const ino = /ino:(\d+)/.exec(ss.stdout);
    assert.ok(ino && ino[1] !== '0', `no server-side socket for port ${srv.port} <- ${local}:\n${ss.stdout}`);
    const r = await inspectOptions({ inode: Number(ino[1]), options: ['TCP_NODELAY'] });
    const row = r.options.find((o) => o.name === 'TCP_NODELAY');
    assert.ok(row && row.source === 'getsockopt', `TCP_NODELAY not read from the socket: ${JSON.stringify(row)}`);
    return row.value;
  } finally {
    s.destroy();
  }
}

const VARIANTS: { label: string; input: GeneratorInput; c: boolean }[] = [
  ...['epoll', 'poll', 'select', 'io_uring'].map((ioModel) => ({ label: `c ${ioModel}`, input: { language: 'c' as const, ioModel }, c: true })),
  ...['asyncio', 'selectors', 'threads'].map((ioModel) => ({ label: `python ${ioModel}`, input: { language: 'python' as const, ioModel }, c: false })),
  { label: 'node event-loop', input: { language: 'node' as const }, c: false },
];

for (const v of VARIANTS) {
  test(`${v.label}: TCP_NODELAY is on by default on each accepted socket, off with tcpNodelay: false`, { timeout: 90_000 }, async () => {
    const need = v.c ? 'cc' : v.input.language === 'python' ? 'python3' : null;
    for (const tool of ['ss', ...(need ? [need] : [])]) {
      if (!h.haveTool(tool, tool === 'ss' ? ['-V'] : ['--version'])) {
        assert.ok(process.env.CI !== 'true', `${tool} is missing`);
        return;
      }
    }
    for (const [extra, want] of [
      [{}, true],
      [{ tcpNodelay: false }, false],
    ] as const) {
      const input: GeneratorInput = { ...v.input, ...extra, type: 'tcp', handler: 'echo', bindAddress: h.LOOPBACK4, port: 0 };
      const check = async (srv: h.RunningServer) => {
        assert.equal(await acceptedNodelay(srv), want, `${v.label} ${JSON.stringify(extra)}; stderr: ${srv.stderr()}`);
      };
      if (v.c) await withCServer(input, h.LOOPBACK4, check);
      else await withServer(input, h.LOOPBACK4, check);
    }
  });
}

test('tcpNodelay: default on for tcp, off for udp; --no-tcp-nodelay in the regenerate line; profiles still refuse it off', () => {
  assert.equal(resolveOptions({ type: 'tcp' }, DEFAULT_CONFIG).tcpNodelay, true);
  assert.equal(resolveOptions({ type: 'udp' }, DEFAULT_CONFIG).tcpNodelay, false);
  // Either way the option does not apply to UDP: refused alike (false used to pass silently).
  assert.throws(() => resolveOptions({ type: 'udp', tcpNodelay: false }, DEFAULT_CONFIG), /--no-tcp-nodelay applies to --type tcp only/);
  assert.throws(() => resolveOptions({ type: 'udp', tcpNodelay: true }, DEFAULT_CONFIG), /--tcp-nodelay applies to --type tcp only/);
  assert.throws(() => resolveOptions({ profile: 'latency', tcpNodelay: false, language: 'c' }, DEFAULT_CONFIG), /drop --no-tcp-nodelay/);
  const off = generateServer({ language: 'python', tcpNodelay: false }, { config: DEFAULT_CONFIG }).files[0].content;
  assert.match(off, /tcpNodelay=false/);
  assert.match(off, /# Regenerate: .* --no-tcp-nodelay/);
  assert.match(off, /^TCP_NODELAY = False$/m);
  const on = generateServer({ language: 'python' }, { config: DEFAULT_CONFIG }).files[0].content;
  assert.match(on, /tcpNodelay=true/);
  assert.doesNotMatch(on, /# Regenerate: .*tcp-nodelay/);
  // Automation input carries the option as before.
  const a = generateServer({ operation: 'generate', type: 'tcp-server', config: { language: 'node', tcpNodelay: false } }, { config: DEFAULT_CONFIG });
  assert.equal(a.options.tcpNodelay, false);
  assert.match(a.files[0].content, /^const TCP_NODELAY = false;$/m);
});

test('CLI: --no-tcp-nodelay turns it off, --tcp-nodelay is still accepted; with udp both are refused alike', () => {
  const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
  const run = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const off = run(['generate-server', '--language', 'c', '--no-tcp-nodelay', '--stdout']);
  assert.equal(off.status, 0, off.stderr);
  assert.match(off.stdout, /tcpNodelay=false/);
  assert.doesNotMatch(off.stdout, /TCP_NODELAY, 1/);
  const def = run(['generate-server', '--language', 'c', '--stdout']);
  assert.equal(def.status, 0, def.stderr);
  assert.match(def.stdout, /set_option\(s, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY"\)/);
  const on = run(['generate-server', '--language', 'c', '--tcp-nodelay', '--stdout']);
  assert.equal(on.status, 0, on.stderr);
  assert.equal(on.stdout, def.stdout);
  for (const flag of ['--no-tcp-nodelay', '--tcp-nodelay']) {
    const udp = run(['generate-server', '--type', 'udp', '--language', 'python', flag, '--stdout']);
    assert.equal(udp.status, 2, `${flag}: ${udp.stderr}`);
    assert.equal(udp.stdout, '');
    assert.equal(udp.stderr, `sockscope: ${flag} applies to --type tcp only (UDP has ${flag === '--tcp-nodelay' ? 'no connections' : 'no Nagle algorithm to turn off'})\n`);
  }
});

test('wizard: the TCP_NODELAY step starts on yes, and no gives tcpNodelay: false', async () => {
  const { STEPS } = await import('../../src/ui/wizard/steps.js');
  const step = STEPS.find((s) => s.id === 'tcpNodelay')!;
  assert.equal(step.initial({ type: 'tcp' }, DEFAULT_CONFIG), 'yes');
  assert.equal(step.initial({ type: 'tcp', tcpNodelay: false }, DEFAULT_CONFIG), 'no');
  assert.equal(step.apply({ type: 'tcp' }, 'no').tcpNodelay, false);
});
