// The bundle's patch of execa 9.6 for a spawn that runs out of file descriptors (scripts/esbuild-plugins.mjs
// patchExecaSpawnWithoutFds): applied to the installed execa, loud when execa's text changed, and, run, an
// early error with the code instead of a TypeError and an 'error' no one hears (test/cli/output-errors has the
// whole CLI at a low limit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { commonOptions, patchExecaSpawnWithoutFds } from '../../scripts/esbuild-plugins.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN_ASYNC = join(ROOT, 'node_modules/execa/lib/methods/main-async.js');

test('the patch finds its text in the installed execa once, and fails loudly when it is gone', () => {
  const text = readFileSync(MAIN_ASYNC, 'utf8');
  const patched = patchExecaSpawnWithoutFds(text);
  assert.match(patched, /if \(subprocess\.stdio == null\) \{/);
  assert.throws(() => patchExecaSpawnWithoutFds(text.replace('const originalStreams = [...subprocess.stdio];', 'const originalStreams = subprocess.stdio;')), /found 0 times, expected once \(execa changed\)/);
});

test('bundled with the patch, execa out of descriptors gives a failed result with EMFILE, and the process lives', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-execa-'));
  try {
    const entry = join(dir, 'entry.mjs');
    // Fills the descriptor table, then frees two: too few for spawn's pipes.
    writeFileSync(
      entry,
      `import { execa } from ${JSON.stringify(join(ROOT, 'node_modules/execa/index.js'))};
import { openSync, closeSync } from 'node:fs';
const fds = [];
try { for (;;) fds.push(openSync('/dev/null', 'r')); } catch {}
closeSync(fds.pop()); closeSync(fds.pop());
const r = await execa('true', [], { reject: false, stdin: 'ignore' });
for (const fd of fds) closeSync(fd);
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(JSON.stringify({ failed: r.failed, code: r.code }));
`,
    );
    const out = join(dir, 'out.mjs');
    await build({ ...commonOptions('0.0.0'), sourcemap: false, entryPoints: [entry], outfile: out, logLevel: 'silent' });
    const r = spawnSync('sh', ['-c', `ulimit -n 200 && exec "${process.execPath}" "$0"`, out], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { failed: true, code: 'EMFILE' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
