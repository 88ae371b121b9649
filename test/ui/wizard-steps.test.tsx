// The code-generation wizard's questions against the CLI and the generator: the buffer size spellings of
// --buffer-size, what the profiles and io_uring really need, and Ctrl-C.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { generateServer } from '../../src/codegen/index.js';
import type { GeneratorInput } from '../../src/codegen/options.js';
import { currentChoices, initialState, reduce, type WizardDeps, type WizardKey, type WizardState } from '../../src/ui/wizard/reducer.js';
import { parseBufferSize, STEPS, stepTitle, visibleSteps } from '../../src/ui/wizard/steps.js';
import { Wizard } from '../../src/ui/wizard/Wizard.js';
import { waitFor } from './fakes.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const cfg = { ...DEFAULT_CONFIG, defaultLanguage: 'python' as const, defaultIoModel: 'selectors', bufferSize: 4096 };
const deps: WizardDeps = { config: cfg, generate: (i, o) => generateServer(i, { output: o, config: cfg }), exists: () => [], directories: () => [], write: (r) => r.files.map((f) => f.path) };
const step = (s: WizardState) => visibleSteps(s.input)[s.step].id;
const enter: WizardKey = { name: 'enter' };

/** Enter on every default until the step `id` (bounded: there are 13 steps at most). */
function until(s: WizardState, id: string): WizardState {
  for (let k = 0; k < 20 && step(s) !== id; k++) s = reduce(s, enter, deps);
  assert.equal(step(s), id);
  return s;
}
function pick(s: WizardState, value: string): WizardState {
  const i = currentChoices(s, cfg).findIndex((c) => c.value === value);
  assert.ok(i >= 0, `${value} offered at ${step(s)}`);
  return reduce({ ...s, cursor: i }, enter, deps);
}
function type(s: WizardState, text: string): WizardState {
  s = { ...s, text: '' };
  for (const ch of text) s = reduce(s, { name: 'char', ch }, deps);
  return reduce(s, enter, deps);
}

