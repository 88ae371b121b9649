// result-schemas.ts holds each result schema to its type with Same (assignable both ways) and Covers (the same
// keys at every level). Same alone passed a field optional on one side and absent on the other ({a} and
// {a; x?} are assignable both ways), which is how inspect-options' ipv4Listeners reached --json while the
// schema stripped it. Here tsc compiles small files against the real Covers: a key on one side only, at any
// depth (object, array, union member), must fail; the same keys must pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const SCHEMAS = join(ROOT, 'src/api/result-schemas.js');

const cases: { name: string; code: string; fails: boolean }[] = [
  { name: 'same', code: 'const c: Covers<{ a: string; x?: number }, { a: string; x?: number }> = true;', fails: false },
  { name: 'optional-extra-in-type', code: 'const c: Covers<{ a: string }, { a: string; x?: number }> = true;', fails: true },
  { name: 'optional-extra-in-schema', code: 'const c: Covers<{ a: string; x?: number }, { a: string }> = true;', fails: true },
  { name: 'nested-array', code: 'const c: Covers<{ l: { p: string }[] }, { l: { p: string; q?: string }[] }> = true;', fails: true },
  { name: 'union-member', code: 'const c: Covers<{ d?: { ok: boolean; e?: string } | { e: string } }, { d?: { ok: boolean; e?: string; why?: string } | { e: string } }> = true;', fails: true },
  { name: 'union-same', code: 'const c: Covers<{ d?: { ok: boolean; e?: string } | { e: string } }, { d?: { e: string } | { ok: boolean; e?: string } }> = true;', fails: false },
  // The real pair of #1: the inspect report's schema without ipv4Listeners against the type.
  {
    name: 'inspect-without-ipv4Listeners',
    code: `import type { z } from 'zod';\nimport type { InspectOptionsReportSchema } from '${SCHEMAS}';\nimport type { InspectOptionsReport } from '${join(ROOT, 'src/api/inspect.js')}';\nconst c: Covers<Omit<z.infer<typeof InspectOptionsReportSchema>, 'ipv4Listeners'>, InspectOptionsReport> = true;`,
    fails: true,
  },
  {
    name: 'inspect-real',
    code: `import type { z } from 'zod';\nimport type { InspectOptionsReportSchema } from '${SCHEMAS}';\nimport type { InspectOptionsReport } from '${join(ROOT, 'src/api/inspect.js')}';\nconst c: Covers<z.infer<typeof InspectOptionsReportSchema>, InspectOptionsReport> = true;`,
    fails: false,
  },
];

test('Covers fails for a key on one side only, at any depth, and passes for the same keys', () => {
  // Inside the repository so that zod and the sources resolve as for src/ (rootDir, node_modules).
  const dir = mkdtempSync(join(ROOT, 'test/api/.covers-'));
  try {
    const files = cases.map((c) => {
      const f = join(dir, `${c.name}.mts`);
      writeFileSync(f, `import type { Covers } from '${SCHEMAS}';\n${c.code}\nvoid c;\nexport {};\n`);
      return f;
    });
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--types', 'node', ...files], { encoding: 'utf8', timeout: 120_000 });
    const out = r.stdout + r.stderr;
    for (const c of cases) {
      const failed = out.includes(`${c.name}.mts(`);
      assert.equal(failed, c.fails, `${c.name}: expected ${c.fails ? 'a tsc error' : 'no tsc error'}\n${out}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
