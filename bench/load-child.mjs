// One load process of the benchmark (plain JavaScript: starts fast, no TypeScript loader).
// Opens, on loopback, `pairs` ESTABLISHED pairs, `closeWait` CLOSE_WAIT/FIN_WAIT2 pairs and `timeWait`
// TIME_WAIT sockets to its own 127.0.0.x server address, then prints one JSON line and idles.
// "tw N" (a line on stdin) opens and closes N more connections so that N more client sockets sit in
// TIME_WAIT (the parent tops the share up before each section: TIME_WAIT lasts 60 s), then prints
// {"tw":N}. On "stop" (a line on stdin), SIGTERM, SIGINT, SIGHUP, or when the parent goes away, it
// resets every connection it holds (SO_LINGER 0) and exits. Its TIME_WAIT sockets are no longer
// its own: the parent removes them (ss -K) or they live in the bench's network namespace, which
// goes with them. It also exits by itself after ttlSeconds.
import { createServer, connect } from 'node:net';
import { createInterface } from 'node:readline';

const cfg = JSON.parse(process.argv[2]);
const sockets = [];
const servers = [];
let stopping = false;

function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const s of sockets) {
    try {
      s.resetAndDestroy();
    } catch {
      s.destroy();
    }
  }
  for (const s of servers) s.close();
  // Let the RSTs go out before the process (and its fds) disappear.
  setTimeout(() => process.exit(code), 200).unref();
}

setTimeout(() => stop(0), cfg.ttlSeconds * 1000).unref();
process.stdin.on('end', () => stop(0));
process.stdin.on('error', () => stop(0));
process.stdout.on('error', () => stop(0));
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => stop(0));
process.on('disconnect', () => stop(0));
/** Set once the first connections are open: "tw N" lines wait for it. */
let ready;
const readyP = new Promise((r) => (ready = r));
createInterface({ input: process.stdin }).on('line', (line) => {
  const m = /^tw (\d+)$/.exec(line.trim());
  if (!m) return stop(0);
  readyP
    .then(() => openTimeWait(Number(m[1])))
    .then(
      () => process.stdout.write(`${JSON.stringify({ tw: Number(m[1]) })}\n`),
      (e) => process.stdout.write(`${JSON.stringify({ tw: 0, error: String(e?.message ?? e) })}\n`),
    );
});
let twPort = 0;
/** Opens `count` connections to the TIME_WAIT server and closes them first: each client ends in TIME_WAIT. */
async function openTimeWait(count) {
  await pool(count, cfg.concurrency, async () => {
    const c = await open(twPort);
    c.on('error', () => {});
    await new Promise((resolve) => {
      c.once('close', resolve);
      c.end();
      c.resume();
    });
  });
}

function listen(server, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0, backlog: 4096 }, () => resolve(server.address().port));
  });
}

/** Runs `count` async jobs with at most `limit` in flight. */
async function pool(count, limit, job) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count && !stopping) {
      const i = next++;
      await job(i);
    }
  });
  await Promise.all(workers);
}

function open(port) {
  return new Promise((resolve, reject) => {
    // No bind before connect: the kernel picks the source port per destination (4-tuple), and each
    // child's servers sit on their own 127.0.0.x, so every destination has the whole ephemeral range.
    const c = connect({ host: cfg.serverHost, port }, () => resolve(c));
    c.once('error', reject);
  });
}

try {
  // The main server never reads (pauseOnConnect) and keeps half-closed connections open (CLOSE_WAIT).
  const main = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    sockets.push(s);
  });
  servers.push(main);
  const port = await listen(main, cfg.serverHost);
  // The TIME_WAIT server reads to EOF and closes, so the client (who closed first) ends in TIME_WAIT.
  const tw = createServer((s) => {
    s.on('error', () => {});
    s.resume();
  });
  servers.push(tw);
  twPort = await listen(tw, cfg.serverHost);

  await pool(cfg.pairs, cfg.concurrency, async () => {
    const c = await open(port);
    c.on('error', () => {});
    sockets.push(c);
  });
  await pool(cfg.closeWait, cfg.concurrency, async () => {
    const c = await open(port);
    c.on('error', () => {});
    sockets.push(c);
    c.end(); // FIN: the server side goes CLOSE_WAIT (never closed), this side FIN_WAIT2
  });
  await openTimeWait(cfg.timeWait);
  ready();
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid, port, twPort, fds: sockets.length })}\n`);
} catch (e) {
  process.stdout.write(`${JSON.stringify({ ready: false, error: String(e?.message ?? e) })}\n`);
  stop(1);
}
