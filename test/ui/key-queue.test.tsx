// useKeyQueue with a toy reducer: a key after one that changes the screen is decided on the new screen, also
// in the same read, and a child fed through feedChild gets the keys while the state says it takes them.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { useRef } from 'react';
import { useKeyQueue } from '../../src/ui/hooks/useKeyQueue.js';
import { KeyFeedContext, useKeys } from '../../src/ui/hooks/useKeys.js';
import { waitFor } from './fakes.js';

interface S {
  screen: number;
  log: string[];
}
interface A {
  key: string;
  /** The screen drawn when the key was pressed. */
  seen: number;
}

/** 'n' moves to the next screen; every other key is logged with the screen it saw. 'w' also hands keys to the child. */
function Toy({ child }: { child: string[] }) {
  const drawn = useRef(0);
  const { state, feedChild } = useKeyQueue<S, A>({
    reducer: (s, a) => (a.key === 'n' ? { ...s, screen: s.screen + 1 } : { ...s, log: [...s.log, `${a.key}@${a.seen}`] }),
    init: () => ({ screen: 0, log: [] }),
    keyAction: (key) => ({ key, seen: drawn.current }),
    sameScreen: (a, b) => a.screen === b.screen,
    childTakesKeys: (s) => s.log.includes('w@0'),
    isActive: true,
  });
  drawn.current = state.screen;
  return (
    <>
      <Text>{`log ${state.log.join(' ')}`}</Text>
      {state.log.includes('w@0') ? (
        <KeyFeedContext.Provider value={feedChild}>
          <Child seen={child} />
        </KeyFeedContext.Provider>
      ) : null}
    </>
  );
}

function Child({ seen }: { seen: string[] }) {
  useKeys((input) => seen.push(input), { isActive: true });
  return <Text>child</Text>;
}

/** Renders Toy once it listens: Ink's useInput subscribes in a passive effect, and a key written before that is lost. */
async function listening(child: string[]) {
  const r = render(<Toy child={child} />);
  unmount = r.unmount;
  for (let i = 0; i < 100 && !r.lastFrame()?.includes('z@0'); i++) {
    r.stdin.write('z');
    await new Promise((res) => setTimeout(res, 20));
  }
  await waitFor(r.lastFrame, (x) => x.includes('z@0'));
  return r;
}

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

describe('useKeyQueue', () => {
  it('keys after a screen change in one read wait for that screen; keys before it do not', async () => {
    const child: string[] = [];
    const r = await listening(child);
    r.stdin.write('anbnnc');
    const f = await waitFor(r.lastFrame, (x) => x.includes('c@'));
    assert.match(f, / a@0 b@1 c@3$/);
  });

  it('the child gets every key once it takes them, from the same read on', async () => {
    const child: string[] = [];
    const r = await listening(child);
    r.stdin.write('w');
    await waitFor(r.lastFrame, (x) => x.includes('child'));
    r.stdin.write('xy');
    await waitFor(r.lastFrame, (x) => x.includes('y@0'));
    // One key at a time: a key that closes the child hands the rest of the read to the parent.
    assert.deepEqual(child, ['x', 'y']);
  });

  it('a key that needs data holds the next ones until the data is drawn (the same read too)', async () => {
    const r = await waiting({ ready: false, holdMs: 10_000 });
    r.stdin.write('dab');
    await new Promise((res) => setTimeout(res, 300));
    assert.match(r.lastFrame() ?? '', /log (z )+d \[held\]$/, 'a and b waited for the data, and the screen says keys wait');
    r.rerender(<DataToy ready={true} holdMs={10_000} />);
    await waitFor(r.lastFrame, (x) => x.includes('b'));
    assert.match(r.lastFrame() ?? '', /log (z )+d a\+ b\+$/, 'a and b acted on the screen with the data; no longer held');
  });

  it('data that does not come: the held keys act after holdMs on the screen as it is, none lost', async () => {
    const r = await waiting({ ready: false, holdMs: 400 });
    const t0 = Date.now();
    r.stdin.write('dab');
    await waitFor(r.lastFrame, (x) => x.includes('b'));
    const ms = Date.now() - t0;
    assert.ok(ms >= 350 && ms < 3000, `acted after ${ms} ms`);
    assert.match(r.lastFrame() ?? '', /log (z )+d a- b-$/);
    // The wait is over for that need: keys after it act at once.
    r.stdin.write('c');
    await waitFor(r.lastFrame, (x) => x.includes('c-'));
  });

  it('an urgent key (Ctrl-C) does not wait for the data: it acts at once, the keys held before it are dropped', async () => {
    const r = await waiting({ ready: false, holdMs: 5000 });
    const t0 = Date.now();
    r.stdin.write('da');
    await new Promise((res) => setTimeout(res, 100));
    r.stdin.write('bu');
    await waitFor(r.lastFrame, (x) => x.includes('u-'));
    const ms = Date.now() - t0;
    assert.ok(ms < 2000, `acted after ${ms} ms`);
    assert.match(r.lastFrame() ?? '', /log (z )+d u-$/);
  });
});

/** 'd' asks for data; every key is logged, with + when the data was drawn when it acted; 'u' is urgent. */
function DataToy({ ready, holdMs }: { ready: boolean; holdMs: number }) {
  const shownReady = useRef(ready);
  shownReady.current = ready;
  const { state, holding } = useKeyQueue<{ wants: boolean; log: string[] }, string>({
    reducer: (s, k) => (k === 'd' ? { wants: true, log: [...s.log, 'd'] } : { ...s, log: [...s.log, k === 'z' ? 'z' : `${k}${shownReady.current ? '+' : '-'}`] }),
    init: () => ({ wants: false, log: [] }),
    keyAction: (key) => key,
    sameScreen: () => true,
    childTakesKeys: () => false,
    isActive: true,
    dataReady: (s) => !s.wants || shownReady.current,
    dataNeed: (s) => s.wants,
    holdMs,
    urgent: (k) => k === 'u',
  });
  return <Text>{`log ${state.log.join(' ')}${holding ? ' [held]' : ''}`}</Text>;
}

async function waiting(props: { ready: boolean; holdMs: number }) {
  const r = render(<DataToy {...props} />);
  unmount = r.unmount;
  for (let i = 0; i < 100 && !r.lastFrame()?.includes('log z'); i++) {
    r.stdin.write('z');
    await new Promise((res) => setTimeout(res, 20));
  }
  await waitFor(r.lastFrame, (x) => x.includes('log z'));
  await new Promise((res) => setTimeout(res, 50));
  return r;
}
