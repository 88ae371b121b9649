// Driving a wizard rendered with ink-testing-library: its frame, a key that waits for the next frame, and the
// current step's title (the line above the choices or the text field).
import { waitFor } from './fakes.js';

export function wizardKeys(app: { lastFrame: () => string | undefined; stdin: { write: (data: string) => void } }) {
  const frame = () => app.lastFrame() ?? '';
  const press = async (keys: string) => {
    const before = frame();
    app.stdin.write(keys);
    return waitFor(frame, (f) => f !== before);
  };
  const title = () => {
    const lines = frame().split('\n');
    const i = lines.findIndex((l) => /^(› |  )/.test(l));
    return i > 0 ? lines[i - 1] : '';
  };
  return { frame, press, title };
}
