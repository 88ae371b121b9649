// The languages a config file may name as defaultLanguage are the generator's own list
// (codegen/languages.ts), not a copy in config/defaults.ts that a new language would have to be added to
// as well. Its own file: it adds a language to the list before the schema is loaded (node --test runs
// each file in its own process, so no other test sees it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GEN_LANGUAGES, IO_MODELS, IO_MODEL_ALIASES } from '../../src/codegen/languages.js';

test('a language added to codegen/languages.ts is a defaultLanguage the config accepts, with no second list', async () => {
  // What adding a language to codegen/languages.ts does (the `as const` tuple is a plain array at run time).
  (GEN_LANGUAGES as unknown as string[]).push('zig');
  (IO_MODELS as Record<string, readonly string[]>).zig = ['io_uring'];
  (IO_MODEL_ALIASES as Record<string, Record<string, string>>).zig = {};
  const { ConfigFileSchema } = await import('../../src/config/schema.js');
  for (const language of GEN_LANGUAGES) assert.ok(ConfigFileSchema.safeParse({ defaultLanguage: language }).success, language);
  const r = ConfigFileSchema.safeParse({ defaultLanguage: 'cobol' });
  assert.ok(!r.success, 'a language the generator does not have is still refused');
  assert.match(r.error.issues[0].message, /expected one of "c"\|"python"\|"node"\|"zig"$/);
});
