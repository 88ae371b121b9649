// Esc presses that arrive in one read (one write of "\x1b\x1b": a slow SSH link, a quick double press) each
// back out a level; escape sequences (arrows, Alt+key, F-keys) stay one key; a key in the same read as the
// `c` that opens the wizard reaches the wizard.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { generateServer } from '../../src/codegen/index.js';
import { extraEscapes } from '../../src/ui/hooks/useKeys.js';
import { DEFAULT_KEYMAP } from '../../src/ui/keymap.js';
import { MonitorWizard, Wizard } from '../../src/ui/wizard/Wizard.js';
import { FakeSource, snapshot, waitFor, webHost } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const PORT_VIEW = 'TCP PORT 80: SOCKETS';
/** The table title's "row k/n". */
const row = (f: string) => / · row (\d+)\/\d+/.exec(f)?.[1];

/** ports -> port 80 -> a socket -> help: four levels. */
async function toHelp(): Promise<Harness> {
  const m = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 30 });
  await m.press('j', KEY.enter); // 53/udp is first by port number, then 80
  await m.until((x) => x.includes(PORT_VIEW));
  await m.press(KEY.down, KEY.enter);
  await m.until((x) => x.includes('SOCKET tcp'));
  await m.press('?');
  await m.until((x) => x.includes('HELP'));
  return m;
}

/**
 * The frame once every key written so far has acted: Space (pause) goes in after them and the header
 * says PAUSED only when it has run, so nothing is still pending (Ink holds a read that ends in ESC
 * until the next tick, in case it is the start of a sequence).
 */
async function settled(m: Harness): Promise<string> {
  await m.press(' ');
  return m.until((x) => x.includes('PAUSED'));
}

describe('Esc presses in one read', () => {
  it('ESC ESC is two presses; ESC, ESC [ A, ESC ESC [ A, ESC O P, ESC x hold no second Esc', () => {
    assert.equal(extraEscapes('\u001b\u001b'), 1);
    assert.equal(extraEscapes('\u001b\u001b\u001b'), 2);
    for (const seq of ['\u001b', '\u001b[A', '\u001b\u001b[A', '\u001bOP', '\u001b[15~', '\u001bx', 'x', ''])
      assert.equal(extraEscapes(seq), 0, JSON.stringify(seq));
  });

  it('"\\x1b\\x1b" in one write leaves two levels: help -> socket -> port view (it left one)', async () => {
    h = await toHelp();
    await h.press('\u001b\u001b');
    const f = await settled(h);
    assert.ok(f.includes(PORT_VIEW), `not the port view:\n${f}`);
  });

  it('three in one write leave three levels; a lone Esc leaves one', async () => {
    h = await toHelp();
    await h.press('\u001b\u001b\u001b');
    let f = await settled(h);
    assert.ok(f.includes('LOCAL PORTS'), `not the ports view:\n${f}`);
    h.unmount();
    h = await toHelp();
    await h.press(KEY.escape);
    f = await settled(h);
    assert.ok(f.includes('SOCKET tcp'), `not the socket view:\n${f}`);
  });

  it('while typing a filter: the first Esc clears it, the second goes back', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 30 });
    await h.press('j', KEY.enter);
    await h.until((x) => x.includes(PORT_VIEW));
    await h.press('/', 'E', 'S', 'T');
    await h.until((x) => x.includes('/ EST') && x.includes('of 6'));
    await h.press('\u001b\u001b');
    const f = await settled(h);
    assert.ok(f.includes('LOCAL PORTS') && !f.includes('filter "'), `not the unfiltered ports view:\n${f}`);
    // Back in: the port's filter was cleared, not kept.
    await h.press(KEY.enter);
    assert.ok(!(await h.until((x) => x.includes(PORT_VIEW))).includes('filter "'));
  });

  it('the second Esc acts on the screen the first one leads to: it clears the port view\'s filter, as two reads would', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 30 });
    await h.press('j', KEY.enter);
    await h.until((x) => x.includes(PORT_VIEW));
    await h.press('/', 'E', 'S', 'T', KEY.enter);
    await h.until((x) => x.includes('filter "EST"') && x.includes('q quit'));
    await h.press(KEY.enter);
    await h.until((x) => x.includes('SOCKET tcp'));
    // Both Esc were handled before the port view was drawn, the second by the socket view's keys: back to the ports view.
    await h.press('\u001b\u001b');
    const f = await settled(h);
    assert.ok(f.includes(`${PORT_VIEW} 6 `) && !f.includes('filter "'), `not the port view with its filter cleared:\n${f}`);
  });

  it('keys after one that changes the screen act on the new screen: Enter Enter in one read opens the port, then a socket', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 30 });
    await h.press('j');
    await h.press('\r\r');
    const f = await settled(h);
    // The second Enter opened port 80 again from the ports table it was read at.
    assert.ok(f.includes('SOCKET tcp 0.0.0.0:80'), `not the socket view of the listener:\n${f}`);
    await h.press(KEY.escape);
    await h.until((x) => x.includes(PORT_VIEW));
    await h.press(KEY.escape);
    await h.until((x) => x.includes('LOCAL PORTS'));
  });

  it('escape sequences stay one key: Up, Alt+Up move one row; F1, F5, Alt+x do not go back', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 30 });
    await h.press('j', KEY.enter);
    await h.until((x) => x.includes(PORT_VIEW));
    await h.press('j', 'j');
    await h.until((x) => row(x) === '3');
    await h.press('\u001b[A');
    await h.until((x) => row(x) === '2');
    await h.press('\u001b\u001b[A');
    await h.until((x) => row(x) === '1');
    await h.press('\u001bOP', '\u001b[15~', '\u001bx');
    const f = await settled(h);
    assert.ok(f.includes(PORT_VIEW), `left the port view:\n${f}`);
    assert.equal(row(f), '1');
  });
});

