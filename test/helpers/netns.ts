// A network namespace a test creates for itself: `ip netns add`, then `ip -n NS ...` commands (links,
// addresses); the test deletes it in its teardown with deleteNetns. Needs root and iproute2 (as in CI).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

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
