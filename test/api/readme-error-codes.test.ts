// README's library section listed the error codes invalid-input, unknown-errno, unknown-option and invalid-options
// (review s23 #3), but generateServerFiles twice on the same output throws code file-exists, and readTaskFile
// unreadable-input and invalid-json. Each code is made here by a real call and looked up in that section.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as L from '../../src/index.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
/** The library section's list of errors: from "Errors: every error" to the next paragraph ("Configuration:"). */
const errorsSection = (() => {
  const from = README.indexOf('Errors: every error these functions throw');
  assert.ok(from >= 0, 'the library section lists its errors');
  return README.slice(from, README.indexOf('\nConfiguration:', from));
})();

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof L.InvalidInputError || e instanceof L.OutputUnwritableError || e instanceof L.ConfigError || e instanceof L.CollectorError, String(e));
    return (e as { code: string }).code;
  }
  assert.fail('no error');
}

test('every code the library throws is in README\'s library section', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-codes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const output = join(dir, 'server.py');
  L.generateServerFiles({ type: 'tcp', language: 'python', output });
  writeFileSync(join(dir, 'bad.json'), '{"operation": ');
  writeFileSync(join(dir, 'twice.json'), '{"operation": "errno", "code": "EPERM", "code": "EPIPE"}');
  const made: Record<string, () => unknown> = {
    'file-exists': () => L.generateServerFiles({ type: 'tcp', language: 'python', output }),
    'unreadable-input': () => L.readTaskFile(join(dir, 'none.json')),
    'invalid-json': () => L.readTaskFile(join(dir, 'bad.json')),
    'invalid-input': () => L.readTaskFile(join(dir, 'twice.json')),
    'unknown-errno': () => L.explainErrno('ENOTANERRNO'),
    'unknown-option': () => L.describeOption({ name: 'SO_NOTANOPTION' }),
    'invalid-options': () => L.generateServer({ type: 'udp', language: 'python', backlog: 10 }),
    'output-unwritable': () => L.generateServerFiles({ type: 'tcp', language: 'python', output: '/proc/sockscope-test.py' }),
  };
  for (const [code, fn] of Object.entries(made)) {
    assert.equal(await codeOf(fn), code);
    assert.ok(errorsSection.includes(`\`${code}\``), `README's library section does not name ${code}`);
  }
  // runTask's generate-server with the files there: file-exists too, as README says.
  assert.equal(await codeOf(() => L.runTask({ operation: 'generate-server', type: 'tcp', language: 'python', output } as never)), 'file-exists');
  for (const code of ['collector-error', 'config-error']) assert.ok(errorsSection.includes(`\`${code}\``), code);
});
