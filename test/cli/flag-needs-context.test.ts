// A flag that does nothing where it is given is refused (exit 2, one line naming the flag and what it needs), as
// try's "--backlog applies to listen only" is (review s20 cli): try bind/listen --timeout, --sample-interval
// without --samples 2+, --ssh-config/--ssh-timeout without --host (analyze, analyze-states, the monitor), and
// the monitor's --unix with --port. Used where they mean something, each still runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

function refused(args: string[], message: RegExp): void {
  const r = run(...args);
  assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stdout.slice(0, 300)}${r.stderr}`);
  assert.equal(r.stdout, '', args.join(' '));
  assert.match(r.stderr, /^sockscope: [^\n]*\n$/, `one line: ${r.stderr}`);
  assert.match(r.stderr, message, args.join(' '));
}

test('try: --timeout with bind or listen is refused; with connect and sendto it bounds the wait', { timeout: 60_000 }, () => {
  refused(['try', 'bind', '127.0.0.1:0', '--timeout', '1s'], /--timeout applies to connect and sendto only/);
  refused(['try', 'listen', '127.0.0.1:0', '--timeout', '5s'], /--timeout applies to connect and sendto only/);
  refused(['try', 'bind', '127.0.0.1:0', '--udp', '--timeout=1s', '--json'], /--timeout applies to connect and sendto only/);
  const bind = run('try', 'bind', '127.0.0.1:0');
  assert.equal(bind.status, 0, bind.stderr);
  // Port 1 on loopback: nothing listens (refused at once), and sendto gets no ICMP error within 200 ms.
  const connect = run('try', 'connect', '127.0.0.1:1', '--timeout', '1s', '--json');
  assert.notEqual(connect.status, 2, connect.stderr);
  assert.equal(JSON.parse(connect.stdout).op, 'connect');
  const sendto = run('try', 'sendto', '127.0.0.1:9', '--timeout', '200ms', '--json');
  assert.notEqual(sendto.status, 2, sendto.stderr);
  assert.equal(JSON.parse(sendto.stdout).op, 'sendto');
});

test('analyze and analyze-states: --sample-interval needs --samples 2 or more; --ssh-config and --ssh-timeout need --host', { timeout: 120_000 }, () => {
  for (const cmd of ['analyze', 'analyze-states']) {
    refused([cmd, '--sample-interval', '5s'], /--sample-interval needs --samples 2 or more.*--samples 1 \(the default\)/);
    refused([cmd, '--port', '22', '--samples', '1', '--sample-interval', '200ms'], /--sample-interval needs --samples 2 or more/);
    refused([cmd, '--ssh-timeout', '5s', '--ssh-config', '/etc/hosts'], /--ssh-(config|timeout) needs --host/);
    refused([cmd, '--ssh-config', '/etc/hosts', '--json'], /--ssh-config needs --host/);
    refused([cmd, '--ssh-timeout=5s'], /--ssh-timeout needs --host/);
    // Where they mean something: two snapshots 200 ms apart.
    const ok = run(cmd, '--port', '1', '--samples', '2', '--sample-interval', '200ms', '--json');
    assert.equal(ok.status, 0, ok.stderr);
    JSON.parse(ok.stdout);
  }
  // A --samples that is not a number or out of range is still its own parser's message, not the interval's.
  for (const samples of ['x', '0']) {
    const bad = run('analyze', '--samples', samples, '--sample-interval', '1s');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^sockscope: --samples must be an integer 1-600/, samples);
  }
});

test('the monitor: --ssh-config/--ssh-timeout need --host; --unix with --port is refused (a unix socket has no port)', { timeout: 60_000 }, () => {
  refused(['--ssh-config', '/etc/hosts', '--json'], /--ssh-config needs --host/);
  refused(['--ssh-timeout', '5s', '--json'], /--ssh-timeout needs --host/);
  refused(['--unix', '--port', '80', '--json'], /--port applies to TCP and UDP sockets: a unix socket has no port/);
  // Beside --tcp or --udp the port's TCP/UDP sockets are listed: --unix adds nothing (not "lists none").
  refused(['--unix', '--tcp', '--port', '80', '--json'], /^sockscope: --unix adds nothing with --port \(a unix socket has no port\): --tcp --port 80 lists the port's TCP sockets without it$/m);
  refused(['--tcp', '--udp', '--unix', '--port', '80', '--json'], /^sockscope: --unix adds nothing with --port \(a unix socket has no port\): --tcp --udp --port 80 lists the port's TCP and UDP sockets without it$/m);
  refused(['--unix', '--no-tcp', '--port', '80', '--json'], /so --unix with --port lists none/);
  for (const args of [['--tcp', '--port', '80', '--json'], ['--tcp', '--no-unix', '--port', '80', '--json']]) {
    const r = run(...args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    JSON.parse(r.stdout);
  }
  for (const args of [['--unix', '--json'], ['--port', '80', '--json'], ['--no-unix', '--port', '80', '--json']]) {
    const r = run(...args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    JSON.parse(r.stdout);
  }
});

test('the monitor: --interval with --json is refused (one snapshot, no refresh); without --json it is taken', { timeout: 60_000 }, () => {
  refused(['--json', '--interval', '2s'], /^sockscope: --interval sets the full-screen monitor's refresh: with --json it prints one snapshot/);
  refused(['--interval=500ms', '--json', '--port', '9'], /--interval sets the full-screen monitor's refresh/);
  // Not a terminal, no --json: one table, as the same command line refreshes in a terminal; not refused.
  const table = run('--interval', '2s', '--port', '9');
  assert.equal(table.status, 0, table.stderr);
  const json = run('--json', '--port', '9');
  assert.equal(json.status, 0, json.stderr);
  assert.doesNotThrow(() => JSON.parse(json.stdout));
});