describe('the wizard gets every key', () => {
  const cfg = { ...DEFAULT_CONFIG, defaultLanguage: 'python' as const, defaultIoModel: 'selectors', bufferSize: 4096 };

  it('in the monitor: Down in the same read as the c that opens it moves to UDP (it was lost)', async () => {
    // TCP ports only: the wizard starts on the selected port's protocol, and webHost's first row is UDP 53.
    h = await mount(new FakeSource(() => snapshot(webHost().filter((s) => s.protocol === 'tcp'))), { columns: 100, rows: 30, keymap: DEFAULT_KEYMAP, Wizard: MonitorWizard });
    await h.press('c\u001b[B');
    await h.until((x) => /^› UDP/m.test(x));
  });

  it('in the monitor: Esc Esc in one read goes back two steps', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 30, keymap: DEFAULT_KEYMAP, Wizard: MonitorWizard });
    await h.press('c');
    await h.until((x) => /step 1\//.test(x));
    await h.press(KEY.enter);
    await h.until((x) => /step 2\//.test(x));
    await h.press(KEY.enter);
    await h.until((x) => /step 3\//.test(x));
    await h.press('\u001b\u001b');
    const f = await h.until((x) => !/step 3\//.test(x) && !/step 2\//.test(x));
    assert.match(f, /step 1\//);
    // Still open: a third Esc closes it.
    await h.press(KEY.escape);
    await h.until((x) => x.includes('LOCAL PORTS'));
  });

  it('alone (sockscope generate): Esc Esc in one read goes back two steps', async () => {
    const app = render(createElement(Wizard, { onDone: () => {}, onCancel: () => {}, config: cfg, rows: 24, deps: { generate: (i, o) => generateServer(i, { output: o, config: cfg }), exists: () => [], write: () => [] } }));
    const frame = () => app.lastFrame() ?? '';
    try {
      await waitFor(frame, (f) => /step 1\//.test(f));
      app.stdin.write('\r');
      await waitFor(frame, (f) => /step 2\//.test(f));
      app.stdin.write('\r');
      await waitFor(frame, (f) => /step 3\//.test(f));
      app.stdin.write('\u001b\u001b');
      const f = await waitFor(frame, (x) => !/step [23]\//.test(x));
      assert.match(f, /step 1\//);
    } finally {
      app.unmount();
    }
  });
});
