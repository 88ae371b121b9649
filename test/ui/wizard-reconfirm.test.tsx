// Going back in the wizard and pressing Enter again: an unchanged answer at Protocol, Language or C platform
// threw away the later answers (the io model, the platform, the profile), and a real change dropped answers
// the new combination still allows (throughput kept from C to Python, TCP to UDP). Only what the rules refuse
// goes (pruneLater).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { generateServer } from '../../src/codegen/index.js';
import { currentChoices, initialState, reduce, type WizardDeps, type WizardState } from '../../src/ui/wizard/reducer.js';
import { visibleSteps } from '../../src/ui/wizard/steps.js';

const cfg = { ...DEFAULT_CONFIG, defaultLanguage: 'c' as const, defaultIoModel: 'epoll', bufferSize: 65536 };
const deps: WizardDeps = { config: cfg, generate: (i, o) => generateServer(i, { output: o, config: cfg }), exists: () => [], directories: () => [], write: (r) => r.files.map((f) => f.path) };
const stepId = (s: WizardState) => visibleSteps(s.input)[s.step].id;
const cursorValue = (s: WizardState) => currentChoices(s, cfg)[s.cursor]?.value;

function pick(s: WizardState, value: string): WizardState {
  const i = currentChoices(s, cfg).findIndex((c) => c.value === value);
  assert.ok(i >= 0, `${value} offered at ${stepId(s)}`);
  return reduce({ ...s, cursor: i }, { name: 'enter' }, deps);
}
const enter = (s: WizardState) => reduce(s, { name: 'enter' }, deps);
function back(s: WizardState, to: string): WizardState {
  for (let k = 0; k < 30 && stepId(s) !== to; k++) s = reduce(s, { name: 'escape' }, deps);
  assert.equal(stepId(s), to);
  return s;
}
function forward(s: WizardState, to: string): WizardState {
  for (let k = 0; k < 30 && stepId(s) !== to; k++) s = enter(s);
  assert.equal(stepId(s), to);
  return s;
}

describe('wizard: Enter again on an unchanged answer keeps the later ones', () => {
  it('C platform POSIX again: the io model stays select (came back as epoll)', () => {
    let s = pick(pick(pick(initialState(cfg), 'tcp'), 'c'), 'posix');
    s = pick(s, 'select');
    assert.equal(s.input.ioModel, 'select');
    s = back(s, 'platform');
    assert.equal(cursorValue(s), 'posix');
    s = enter(s);
    assert.equal(stepId(s), 'ioModel');
    assert.equal(s.input.ioModel, 'select');
    assert.equal(cursorValue(s), 'select');
  });

  it('Windows + poll, Language C again: platform stays windows and the io model poll (were posix and select)', () => {
    let s = pick(pick(pick(initialState(cfg), 'tcp'), 'c'), 'windows');
    s = pick(s, 'poll');
    s = back(s, 'language');
    assert.equal(cursorValue(s), 'c');
    s = enter(s);
    assert.equal(stepId(s), 'platform');
    assert.equal(cursorValue(s), 'windows');
    s = enter(s);
    assert.equal(stepId(s), 'ioModel');
    assert.equal(cursorValue(s), 'poll');
    assert.equal(s.input.ioModel, 'poll');
  });

  it('the tuning profile survives Language confirmed again, and Protocol confirmed as UDP', () => {
    let s = forward(pick(pick(initialState(cfg), 'udp'), 'c'), 'profile');
    s = pick(s, 'throughput');
    s = back(s, 'language');
    s = enter(s);
    assert.equal(s.input.profile, 'throughput');
    s = back(s, 'type');
    assert.equal(cursorValue(s), 'udp');
    s = enter(s);
    assert.equal(s.input.profile, 'throughput');
    assert.equal(s.input.ioModel, 'epoll');
  });

  it('a real change keeps what the new combination allows and drops only what it refuses', () => {
    // TCP C throughput -> Python: throughput stays, epoll (C only) goes, posix is not asked for Python.
    let s = forward(pick(pick(initialState(cfg), 'tcp'), 'c'), 'profile');
    s = pick(s, 'throughput');
    s = back(s, 'language');
    s = pick(s, 'python');
    assert.equal(s.input.profile, 'throughput');
    assert.equal(s.input.ioModel, undefined);
    // TCP -> UDP: throughput stays.
    s = back(s, 'type');
    s = pick(s, 'udp');
    assert.equal(s.input.profile, 'throughput');
    // Latency then UDP: refused for UDP, dropped; TCP_NODELAY no then UDP: dropped; http then UDP: dropped.
    s = forward(pick(pick(initialState(cfg), 'tcp'), 'c'), 'handler');
    s = pick(s, 'http');
    s = forward(s, 'profile');
    s = pick(s, 'none');
    s = pick(s, 'no');
    assert.equal(s.input.tcpNodelay, false);
    s = back(s, 'type');
    s = pick(s, 'udp');
    assert.equal(s.input.tcpNodelay, undefined);
    assert.equal(s.input.handler, undefined);
    s = forward(pick(pick(initialState(cfg), 'tcp'), 'c'), 'profile');
    s = pick(s, 'latency');
    s = back(s, 'type');
    s = pick(s, 'udp');
    assert.equal(s.input.profile, undefined);
    // POSIX epoll -> Windows: epoll cannot be built there and goes; POSIX poll -> Windows: poll stays.
    s = pick(pick(pick(initialState(cfg), 'tcp'), 'c'), 'posix');
    s = pick(s, 'epoll');
    s = back(s, 'platform');
    s = pick(s, 'windows');
    assert.equal(s.input.ioModel, undefined);
    assert.equal(cursorValue(s), 'select');
    s = back(s, 'platform');
    s = pick(s, 'posix');
    s = pick(s, 'poll');
    s = back(s, 'platform');
    s = pick(s, 'windows');
    assert.equal(cursorValue(s), 'poll');
    // C throughput -> Node (TCP): Node's net cannot set the buffers; the profile goes.
    s = forward(pick(pick(initialState(cfg), 'tcp'), 'c'), 'profile');
    s = pick(s, 'throughput');
    s = back(s, 'language');
    s = pick(s, 'node');
    assert.equal(s.input.profile, undefined);
  });
});
