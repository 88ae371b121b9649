// C10K load worker (child process of bench/sections/c10k.ts): opens N connections from one 127.0.0.x
// source address, reports "ready" when all are established, then on "go" runs closed-loop echo
// round trips on every connection for the given duration and reports a latency histogram.
// Protocol on stdout/stdin: one JSON object per line.
import net from 'node:net';
import { createInterface } from 'node:readline';

interface Args {
  host: string;
  port: number;
  localAddress: string;
  count: number;
  payload: number;
  connectConcurrency: number;
}

const args: Args = JSON.parse(process.argv[2]);
const send = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

/** Latency histogram: 50 µs buckets up to 20 s, then one overflow bucket. */
const BUCKET_US = 50;
const NBUCKETS = 400_000;
const hist = new Uint32Array(NBUCKETS + 1);

const sockets: net.Socket[] = [];
let errors = 0;
let mismatches = 0;
let roundTrips = 0;
let running = false;
/** Latencies are recorded after the first second (the first round sends 10,000 messages at once). */
let recording = false;
/** Round trips completed in each second of the run. */
const perSecond: number[] = [];

function openOne(): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const s = net.connect({ host: args.host, port: args.port, localAddress: args.localAddress });
    s.setNoDelay(true);
    const fail = () => {
      errors++;
      resolve(null);
    };
    s.once('error', fail);
    s.setTimeout(20_000, () => s.destroy(new Error('connect timeout')));
    s.once('connect', () => {
      s.off('error', fail);
      s.setTimeout(0);
      s.on('error', () => {
        errors++;
      });
      resolve(s);
    });
  });
}

async function openAll(): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: args.connectConcurrency }, async () => {
    while (next < args.count) {
      next++;
      const s = await openOne();
      if (s) sockets.push(s);
    }
  });
  await Promise.all(lanes);
}

/** One closed loop per socket: send payload, wait for the same bytes back, record, repeat. */
function loop(s: net.Socket, k: number): void {
  const msg = Buffer.alloc(args.payload, 97 + (k % 26));
  let got = 0;
  let t0 = 0n;
  const fire = () => {
    if (!running) return;
    got = 0;
    t0 = process.hrtime.bigint();
    s.write(msg);
  };
  s.on('data', (d) => {
    if (d[0] !== msg[0] || d[d.length - 1] !== msg[0]) mismatches++;
    got += d.length;
    if (got < msg.length) return;
    if (got > msg.length) mismatches++;
    const us = Number(process.hrtime.bigint() - t0) / 1000;
    if (recording) hist[Math.min(NBUCKETS, Math.floor(us / BUCKET_US))]++;
    roundTrips++;
    fire();
  });
  fire();
}

await openAll();
send({ type: 'ready', established: sockets.length, errors });

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const cmd = JSON.parse(line) as { type: 'go'; durationMs: number } | { type: 'close' };
  if (cmd.type === 'go') {
    running = true;
    sockets.forEach(loop);
    setTimeout(() => (recording = true), 1000);
    let last = 0;
    const tick = setInterval(() => {
      perSecond.push(roundTrips - last);
      last = roundTrips;
    }, 1000);
    setTimeout(() => {
      clearInterval(tick);
      running = false;
      const alive = sockets.filter((s) => !s.destroyed).length;
      const buckets: [number, number][] = [];
      hist.forEach((n, b) => {
        if (n) buckets.push([b, n]);
      });
      send({ type: 'result', roundTrips, perSecond, errors, mismatches, alive, buckets, bucketUs: BUCKET_US });
    }, cmd.durationMs);
  } else if (cmd.type === 'close') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});
