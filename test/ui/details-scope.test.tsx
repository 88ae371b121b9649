// The monitor asks tcp_info only for the port on screen (CollectOptions.detailsFor): detailsScopeOf per view,
// and the options the App hands its source when drilling into a port and a socket, and back home.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { detailsScopeOf, type Frame } from '../../src/ui/state.js';
import { conn, FakeSource, listener, snapshot } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

const port = (p: number, direction: 'local' | 'peer', protocol: 'tcp' | 'udp' | 'unix' = 'tcp', host?: string): Frame => ({
  view: 'port',
  id: `${protocol}:${p}`,
  direction,
  protocol,
  port: p,
  label: `PORT ${p}`,
  ...(host ? { host } : {}),
});
const sock = conn(18080, '127.0.0.1', 40001);

describe('detailsScopeOf', () => {
  it('a local port view and a peer port view: the port (at either end)', () => {
    assert.deepEqual(detailsScopeOf([{ view: 'ports' }, port(18080, 'local')]), { protocol: 'tcp', port: 18080 });
    assert.deepEqual(detailsScopeOf([{ view: 'ports' }, port(5432, 'peer')]), { protocol: 'tcp', port: 5432 });
  });
  it('a socket view: the port view it was opened from, else its own local port', () => {
    assert.deepEqual(detailsScopeOf([{ view: 'ports' }, port(5432, 'peer'), { view: 'socket', id: 'x', last: sock }]), { protocol: 'tcp', port: 5432 });
    assert.deepEqual(detailsScopeOf([{ view: 'ports' }, { view: 'socket', id: 'x', last: sock }]), { protocol: 'tcp', port: 18080 });
  });
  it('none for the home view, help, UDP and unix ports, and a remote host\'s port', () => {
    assert.equal(detailsScopeOf([{ view: 'ports' }]), undefined);
    assert.equal(detailsScopeOf([{ view: 'ports' }, port(18080, 'local'), { view: 'help' }]), undefined);
    assert.equal(detailsScopeOf([{ view: 'ports' }, port(53, 'local', 'udp')]), undefined);
    assert.equal(detailsScopeOf([{ view: 'ports' }, port(0, 'local', 'unix')]), undefined);
    assert.equal(detailsScopeOf([{ view: 'ports' }, port(18080, 'local', 'tcp', 'web1')]), undefined);
  });
});

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

describe('the options the monitor collects with', () => {
  it('home: no details; the port view: details for its port only; its socket view: the same; back home: none', async () => {
    const src = new FakeSource(() => snapshot([listener(18080), conn(18080, '127.0.0.1', 40001), listener(19090), conn(19090, '127.0.0.1', 40002)]));
    h = await mount(src, { columns: 120, rows: 40 });
    await h.until((f) => f.includes('19090'));
    assert.equal(src.lastOptions?.details, false);
    assert.equal(src.lastOptions?.detailsFor, undefined);
    await h.press(KEY.enter);
    await h.until(() => src.lastOptions?.details === true, 'a detailed collection');
    assert.deepEqual(src.lastOptions?.detailsFor, { protocol: 'tcp', port: 18080 });
    const calls = src.calls;
    await h.press(KEY.down, KEY.enter);
    await h.until((f) => f.includes('SOCKET tcp'));
    await h.refresh();
    assert.deepEqual(src.lastOptions?.detailsFor, { protocol: 'tcp', port: 18080 }, 'the socket view keeps its port view\'s scope');
    assert.ok(src.calls > calls);
    await h.press(KEY.escape, KEY.escape);
    await h.until(() => src.lastOptions?.details === false, 'back home');
    assert.equal(src.lastOptions?.detailsFor, undefined);
  });
});
