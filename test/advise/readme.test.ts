// The rule ids are a public contract: the README's Recommendations section lists every one, and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ALL_RULES, DEFAULT_THRESHOLDS, HEALTH_CHECKS } from '../../src/advise/index.js';

const readme = readFileSync('README.md', 'utf8');
const section = readme.slice(readme.indexOf('## Recommendations'), readme.indexOf('\n## ', readme.indexOf('## Recommendations') + 5));

test('README lists every rule id with its severities and scope, and every threshold', () => {
  assert.ok(section.length > 100, 'README has a ## Recommendations section');
  const listed = [...section.matchAll(/^\| `([a-z0-9-]+)` \| ([a-z, ]+) \| (host|port|socket) \|/gm)].map((m) => ({ id: m[1], severities: m[2], scope: m[3] }));
  assert.deepEqual(listed.map((l) => l.id), ALL_RULES.map((r) => r.id));
  for (const r of ALL_RULES) {
    const l = listed.find((x) => x.id === r.id)!;
    assert.equal(l.severities, r.severities.join(', '), r.id);
    assert.equal(l.scope, r.scope, r.id);
  }
  for (const h of HEALTH_CHECKS) for (const id of [h.id, ...(h.otherIds ?? [])]) assert.ok(section.includes(`\`${id}\``), id);
  for (const [k, v] of Object.entries(DEFAULT_THRESHOLDS)) assert.ok(section.includes(`| \`${k}\` | ${v} |`), k);
});
