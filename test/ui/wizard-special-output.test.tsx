// The wizard refuses an output name that is a FIFO, a device, a socket or a link through one (/proc/self/fd/N) at the
// file step, in the CLI's words (codegen/output-target.ts specialFileMessage), as it does a directory. Before, it asked
// "p.py exists. Overwrite? y / n" and on y refused with "! cannot write p.py: it is a FIFO, not a file". Real file
// system (mkfifo, and a symbolic link to /proc/self/fd/N of an open regular file, in a scratch directory), the Wizard's own checks; only the final write is counted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, lstatSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { generateServer } from '../../src/codegen/index.js';
import { specialFileMessage } from '../../src/codegen/output-target.js';
import { writeFilesAtomic } from '../../src/codegen/write.js';
import { Wizard } from '../../src/ui/wizard/Wizard.js';
import { waitFor } from './fakes.js';
import { wizardKeys } from './wizard-keys.js';

const cfg = { ...DEFAULT_CONFIG, defaultLanguage: 'python' as const, defaultIoModel: 'selectors', bufferSize: 4096 };

describe('wizard: a FIFO or a link to a process\'s open file as the output', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sockscope-wizard-special-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const fifo = join(tmp, 'p.py');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  // A link to one of this process's open files, a regular file (as /dev/stdout is with `> out.txt`).
  writeFileSync(join(tmp, 'held.txt'), 'mine');
  const held = openSync(join(tmp, 'held.txt'), 'r');
  after(() => closeSync(held));
  const link = join(tmp, 'so.py');
  symlinkSync(`/proc/self/fd/${held}`, link);

  /** A Wizard with the real checks (exists, directories, special) and writer; the writes it made. */
  function wizard() {
    const writes: string[] = [];
    const app = render(
      createElement(Wizard, {
        onDone: () => {},
        onCancel: () => {},
        config: cfg,
        rows: 24,
        deps: { generate: (i, o) => generateServer(i, { output: o, config: cfg }), write: (r, force) => (writes.push(...r.files.map((f) => f.path)), writeFilesAtomic(r.files, { force })) },
      }),
    );
    const { frame, press, title } = wizardKeys(app);
    const toFileStep = async () => {
      await waitFor(frame, (f) => /Protocol/.test(f));
      for (let k = 0; k < 20 && !/^Write to file/.test(title()); k++) await press('\r');
      assert.match(title(), /^Write to file/);
    };
    const typeName = async (name: string) => {
      const current = (/^› (.*)$/m.exec(frame())?.[1] ?? '').replace(/\u001b\[[0-9;]*m/g, '').replace(/ $/, '');
      if (current.length > 0) await press('\u007f'.repeat(current.length));
      for (const ch of name) await press(ch);
    };
    return { app, frame, press, title, toFileStep, typeName, writes };
  }

  /** The frame's "! ..." line is the start of `message` (the line may be cut at the width, '…'). */
  function saysError(f: string, message: string): void {
    const errLine = f.split('\n').find((l) => l.startsWith('! '));
    assert.ok(errLine && message.startsWith(errLine.slice(2).replace(/…$/, '')), `${f}\n(expected ${message})`);
  }

  for (const [name, kind] of [
    [fifo, 'FIFO'],
    [link, `symbolic link to a process's open file (/proc/self/fd/${held})`],
  ]) {
    it(`${kind}: refused at the file step in the CLI's words, never "Overwrite?"`, async () => {
      const w = wizard();
      try {
        await w.toFileStep();
        await w.typeName(name);
        const f = await w.press('\r');
        assert.match(w.title(), /^Write to file/);
        assert.doesNotMatch(f, /Overwrite|Preview/);
        saysError(f, specialFileMessage(name, kind));
        assert.deepEqual(w.writes, []);
        assert.ok(!lstatSync(name).isFile());
      } finally {
        w.app.unmount();
      }
    });
  }

  it('a FIFO made there after the file step: "Write" from the preview goes back to the file step with the refusal', async () => {
    const late = join(tmp, 'late.py');
    const w = wizard();
    try {
      await w.toFileStep();
      await w.typeName(late);
      await w.press('\r');
      assert.doesNotMatch(w.title(), /^Write to file/);
      assert.equal(spawnSync('mkfifo', [late]).status, 0);
      const f = await w.press('\r');
      assert.doesNotMatch(f, /Overwrite/);
      assert.match(w.title(), /^Write to file/);
      saysError(f, specialFileMessage(late, 'FIFO'));
      assert.deepEqual(w.writes, []);
    } finally {
      w.app.unmount();
    }
  });
});
