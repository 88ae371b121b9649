// The worker thread that reads fd links alongside the attributor (src/collect/fd-read-helper.ts), on a
// real child process holding thousands of fds (files with holes between them, and UDP sockets on loopback).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readdirSync, readlinkSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fdReadHelperReady, fdReadHelperRunning, setFdReadHelperKoffiPath, startFdReadHelper, stopFdReadHelper, SHARED_READ_MIN_FDS } from '../../src/collect/fd-read-helper.js';
import { readFdLinks } from '../../src/collect/fd-links.js';
import { ProcessAttributor } from '../../src/collect/processes.js';
import type { Socket } from '../../src/model/socket.js';

// 6,000 files (every 7th closed again: holes) and 300 UDP sockets bound on 127.0.0.1.
const CHILD = `
const fs = require('node:fs'), dgram = require('node:dgram');
const files = [];
for (let i = 0; i < 6000; i++) files.push(fs.openSync('/dev/null', 'r'));
for (let i = 0; i < files.length; i += 7) fs.closeSync(files[i]);
const socks = [];
let bound = 0;
for (let i = 0; i < 300; i++) {
  const s = dgram.createSocket('udp4');
  socks.push(s);
  s.bind(0, '127.0.0.1', () => { if (++bound === 300) process.stdout.write('ready\\n'); });
}
process.stdin.on('data', () => undefined);
process.stdin.on('end', () => process.exit(0));
`;

let child: ChildProcess;
let dir: string;

before(async () => {
  child = spawn(process.execPath, ['-e', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the child did not open its fds within 20 s')), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the child exited (${code})`)));
  });
  dir = `/proc/${child.pid}/fd`;
});

after(() => {
  stopFdReadHelper();
  setFdReadHelperKoffiPath(undefined);
  child.stdin!.end();
  child.kill();
});

/** What the child holds, read the plain way: fd -> socket inode (0 for other files). */
function truth(): Map<number, number> {
  const m = new Map<number, number>();
  for (const name of readdirSync(dir)) {
    try {
      const link = readlinkSync(`${dir}/${name}`);
      const s = /^socket:\[(\d+)\]$/.exec(link);
      m.set(Number(name), s ? Number(s[1]) : 0);
    } catch {
      // closed meanwhile
    }
  }
  return m;
}

/** Waits for the worker with a timer keeping the event loop alive (the worker itself is unref'd). */
async function ready(): Promise<boolean> {
  const keep = setInterval(() => undefined, 1000);
  try {
    return await fdReadHelperReady();
  } finally {
    clearInterval(keep);
  }
}

const noPause = () => Promise.resolve();
/** Yields the thread for a millisecond every 256 readlinks, as the attributor's passes do (so the worker gets its share even on a busy machine). */
const yieldPause = () => new Promise<void>((r) => setTimeout(r, 1));

test('a process with thousands of fds is read by both threads, with the same result as one thread', async () => {
  const want = truth();
  assert.ok(want.size >= SHARED_READ_MIN_FDS, `the child holds ${want.size} fds`);
  assert.ok(startFdReadHelper(), 'the worker starts');
  assert.equal(await ready(), true, 'the worker loaded koffi');
  const counter = { readlinks: 0, workerReadlinks: 0 };
  const got = await readFdLinks(dir, { firstCount: want.size, reuse: () => undefined }, counter, yieldPause);
  assert.deepEqual(got, want);
  assert.ok(counter.workerReadlinks > 0, `the worker made ${counter.workerReadlinks} of ${counter.readlinks} readlinks`);
  assert.ok(counter.workerReadlinks < counter.readlinks, 'and this thread made the rest');
  assert.ok(counter.readlinks >= want.size && counter.readlinks <= want.size + 1200, `${counter.readlinks} readlinks for ${want.size} fds (the holes and one chunk past them)`);
});

test('a cold one-shot attribution names the owner of every socket, with the worker reading part of the fds', async () => {
  const want = truth();
  const sockets: Socket[] = [];
  const fdOf = new Map<number, number>();
  for (const [fd, ino] of want) {
    if (ino === 0) continue;
    fdOf.set(ino, fd);
    sockets.push({ protocol: 'udp', ipVersion: 4, state: 'CLOSE', local: { address: '127.0.0.1', port: 1 }, peer: { address: '0.0.0.0', port: 0 }, recvQ: 0, sendQ: 0, inode: ino, processes: [] });
  }
  assert.ok(sockets.length >= 300, `${sockets.length} sockets`);
  stopFdReadHelper();
  // What a one-shot command's collection does as its dump starts: lists the processes, and starts the
  // worker since one (the child) holds over 1,024 fds.
  const a = new ProcessAttributor();
  a.prepare();
  assert.equal(fdReadHelperRunning(), true, 'prepare() started the worker');
  assert.equal(await ready(), true);
  await a.attribute(sockets, 'all');
  assert.equal(fdReadHelperRunning(), false, 'the pass stopped the worker as it ended');
  for (const s of sockets) {
    const mine = s.processes.filter((p) => p.pid === child.pid);
    assert.deepEqual(
      mine.map((p) => p.fd),
      [fdOf.get(s.inode!)],
      `socket ${s.inode}`,
    );
  }
  assert.ok(a.stats().workerReadlinks > 0, `the worker made ${a.stats().workerReadlinks} of ${a.stats().readlinks} readlinks`);
});

test('a worker that cannot start (koffi not found in it) leaves the reading to the caller, same result', async () => {
  setFdReadHelperKoffiPath('/nonexistent/koffi');
  assert.equal(startFdReadHelper(), true, 'started: it fails on its own thread');
  assert.equal(await ready(), false, 'the worker failed');
  const want = truth();
  const counter = { readlinks: 0, workerReadlinks: 0 };
  const got = await readFdLinks(dir, { firstCount: want.size, reuse: () => undefined }, counter, noPause);
  assert.deepEqual(got, want);
  assert.equal(counter.workerReadlinks, 0);
  assert.equal(startFdReadHelper(), false, 'not started again after it failed');
  setFdReadHelperKoffiPath(undefined);
  assert.equal(startFdReadHelper(), true, 'a reset allows it again');
  assert.equal(await ready(), true);
});

test('stopping the worker or exiting while it loads koffi never aborts the process', () => {
  const script = fileURLToPath(new URL('./fd-read-helper-stop.fixture.mts', import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000, cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  // Terminating a worker inside koffi's native init used to abort (node-addon-api "napi_throw"): 1 in 40 start/stop cycles here.
  const stop = run('stop');
  assert.equal(stop.status, 0, `status ${stop.status} signal ${stop.signal}: ${stop.stderr.slice(0, 400)}`);
  assert.match(stop.stdout, /stopped 50 times/);
  for (let ms = 0; ms < 40; ms += 4) {
    const exit = run('exit', String(ms));
    assert.equal(exit.status, 0, `exit after ${ms} ms: status ${exit.status} signal ${exit.signal}: ${exit.stderr.slice(0, 400)}`);
  }
});
