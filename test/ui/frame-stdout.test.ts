// frameStdout (the stdout Ink writes to): write()'s callback is called in both of Node's forms, after the
// frame's bytes, also for the empty write Ink's unmount() makes to settle waitUntilExit() (review-churn #1:
// the callback was dropped and the monitor exited without restoring the terminal).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameWriter, frameStdout } from '../../src/ui/frame-writer.js';

function fakeStream() {
  const log: string[] = [];
  const real = {
    columns: 80,
    write(s: string, cb?: (err?: Error | null) => void) {
      log.push(s === '' ? '<empty>' : 'frame');
      if (cb) queueMicrotask(() => (log.push('cb'), cb()));
      return true;
    },
  };
  return { log, real: real as unknown as NodeJS.WriteStream };
}

describe('frameStdout', () => {
  it("write('', cb) and write(frame, 'utf8', cb) call back after the frame's bytes; columns come from the real stream", async () => {
    const { log, real } = fakeStream();
    const out = frameStdout(real, new FrameWriter(real));
    assert.equal(out.columns, 80);
    const called: string[] = [];
    await new Promise<void>((resolve) => out.write('', () => (called.push('empty'), resolve())));
    await new Promise<void>((resolve) => out.write('a\nb\n', 'utf8', () => (called.push('frame'), resolve())));
    assert.deepEqual(called, ['empty', 'frame']);
    assert.deepEqual(log, ['<empty>', 'cb', 'frame', '<empty>', 'cb']);
    // Without a callback nothing extra is written.
    out.write('a\nc\n');
    assert.deepEqual(log.slice(5), ['frame']);
  });
});
