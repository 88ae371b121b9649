// A certificate for another name: when it was also self-signed only "does NOT verify (self-signed)" was said, never
// that the name does not match (Node checks the name only when the chain verifies); when the chain verified, the
// verdict was the bare code ERR_TLS_CERT_ALTNAME_INVALID (review s25 #4). Node TLS servers on loopback with
// certificates for other.example; connected to as localhost. Needs openssl (as in CI): fails, never skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:tls';
import { sockscopeAsync } from '../collect/getsockopt-helpers.js';
import { tlsCerts } from '../helpers/tls-certs.js';

const run = (args: string[], env: Record<string, string> = {}) => sockscopeAsync(args, { env });

async function serve(t: { after(fn: () => void): void }, key: string, cert: string): Promise<number> {
  const s = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (c) => c.on('error', () => {}));
  const port = await new Promise<number>((res) => s.listen(0, '127.0.0.1', () => res((s.address() as { port: number }).port)));
  t.after(() => s.close());
  return port;
}

const MISMATCH = 'the certificate is not for localhost: the names it holds are DNS:other.example, DNS:www.other.example';

test('a self-signed certificate for another name: both the self-signature and the name are said', { timeout: 60_000 }, async (t) => {
  const certs = tlsCerts(t);
  const c = certs.leaf('other', { cn: 'other.example', san: 'DNS:other.example,DNS:www.other.example', selfSigned: true });
  const port = await serve(t, c.key, c.cert);
  const j = JSON.parse((await run(['debug-connections', '--address', `localhost:${port}`, '--tls', '--json'])).stdout);
  const a = j.addresses.find((x: { address: string }) => x.address === '127.0.0.1');
  assert.equal(a.tls.authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.equal(a.tls.nameMismatch, MISMATCH);
  assert.match(j.verdict.summary, /does not verify: DEPTH_ZERO_SELF_SIGNED_CERT \(self-signed\), and the certificate is not for localhost: the names it holds are DNS:other\.example, DNS:www\.other\.example/);
  const text = (await run(['debug-connections', '--address', `localhost:${port}`, '--tls'])).stdout;
  assert.match(text, /\n {2}name: +does NOT match: the certificate is not for localhost: the names it holds are DNS:other\.example, DNS:www\.other\.example\n/, text);
});

test('a certificate whose chain verifies, for another name: said in plain words, not a bare code', { timeout: 60_000 }, async (t) => {
  const certs = tlsCerts(t);
  const c = certs.leaf('other', { cn: 'other.example', san: 'DNS:other.example,DNS:www.other.example' });
  const port = await serve(t, c.key, c.chain);
  const env = { NODE_EXTRA_CA_CERTS: certs.ca };
  const j = JSON.parse((await run(['debug-connections', '--address', `localhost:${port}`, '--tls', '--json'], env)).stdout);
  const a = j.addresses.find((x: { address: string }) => x.address === '127.0.0.1');
  assert.equal(a.tls.authorized, false);
  assert.equal(a.tls.authorizationError, 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.equal(a.tls.nameMismatch, MISMATCH);
  assert.match(j.verdict.summary, new RegExp(`but the certificate of 127\\.0\\.0\\.1 does not match the name: ${MISMATCH.replace(/\./g, '\\.')}$`));
  const text = (await run(['debug-connections', '--address', `localhost:${port}`, '--tls'], env)).stdout;
  assert.match(text, /\n {2}name: +does NOT match: the certificate is not for localhost/, text);
  assert.match(text, /^Verdict: .*does not match the name: the certificate is not for localhost: the names it holds are DNS:other\.example/m, text);
});
