// The "Watch it" line is one sentence wherever it is shown: the generated file's header, generate-server's output
// and the lines `sockscope generate` prints after the wizard (which also name the directories the write created).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { nextSteps } from '../../src/cli/commands/generate-shared.js';
import { generateServer } from '../../src/codegen/index.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sockscope');

test('port 0: generate-server prints the header\'s Watch it line, not "sockscope --port 0"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-watch-'));
  try {
    const out = execFileSync(BIN, ['generate-server', '--type', 'tcp', '--language', 'python', '--port', '0', '--output', join(dir, 's.py')], { encoding: 'utf8' });
    const header = /Watch it: (.*)$/m.exec(readFileSync(join(dir, 's.py'), 'utf8'))![1];
    assert.equal(header, 'sockscope --port PORT (the port it prints at start)');
    assert.match(out, /^Watch it: sockscope --port PORT \(the port it prints at start\)$/m);
    assert.doesNotMatch(out, /--port 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('after the wizard: the printed lines name the created directories and use the same Watch it line', () => {
  const r = generateServer({ type: 'tcp', language: 'c', ioModel: 'epoll', port: 0 });
  const text = nextSteps(r, ['/tmp/x', '/tmp/x/y']);
  assert.match(text, /^Created the directories \/tmp\/x, \/tmp\/x\/y$/m);
  assert.match(text, /^Watch it: sockscope --port PORT \(the port it prints at start\)$/m);
  assert.match(nextSteps(generateServer({ type: 'tcp', language: 'c', ioModel: 'epoll', port: 8080 })), /^Watch it: sockscope --port 8080$/m);
});
