// Ctrl-C always quits (README "Keys"): a keymap that binds another command to Ctrl-C is refused with a message
// naming the command the user bound, whatever quit is bound to. Before, `help: [ctrl+c]` said "also bound to
// quit ...; rebind quit too", and following that advice (`quit: [Q]`) blamed quit instead: impossible advice.
// Through the built CLI with a temporary HOME holding ~/.config/sockscope/config.yaml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/cli.js');

function withUserConfig(yaml: string, args: string[]) {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-keymap-'));
  try {
    const dir = join(root, 'home', '.config', 'sockscope');
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(root, 'cwd'));
    writeFileSync(join(dir, 'config.yaml'), yaml);
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: join(root, 'cwd'), encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', HOME: join(root, 'home') } });
    assert.equal(r.error, undefined);
    return { file: join(dir, 'config.yaml'), ...r };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

for (const [yaml, command] of [
  ['keymap: {help: [ctrl+c]}\n', 'help'],
  ['keymap: {quit: [Q], help: [ctrl+c]}\n', 'help'],
  ['keymap: {help: [ctrl+c], quit: [Q]}\n', 'help'],
  ['keymap: {quit: [ctrl+c]}\n', undefined],
  ['keymap: {pause: [x, ctrl+c]}\n', 'pause'],
] as const) {
  test(`${yaml.trim()}: ${command ? `exit 2 "keymap.${command}: ctrl+c always quits; it cannot be bound to ${command}"` : 'accepted (quit keeps Ctrl-C anyway)'}`, () => {
    const r = withUserConfig(yaml, ['errno', 'ECONNREFUSED']);
    if (command === undefined) {
      assert.equal(r.status, 0, r.stderr);
      return;
    }
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `sockscope: ${r.file}: keymap.${command}: ctrl+c always quits; it cannot be bound to ${command}\n`);
  });
}

test('keymap: {help: [Ctrl-C]} is not a key name (refused before any conflict, as before)', () => {
  const r = withUserConfig('keymap: {help: [Ctrl-C]}\n', ['errno', 'ECONNREFUSED']);
  assert.equal(r.status, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /also bound/);
});
