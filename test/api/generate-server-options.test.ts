// generateServer(input, target)'s second argument is validated (review-api defect 3): {confg: {...}} (a typo of
// config) was dropped without a word, so the server came out with the defaults; now an unknown field is an
// InvalidInputError at options.FIELD, as generateServerFiles(input, options) refuses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateServer, generateServerFiles } from '../../src/api/generate.js';
import { InvalidInputError } from '../../src/api/errors.js';

const refused = (f: () => unknown, path: string) =>
  assert.throws(f, (e: unknown) => e instanceof InvalidInputError && e.code === 'invalid-input' && e.issues.some((i) => i.path === path), path);

test('generateServer refuses an unknown field in its second argument, as generateServerFiles does', () => {
  refused(() => generateServer({}, { confg: { defaultLanguage: 'python' } } as never), 'options.confg');
  refused(() => generateServerFiles({}, { confg: { defaultLanguage: 'python' } } as never), 'options.confg');
  refused(() => generateServer({}, 'server.c' as never), 'options');
  refused(() => generateServer({}, { output: 42 } as never), 'options.output');
  refused(() => generateServer({}, { config: { defaultLanguage: 'cobol' } } as never), 'options.config.defaultLanguage');
});

test('generateServer still takes output and config', () => {
  const r = generateServer({}, { output: 'echo.py', config: { defaultLanguage: 'python', defaultIoModel: 'asyncio' } });
  assert.equal(r.options.language, 'python');
  assert.deepEqual(r.files.map((f) => f.path), ['echo.py']);
  assert.equal(generateServer({}).options.language, 'c');
  assert.equal(generateServer({}, undefined).options.language, 'c');
});
