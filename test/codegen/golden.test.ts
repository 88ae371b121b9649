// Golden output: one option set per (language, io model, type, handler) for Python and Node.
// Regenerate after an intended template change with: UPDATE_GOLDEN=1 node scripts/run-tests.mjs golden
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateServer, listCombinations } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';

const FIXTURES = 'test/fixtures/codegen';

for (const c of listCombinations().filter((x) => x.language !== 'c')) {
  const name = `${c.ioModel}-${c.type}-${c.handler}`;
  test(`golden ${c.language} ${name}`, () => {
    const r = generateServer(
      { language: c.language, ioModel: c.ioModel, type: c.type as 'tcp' | 'udp', handler: c.handler as 'echo' | 'http', port: 9000 },
      { config: DEFAULT_CONFIG },
    );
    const ext = c.language === 'python' ? 'py' : 'mjs';
    const file = join(FIXTURES, c.language, `${name}.${ext}`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      mkdirSync(join(FIXTURES, c.language), { recursive: true });
      writeFileSync(file, r.files[0].content);
    }
    assert.equal(r.files[0].content, readFileSync(file, 'utf8'), `${file} differs (UPDATE_GOLDEN=1 to accept)`);
  });
}

test('every python/node combination of the issue table is covered by a template', () => {
  const have = new Set(listCombinations().map((c) => `${c.language}/${c.ioModel}/${c.type}/${c.handler}`));
  for (const m of ['asyncio', 'selectors', 'threads'])
    for (const t of ['tcp/echo', 'tcp/http', 'udp/echo']) assert.ok(have.has(`python/${m}/${t}`), `python/${m}/${t}`);
  for (const t of ['tcp/echo', 'tcp/http', 'udp/echo']) assert.ok(have.has(`node/event-loop/${t}`), `node/event-loop/${t}`);
});
