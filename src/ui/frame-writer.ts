// Writes Ink frames to the terminal as line diffs at absolute positions: unchanged lines cost nothing, an unchanged frame 0 bytes.
//
// Why not Ink's own incrementalRendering: in Ink 6.8 it is off by one line whenever the frame is shorter
// than the terminal (it moves the cursor up visibleLines-1 from the line below the frame), so every update
// lands one line lower (reproduced under tmux: a 5-line frame updated 3 times leaves 3 copies of the changed
// line). A frame as tall as the terminal avoids that but makes Ink clear the whole screen on every update.
// So Ink runs in debug mode (it hands over each whole frame, unthrottled) and this writer diffs the lines.
import { CLEAR_SCREEN } from './hooks/useTerminalSize.js';

interface Sink {
  write(s: string): unknown;
}

const ERASE_LINE = '\u001b[2K';
const at = (row: number) => `\u001b[${row};1H`;

export class FrameWriter {
  private prev: string[] = [];
  /** Bytes written to the terminal so far (the benchmark reads it). */
  bytes = 0;
  constructor(private readonly out: Sink) {}

  /** Takes what Ink writes: a whole frame, or (after write()) CLEAR_SCREEN followed by the frame. */
  write(chunk: string): boolean {
    let s = chunk;
    let buf = '';
    if (s.startsWith(CLEAR_SCREEN)) {
      buf += CLEAR_SCREEN;
      this.prev = [];
      s = s.slice(CLEAR_SCREEN.length);
    }
    if (s.length > 0 || buf) buf += this.diff(s);
    if (buf) {
      this.bytes += Buffer.byteLength(buf);
      this.out.write(buf);
    }
    return true;
  }

  /** Forgets what is on screen (the next frame is drawn in full). */
  reset(): void {
    this.prev = [];
  }

  private diff(frame: string): string {
    if (frame === '') return '';
    const lines = (frame.endsWith('\n') ? frame.slice(0, -1) : frame).split('\n');
    let buf = '';
    for (let i = 0; i < lines.length; i++) if (lines[i] !== this.prev[i]) buf += at(i + 1) + ERASE_LINE + lines[i];
    for (let i = lines.length; i < this.prev.length; i++) buf += at(i + 1) + ERASE_LINE;
    this.prev = lines;
    return buf;
  }
}

type WriteCallback = (err?: Error | null) => void;

/**
 * A stdout for Ink: everything (columns, rows, isTTY, 'resize' events) comes from the real stream,
 * except write(), which goes through the FrameWriter.
 *
 * write()'s callback (write(chunk, cb) or write(chunk, encoding, cb)) is honoured: Ink 6.8's unmount()
 * settles waitUntilExit() from `stdout.write('', cb)`. When it was dropped, quitting with q or the
 * Ctrl-C key never got past waitUntilExit(): the event loop emptied and Node exited 0 before the
 * terminal was restored (the shell came back on the alternate screen; review-churn #1). The callback
 * goes to the real stream behind whatever the FrameWriter wrote, so it fires once those bytes are out.
 */
export function frameStdout<T extends NodeJS.WriteStream>(real: T, writer: FrameWriter): T {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'write')
        return (chunk: string | Uint8Array, encodingOrCb?: BufferEncoding | WriteCallback, cb?: WriteCallback): boolean => {
          const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
          const ok = writer.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
          if (done) target.write('', done);
          return ok;
        };
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
