// A network namespace a test creates for itself: `ip netns add`, then `ip -n NS ...` commands (links,
// addresses); the test deletes it in its teardown with deleteNetns. Needs root and iproute2 (as in CI).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Creates namespace `ns` and runs each `ip -n ns ARGS` in it (lo is set up first); fails the test on any error. */
export function createNetns(ns: string, ipCommands: readonly (readonly string[])[] = []): void {
  assert.equal(process.getuid?.(), 0, 'creating a network namespace needs root (as in CI)');
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  assert.equal(add.error, undefined, 'ip (iproute2) is required');
  assert.equal(add.status, 0, add.stderr);
  for (const a of [['link', 'set', 'lo', 'up'], ...ipCommands]) {
    const r = spawnSync('ip', ['-n', ns, ...a], { encoding: 'utf8' });
    assert.equal(r.status, 0, `ip ${a.join(' ')}: ${r.stderr}`);
  }
}

/**
 * Namespaces `a` and `b` joined by a veth pair (`ifA` in a, `ifB` in b), up, with `${prefix}.1/24` on ifA and
 * `${prefix}.2/24` on ifB (IPv4; the links' IPv6 link-local addresses come with them).
 */
export function vethPair(a: string, b: string, ifA: string, ifB: string, prefix: string): void {
  createNetns(a);
  createNetns(b);
  for (const args of [
    ['link', 'add', ifA, 'netns', a, 'type', 'veth', 'peer', 'name', ifB, 'netns', b],
    ['-n', a, 'addr', 'add', `${prefix}.1/24`, 'dev', ifA],
    ['-n', b, 'addr', 'add', `${prefix}.2/24`, 'dev', ifB],
    ['-n', a, 'link', 'set', ifA, 'up'],
    ['-n', b, 'link', 'set', ifB, 'up'],
  ]) {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
  }
}

/** Deletes namespace `ns` (quietly when it is already gone). */
export function deleteNetns(ns: string): void {
  spawnSync('ip', ['netns', 'delete', ns]);
}

/**
 * A python3 process in namespace `ns` running `code` (which binds sockets), then sleeping 60 s until the
 * test kills it; resolves once the sockets are bound (it prints "ready").
 */
export async function netnsHolder(ns: string, code: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', `import socket, sys, time\n${code}\nprint('ready', flush=True)\ntime.sleep(60)`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('holder not ready in 10 s')), 10_000);
    child.stdout!.once('data', () => {
      clearTimeout(timer);
      res();
    });
  });
  return child;
}

/** A namespace `ns` with a netnsHolder running `code`; both go when test `t` ends. */
export async function netnsWithHolder(t: { after(fn: () => void): void }, ns: string, code: string): Promise<ChildProcess> {
  let holder: ChildProcess | undefined;
  t.after(() => {
    holder?.kill('SIGKILL');
    deleteNetns(ns);
  });
  createNetns(ns);
  holder = await netnsHolder(ns, code);
  return holder;
}

/**
 * A client `c`, a router `r` and a server `s`, joined by two veth pairs (`${tag}c`-`${tag}r` and `${tag}s`-`${tag}q`,
 * `tag` a few letters plus the test's id): 10.77.0.1 and fd77::1 on the client, 10.77.0.254/fd77::fe and
 * 10.78.0.254/fd78::fe on the router (forwarding on), 10.78.0.2 and fd78::2 on the server, default routes via the
 * router. ICMP rate limits off on the router and server: tests probing the same ports again expect each ICMP error.
 */
export function routedNetns(c: string, r: string, s: string, tag: string): void {
  for (const ns of [c, r, s]) createNetns(ns);
  const ip = (...args: string[]) => {
    const x = spawnSync('ip', args, { encoding: 'utf8' });
    assert.equal(x.status, 0, `ip ${args.join(' ')}: ${x.stderr}`);
  };
  ip('link', 'add', `${tag}c`, 'netns', c, 'type', 'veth', 'peer', 'name', `${tag}r`, 'netns', r);
  ip('link', 'add', `${tag}s`, 'netns', s, 'type', 'veth', 'peer', 'name', `${tag}q`, 'netns', r);
  for (const [ns, dev, v4, v6] of [
    [c, `${tag}c`, '10.77.0.1/24', 'fd77::1/64'],
    [r, `${tag}r`, '10.77.0.254/24', 'fd77::fe/64'],
    [r, `${tag}q`, '10.78.0.254/24', 'fd78::fe/64'],
    [s, `${tag}s`, '10.78.0.2/24', 'fd78::2/64'],
  ]) {
    ip('-n', ns, 'addr', 'add', v4, 'dev', dev);
    ip('-n', ns, 'addr', 'add', v6, 'dev', dev, 'nodad');
    ip('-n', ns, 'link', 'set', dev, 'up');
  }
  ip('-n', c, 'route', 'add', 'default', 'via', '10.77.0.254');
  ip('-n', s, 'route', 'add', 'default', 'via', '10.78.0.254');
  ip('-n', c, '-6', 'route', 'add', 'default', 'via', 'fd77::fe');
  ip('-n', s, '-6', 'route', 'add', 'default', 'via', 'fd78::fe');
  ip('netns', 'exec', r, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1');
  for (const ns of [r, s]) ip('netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0');
}

/**
 * A python3 `script` (sys.argv[1:] = `args`) in namespace `ns` with stdin a pipe, for a test that keeps it until its
 * end (stopNetnsScript): resolves with the process and the first line it prints once its sockets are ready; rejects
 * if it exits before.
 */
export async function netnsScript(ns: string, script: string, args: readonly string[] = []): Promise<{ proc: ChildProcess; line: string }> {
  const proc = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: proc.stdout! }).once('line', res);
    proc.once('exit', (code) => rej(new Error(`holder exited ${code}`)));
  });
  return { proc, line };
}

/** Ends a netnsScript process: its stdin closed (the scripts exit on EOF), then SIGKILL. */
export function stopNetnsScript(proc: ChildProcess | undefined): void {
  proc?.stdin?.end();
  proc?.kill('SIGKILL');
}

/**
 * Namespace `ns` with IPv6 off on lo alone (net.ipv6.conf.lo.disable_ipv6=1: no ::1) while a veth pair l6a/l6b keeps
 * IPv6, fd00:77::1/64 on l6a; fails the test on any error.
 */
export function createLoIpv6OffNetns(ns: string): void {
  createNetns(ns);
  const sysctl = spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.lo.disable_ipv6=1'], { encoding: 'utf8' });
  assert.equal(sysctl.status, 0, sysctl.stderr);
  for (const args of [['link', 'add', 'l6a', 'type', 'veth', 'peer', 'name', 'l6b'], ['link', 'set', 'l6a', 'up'], ['link', 'set', 'l6b', 'up'], ['-6', 'addr', 'add', 'fd00:77::1/64', 'dev', 'l6a', 'nodad']]) {
    const r = spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
  }
}
