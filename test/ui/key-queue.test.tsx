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
    assert.deepEqual(child, ['xy']);
  });
});
