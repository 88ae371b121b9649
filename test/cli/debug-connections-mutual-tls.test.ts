// A TLS 1.3 server that requires a client certificate (openssl s_server -Verify 1) sends its alert after the client's
// 'secureConnect': debug-connections said "certificate verifies ... accepts connections" (ok: true), and with
// --send/--expect printed the raw ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED (unescaped, with OpenSSL's newline) and
// "the service may wait for another request" (review s25 #1). A proxy that holds the server's alert back for 800 ms
// makes it come during the exchange instead of during the handshake's watch.
// Needs openssl (as in CI): fails, never skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { sockscopeAsync } from '../collect/getsockopt-helpers.js';
import { freePort } from '../helpers/free-port.js';
import { tlsCerts } from '../helpers/tls-certs.js';

const run = (args: string[], env: Record<string, string> = {}) => sockscopeAsync(args, { env });

/** openssl s_server on 127.0.0.1:port requiring a client certificate; resolves once it accepts connections. */
async function mutualTlsServer(t: { after(fn: () => void): void }, port: number, chain: string, key: string): Promise<ChildProcess> {
  const s = spawn('openssl', ['s_server', '-quiet', '-accept', `127.0.0.1:${port}`, '-cert', chain, '-key', key, '-Verify', '1'], { stdio: ['pipe', 'ignore', 'ignore'] });
  t.after(() => s.kill('SIGKILL'));
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((res) => {
      const c = connect(port, '127.0.0.1', () => (c.destroy(), res(true)));
      c.on('error', () => res(false));
    });
    if (up) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('openssl s_server did not listen');
}

test('a TLS 1.3 server that requires a client certificate: the handshake fails with plain words, not "accepts connections"', { timeout: 60_000 }, async (t) => {
  const certs = tlsCerts(t);
  const lh = certs.leaf('localhost', { cn: 'localhost', san: 'DNS:localhost' });
  const port = await freePort();
  await mutualTlsServer(t, port, lh.chain, lh.key);
  const env = { NODE_EXTRA_CA_CERTS: certs.ca };
  const r = await run(['debug-connections', '--address', `localhost:${port}`, '--tls', '--json'], env);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  const a = doc.addresses.find((x: { address: string }) => x.address === '127.0.0.1');
  assert.equal(a.connect.ok, true);
  assert.equal(a.tls.ok, false, JSON.stringify(a.tls));
  assert.equal(a.tls.explanation, 'the server requires a client certificate (mutual TLS)');
  assert.match(a.tls.error, /^ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: .*certificate required/);
  assert.doesNotMatch(a.tls.error, /\n$/);
  assert.equal(a.tls.protocol, 'TLSv1.3');
  assert.equal(a.tls.subject, 'CN=localhost'); // the certificate came before the alert, and is kept
  assert.equal(doc.verdict.ok, false);
  assert.match(doc.verdict.summary, /the TLS handshake with 127\.0\.0\.1 failed: the server requires a client certificate \(mutual TLS\)/);
  assert.ok(doc.verdict.nextSteps.some((s: string) => s.includes('-cert CLIENT.crt -key CLIENT.key')), doc.verdict.nextSteps.join('\n'));

  const text = (await run(['debug-connections', '--address', `localhost:${port}`, '--tls', '--send', 'GET /\\r\\n', '--expect', 'HTTP'], env)).stdout;
  assert.match(text, /\n {2}tls: +failed after a TLSv1\.3 handshake in [\d.]+ ms: the server requires a client certificate \(mutual TLS\)\n {2}detail: +ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: /, text);
  assert.match(text, /\n {2}subject: +CN=localhost\n/);
  assert.doesNotMatch(text, /accepts connections|certificate verifies|may wait for another request/, text);
  assert.match(text, /^Verdict: localhost:\d+ accepts TCP connections, but the TLS handshake with 127\.0\.0\.1 failed: the server requires a client certificate \(mutual TLS\)$/m, text);
});

test('a client-certificate alert that comes during --send/--expect: said as the TLS failure, escaped, on one line', { timeout: 60_000 }, async (t) => {
  const certs = tlsCerts(t);
  const lh = certs.leaf('localhost', { cn: 'localhost', san: 'DNS:localhost' });
  const port = await freePort();
  await mutualTlsServer(t, port, lh.chain, lh.key);
  // Between sockscope and s_server: the server's first flight passes at once, whatever follows (the alert) 800 ms later.
  const proxy = createServer((c) => {
    const up = connect(port, '127.0.0.1');
    let chunks = 0;
    up.on('data', (d) => (chunks++ === 0 ? c.write(d) : setTimeout(() => c.write(d), 800)));
    c.on('data', (d) => up.write(d));
    for (const s of [c, up]) s.on('error', () => {});
    up.on('end', () => setTimeout(() => c.end(), 900));
  });
  const pport = await new Promise<number>((res) => proxy.listen(0, '127.0.0.1', () => res((proxy.address() as { port: number }).port)));
  t.after(() => proxy.close());
  const env = { NODE_EXTRA_CA_CERTS: certs.ca };
  const j = JSON.parse((await run(['debug-connections', '--address', `localhost:${pport}`, '--tls', '--send', 'PING\\n', '--expect', 'PONG', '--json'], env)).stdout);
  const a = j.addresses.find((x: { address: string }) => x.address === '127.0.0.1');
  assert.equal(a.exchange.failedStep, 'read', JSON.stringify(a.exchange));
  assert.match(a.exchange.error, /^ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: [^\n]*certificate required[^\n]*$/);
  assert.equal(a.exchange.explanation, 'the server requires a client certificate (mutual TLS)');
  assert.equal(a.tls.ok, false);
  assert.equal(a.tls.explanation, 'the server requires a client certificate (mutual TLS)');
  assert.match(j.verdict.summary, /the TLS handshake with 127\.0\.0\.1 failed: the server requires a client certificate \(mutual TLS\)/);
  assert.ok(!j.verdict.nextSteps.some((s: string) => /may wait for another request/.test(s)), j.verdict.nextSteps.join('\n'));

  const text = (await run(['debug-connections', '--address', `localhost:${pport}`, '--tls', '--send', 'PING\\n', '--expect', 'PONG'], env)).stdout;
  assert.match(text, /\n {2}reply: +\(nothing\); the read failed: the server requires a client certificate \(mutual TLS\) \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\)\n {2}expect: +NOT matched \(the server requires a client certificate \(mutual TLS\)\)\n {2}existing: /, text);
  assert.doesNotMatch(text, /\n\)|may wait for another request/, text);
});