describe('wizard buffer size', () => {
  it('takes what --buffer-size takes (64k was "must be a whole number"), the same number as the CLI', () => {
    for (const spelling of ['64k', '1M', '64KiB', '2 k', '4096']) {
      const cli = spawnSync(process.execPath, [`${ROOT}bin/sockscope`, 'generate-server', '--language', 'python', '--buffer-size', spelling, '--stdout'], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(cli.status, 0, cli.stderr);
      const fromCli = Number(/bufferSize=(\d+)/.exec(cli.stdout)?.[1]);
      assert.equal(parseBufferSize(spelling), fromCli, spelling);
    }
    assert.throws(() => parseBufferSize('64x'), { message: 'buffer size must be a whole number (suffix k or M allowed), got "64x"' });
    assert.throws(() => parseBufferSize('100'), { message: 'buffer size must be 512 to 64M (67108864), got 100' });
    assert.throws(() => parseBufferSize('128M'), { message: 'buffer size must be 512 to 64M (67108864), got 128M' });
  });

  it('the question shows the forms, and 64k typed in goes on to the next step', async () => {
    let s = until(initialState(cfg), 'bufferSize');
    s = type(s, '64k');
    assert.equal(s.error, null);
    assert.equal(s.input.bufferSize, 65536);
    assert.equal(step(s), 'reusePort');
    const app = render(createElement(Wizard, { onDone: () => {}, onCancel: () => {}, config: cfg, rows: 24, initial: { bufferSize: 65536 } }));
    try {
      const frame = () => app.lastFrame() ?? '';
      for (let k = 0; k < 20 && !/^Read buffer size/m.test(frame()); k++) {
        const before = frame();
        app.stdin.write('\r');
        await waitFor(frame, (f) => f !== before);
      }
      assert.match(frame(), /^Read buffer size \(bytes, or with k\/M: 65536, 64k, 1M; 512 to 64M\)/m);
    } finally {
      app.unmount();
    }
  });
  it('UDP: the size is the longest datagram, starting at 65536 as the CLI does, whatever the TCP read size in the config', () => {
    // A config bufferSize above 64 KiB (a TCP read size) made the UDP wizard start at it and then refuse it.
    const big = { ...cfg, bufferSize: 1048576 };
    const bigDeps: WizardDeps = { config: big, generate: (i, o) => generateServer(i, { output: o, config: big }), exists: () => [], directories: () => [], write: (r) => r.files.map((f) => f.path) };
    let s = initialState(big);
    const i = currentChoices(s, big).findIndex((c) => c.value === 'udp');
    s = reduce({ ...s, cursor: i }, enter, bigDeps);
    for (let k = 0; k < 20 && step(s) !== 'bufferSize'; k++) s = reduce(s, enter, bigDeps);
    assert.equal(step(s), 'bufferSize');
    const st = visibleSteps(s.input)[s.step];
    assert.equal(st.initial(s.input, big), '65536');
    s = reduce({ ...s, text: '65536' }, enter, bigDeps);
    assert.equal(s.error, null);
    assert.equal(s.input.bufferSize, 65536);
    assert.match(stepTitle(STEPS.find((x) => x.id === 'bufferSize')!, { type: 'udp' }), /UDP: the longest datagram/);
  });
});

describe('wizard hints say what the server gets', () => {
  it('UDP: the throughput profile is the socket buffers only (it said "+ TCP_NODELAY", a TCP option)', () => {
    let s = pick(initialState(cfg), 'udp');
    s = until(s, 'profile');
    const choices = currentChoices(s, cfg);
    assert.deepEqual(choices.map((c) => c.value), ['none', 'throughput']);
    const hint = choices.find((c) => c.value === 'throughput')!.hint!;
    assert.equal(hint, '1 MiB SO_SNDBUF/SO_RCVBUF');
    assert.equal(choices[0].hint, 'kernel defaults (net.core.rmem_default/wmem_default)', 'Linux autotunes TCP buffers only');
    // The generated server: buffers set, no TCP option.
    const r = generateServer({ type: 'udp', language: 'python', profile: 'throughput' }, { config: cfg });
    assert.deepEqual([r.options.sndbuf, r.options.rcvbuf, r.options.tcpNodelay, r.options.quickack], [1048576, 1048576, false, false]);
    assert.match(r.files[0].content, /SO_RCVBUF/);
    assert.doesNotMatch(r.files[0].content, /TCP_NODELAY/);
    // TCP keeps its words.
    const tcp = currentChoices(until(initialState(cfg), 'profile'), cfg);
    assert.equal(tcp.find((c) => c.value === 'throughput')!.hint, '1 MiB SO_SNDBUF/SO_RCVBUF + TCP_NODELAY');
    assert.equal(tcp.find((c) => c.value === 'latency')!.hint, 'TCP_NODELAY + TCP_QUICKACK (Linux)');
  });

  it('back at the profile after "no" to TCP_NODELAY, the profiles are still offered and generate', () => {
    let s = until(initialState(cfg), 'tcpNodelay');
    s = pick(s, 'no');
    assert.equal(s.input.tcpNodelay, false);
    s = reduce(s, { name: 'escape' }, deps);
    s = reduce(s, { name: 'escape' }, deps);
    assert.equal(step(s), 'profile');
    // Before: both profiles failed resolveOptions with tcpNodelay false and were hidden.
    assert.deepEqual(currentChoices(s, cfg).map((c) => c.value), ['none', 'throughput', 'latency']);
    s = pick(s, 'throughput');
    assert.equal(s.input.tcpNodelay, undefined);
    s = until(s, 'output');
    s = reduce(s, enter, deps);
    assert.equal(s.error, null);
    assert.equal(s.phase, 'preview');
    assert.equal(s.result!.options.tcpNodelay, true);
  });

  it('back to the protocol after a TCP_NODELAY answer, UDP still offers io models and generates', () => {
    for (const answer of ['yes', 'no']) {
      let s = until(initialState(cfg), 'tcpNodelay');
      s = pick(s, answer);
      for (let k = 0; k < 20 && step(s) !== 'type'; k++) s = reduce(s, { name: 'escape' }, deps);
      s = pick(s, 'udp');
      assert.equal(s.input.tcpNodelay, undefined, `the TCP_NODELAY answer (${answer}) is dropped with UDP`);
      s = until(s, 'ioModel');
      assert.ok(currentChoices(s, cfg).length > 0, `io models offered after "${answer}"`);
      s = until(s, 'output');
      s = reduce(s, enter, deps);
      assert.equal(s.error, null);
      assert.equal(s.result!.options.type, 'udp');
    }
  });

  it('io_uring: the kernel the generated server needs, the newest operation it requires (it said 5.19+)', () => {
    const ioModel = STEPS.find((x) => x.id === 'ioModel')!;
    const hint = ioModel.choices!({ language: 'c', platform: 'posix' }, cfg).find((c) => c.value === 'io_uring')!.hint!;
    for (const type of ['tcp', 'udp'] as const) {
      const input: GeneratorInput = { type, language: 'c', ioModel: 'io_uring' };
      const code = generateServer(input, { config: cfg }).files[0].content;
      // The operations start_ring() requires (without one the server runs its epoll loop) and the probe's kernel.
      const required = [...code.matchAll(/"IORING_OP_\w+ \(Linux (\d+)\.(\d+)\+\)"/g), ...code.matchAll(/cannot list its io_uring operations "\s*"\(Linux (\d+)\.(\d+)\+\)/g)];
      assert.ok(required.length >= 4, `${type}: ${required.length} requirements found`);
      const [maj, min] = required.map((m) => [Number(m[1]), Number(m[2])]).sort((a, b) => b[0] - a[0] || b[1] - a[1])[0];
      assert.ok(hint.includes(`Linux ${maj}.${min}+`), `${type}: hint "${hint}", the code needs ${maj}.${min}`);
      assert.match(code, /falling back to epoll/);
      // Multishot accept is optional: the code falls back to one accept per connection.
      if (type === 'tcp') assert.match(code, /no multishot accept on this kernel \(5\.19\+\); one request per connection/);
    }
    assert.match(hint, /epoll/);
    assert.match(hint, /liburing/);
  });
});

describe('wizard Ctrl-C', () => {
  it('calls onInterrupt (nothing written), not onCancel or onDone; after a write it closes as Enter does', async () => {
    const calls: string[] = [];
    const app = render(createElement(Wizard, { onDone: () => calls.push('done'), onCancel: () => calls.push('cancel'), onInterrupt: () => calls.push('interrupt'), config: cfg, rows: 24, deps }));
    try {
      await waitFor(() => app.lastFrame(), (f) => /Protocol/.test(f));
      app.stdin.write('\r');
      await waitFor(() => app.lastFrame(), (f) => /Language/.test(f));
      app.stdin.write('\u0003');
      await waitFor(() => calls.join(), (c) => c.length > 0);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(calls, ['interrupt']);
    } finally {
      app.unmount();
    }
    // On the "Wrote ..." screen the file exists: Ctrl-C finishes (onDone), it is not an interruption.
    let s = until(initialState(cfg), 'output');
    s = reduce(reduce(s, enter, deps), enter, deps);
    assert.equal(s.phase, 'done');
    assert.equal(reduce(s, { name: 'interrupt' }, deps).phase, 'finished');
    assert.equal(reduce(initialState(cfg), { name: 'interrupt' }, deps).phase, 'interrupted');
  });

  it('without onInterrupt (the monitor, which quits on Ctrl-C itself) the wizard ignores it', async () => {
    const calls: string[] = [];
    const app = render(createElement(Wizard, { onDone: () => calls.push('done'), onCancel: () => calls.push('cancel'), config: cfg, rows: 24, deps }));
    try {
      await waitFor(() => app.lastFrame(), (f) => /Protocol/.test(f));
      app.stdin.write('\u0003');
      app.stdin.write('\u001b[B');
      await waitFor(() => app.lastFrame(), (f) => /^› UDP/m.test(f));
      assert.deepEqual(calls, []);
    } finally {
      app.unmount();
    }
  });
});
