// One load process of the benchmark (plain JavaScript: starts fast, no TypeScript loader).
// Opens, on loopback, `pairs` ESTABLISHED pairs, `closeWait` CLOSE_WAIT/FIN_WAIT2 pairs and `timeWait`
// TIME_WAIT sockets to its own 127.0.0.x server address, then prints one JSON line and idles.
// On "stop" (a line on stdin), SIGTERM, or when the parent goes away, it resets every connection
// (SO_LINGER 0: no TIME_WAIT left behind) and exits. It also exits by itself after ttlSeconds.
import { createServer, connect } from 'node:net';

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
process.stdin.on('data', () => stop(0));
process.stdin.on('end', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.on('disconnect', () => stop(0));

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
  const twPort = await listen(tw, cfg.serverHost);

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
  await pool(cfg.timeWait, cfg.concurrency, async () => {
    const c = await open(twPort);
    c.on('error', () => {});
    await new Promise((resolve) => {
      c.once('close', resolve);
      c.end();
      c.resume();
    });
  });
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid, port, twPort, fds: sockets.length })}\n`);
} catch (e) {
  process.stdout.write(`${JSON.stringify({ ready: false, error: String(e?.message ?? e) })}\n`);
  stop(1);
}
