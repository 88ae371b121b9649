// MonitorWizard is the wizard the monitor mounts on `c` (sockscope's own monitor-run and library users of App):
// it starts from the selected port and draws in the monitor's colour setting. It used to drop both (the monitor
// had its own copy that passed them), so a UDP port opened a TCP wizard and --no-color was lost on `c`.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ComponentProps } from 'react';
import { DEFAULT_KEYMAP } from '../../src/ui/keymap.js';
import { createTheme } from '../../src/ui/theme.js';
import { MonitorWizard, Wizard } from '../../src/ui/wizard/Wizard.js';
import * as uiModules from '../../src/cli/ui-modules.js';
import type { WizardComponent } from '../../src/ui/App.js';
import { FakeSource, listener, snapshot } from './fakes.js';
import { mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

describe('MonitorWizard', () => {
  it('comes with the lazily loaded UI modules, as the monitor command takes it (it imported Wizard.js itself)', () => {
    assert.equal(uiModules.MonitorWizard, MonitorWizard);
  });

  it('hands the selected port and the colour setting to the Wizard', () => {
    for (const color of [true, false]) {
      const el = MonitorWizard({ onClose: () => {}, width: 80, height: 20, initial: { type: 'udp', port: 5353 }, color });
      assert.equal(el.type, Wizard);
      const p = el.props as ComponentProps<typeof Wizard>;
      assert.deepEqual(p.initial, { type: 'udp', port: 5353 });
      assert.equal(p.color, color);
      assert.equal(p.rows, 20);
    }
  });

  it("the App gives the wizard its theme's colour and the selected port", async () => {
    const seen: ComponentProps<WizardComponent>[] = [];
    const Spy: WizardComponent = (p) => {
      seen.push(p);
      return null;
    };
    for (const color of [true, false]) {
      seen.length = 0;
      h = await mount(new FakeSource(() => snapshot([listener(5353, { protocol: 'udp' })])), { columns: 100, rows: 20, keymap: DEFAULT_KEYMAP, theme: createTheme(color), Wizard: Spy });
      await h.press('c');
      for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(seen.length > 0, 'the wizard was not mounted');
      assert.equal(seen[0].color, color);
      assert.deepEqual(seen[0].initial, { type: 'udp', port: 5353 });
      h.unmount();
      h = undefined;
    }
  });

  it('in the monitor on a UDP port: the wizard starts on UDP (it started on TCP)', async () => {
    h = await mount(new FakeSource(() => snapshot([listener(5353, { protocol: 'udp' })])), { columns: 100, rows: 30, keymap: DEFAULT_KEYMAP, Wizard: MonitorWizard });
    await h.press('c');
    await h.until((x) => /^› UDP/m.test(x));
  });
});
