// Certificates made with openssl for TLS tests: a CA and leaf certificates it signs (subjectAltName as given), or a
// self-signed one; all in a temporary directory removed when the test ends. Needs openssl (as in CI): fails, never skips.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  assert.equal(r.error, undefined, 'openssl is required');
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A directory with ca.crt/ca.key; `leaf(name, san)` writes NAME.key and NAME.crt (signed by the CA, or self-signed) and NAME-chain.crt. */
export function tlsCerts(t: { after(fn: () => void): void }): { dir: string; ca: string; leaf(name: string, o: { cn: string; san: string; selfSigned?: boolean; days?: number }): { key: string; cert: string; chain: string } } {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-certs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = join(dir, 'ca.crt');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', ca, '-days', '30', '-subj', '/CN=Sockscope Test CA']);
  return {
    dir,
    ca,
    leaf(name, o) {
      const key = join(dir, `${name}.key`);
      const cert = join(dir, `${name}.crt`);
      const ext = join(dir, `${name}.ext`);
      writeFileSync(ext, `subjectAltName=${o.san}\n`);
      if (o.selfSigned) openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', String(o.days ?? 30), '-subj', `/CN=${o.cn}`, '-addext', `subjectAltName=${o.san}`]);
      else {
        openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', join(dir, `${name}.csr`), '-subj', `/CN=${o.cn}`]);
        openssl(['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', ca, '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-out', cert, '-days', String(o.days ?? 30), '-extfile', ext]);
      }
      const chain = join(dir, `${name}-chain.crt`);
      writeFileSync(chain, Buffer.concat([readFileSync(cert), o.selfSigned ? Buffer.alloc(0) : readFileSync(ca)]));
      return { key, cert, chain };
    },
  };
}
