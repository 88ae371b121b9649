// ssh's ConnectTimeout and the user's ssh_config (review of --host, session 16): sockscope passed
// -o ConnectTimeout=10 on ssh's command line, which overrides the config's (ssh takes the first value it
// obtains), so a relay that holds the banner 12 s failed at 10 s though the config said 40, and
// --ssh-timeout 30s could not raise it. Now ConnectTimeout follows --ssh-timeout (a second under it) and
// is left out when the user's config sets one (ssh -G). A real sshd on loopback behind a TCP relay here
// that holds the server's first bytes (the banner) for a while.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteSource } from '../../src/collect/remote.js';
import { connectTimeoutSeconds } from '../../src/collect/ssh-command.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';

/** A relay on loopback to `port` that forwards the server's bytes only `delayMs` after the connection. */
async function slowBannerRelay(port: number, delayMs: number): Promise<{ port: number; server: Server }> {
  const socks: Socket[] = [];
  const server = createServer((c) => {
    const up = connect(port, '127.0.0.1');
    socks.push(c, up);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
    c.pipe(up);
    up.pause();
    setTimeout(() => up.pipe(c), delayMs).unref();
  });
  server.on('close', () => socks.forEach((s) => s.destroy()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}

/** An ssh config for host `relay` through the relay, with `ConnectTimeout` when given. */
function relayConfig(dir: string, sshd: TestSshd, relayPort: number, name: string, connectTimeout?: number): string {
  const text = readFileSync(sshd.clientConfig, 'utf8')
    .replace(/^Host .*$/m, 'Host relay')
    .replace(/^\s*Port \d+$/m, `  Port ${relayPort}`)
    .replace(/^\s*UserKnownHostsFile .*$/m, '  UserKnownHostsFile /dev/null')
    .replace(/^\s*StrictHostKeyChecking .*$/m, '  StrictHostKeyChecking no\n  LogLevel ERROR');
  const file = join(dir, name);
  writeFileSync(file, connectTimeout !== undefined ? text.replace('Host relay\n', `Host relay\n  ConnectTimeout ${connectTimeout}\n`) : text);
  return file;
}

test('ConnectTimeout: a second under --ssh-timeout, 10 s without it', () => {
  assert.equal(connectTimeoutSeconds(undefined), 10);
  assert.equal(connectTimeoutSeconds(60_000), 59);
  assert.equal(connectTimeoutSeconds(1000), 1);
  const src = new RemoteSource(parseRemoteTarget('web1'), { timeoutMs: 45_000 });
  assert.match(src.sshArgs().join(' '), /-o ConnectTimeout=44 /);
  assert.doesNotMatch(src.sshArgs(true).join(' '), /ConnectTimeout/, "the user's config sets one: left to it");
});

test("the user's ConnectTimeout wins over sockscope's, and --ssh-timeout raises sockscope's (real sshd, a relay holding the banner)", { timeout: 90_000 }, async (t) => {
  const sshd = await startSshd();
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-ct-'));
  const relays: Server[] = [];
  t.after(() => {
    relays.forEach((r) => r.close());
    sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const relay = async (delayMs: number) => {
    const r = await slowBannerRelay(sshd.port, delayMs);
    relays.push(r.server);
    return r.port;
  };
  const collect = (config: string, timeoutMs?: number) => {
    const t0 = Date.now();
    return new RemoteSource(parseRemoteTarget('relay'), { configFile: config, ...(timeoutMs !== undefined ? { timeoutMs } : {}) })
      .collect({ protocols: ['tcp'], processes: 'none' })
      .then(
        (s) => ({ ok: true as const, ms: Date.now() - t0, text: s.hostname }),
        (e: Error) => ({ ok: false as const, ms: Date.now() - t0, text: e.message }),
      );
  };
  const [short, raised, long] = await Promise.all([
    // ConnectTimeout 2 in the config: ssh gives up at 2 s (it took the command line's 10 and waited).
    relay(5000).then((p) => collect(relayConfig(dir, sshd, p, 'short.cfg', 2), 30_000)),
    // No ConnectTimeout in the config, --ssh-timeout 30s: the 12 s banner is waited for (failed at 10 s).
    relay(12_000).then((p) => collect(relayConfig(dir, sshd, p, 'none.cfg'), 30_000)),
    // ConnectTimeout 40 in the config, the default limit (20 s without a byte): waited for (failed at 10 s).
    relay(12_000).then((p) => collect(relayConfig(dir, sshd, p, 'long.cfg', 40))),
  ]);
  assert.equal(short.ok, false, short.text);
  assert.match(short.text, /timed out/i);
  assert.ok(short.ms < 4500, `${short.ms} ms: ConnectTimeout 2 was not the one ssh used`);
  assert.ok(raised.ok, `--ssh-timeout 30s: ${raised.text} after ${raised.ms} ms`);
  assert.ok(long.ok, `ConnectTimeout 40 in the config: ${long.text} after ${long.ms} ms`);
});
