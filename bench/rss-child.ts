// Run by bench/sections/memory.ts as its own process (bundled like the CLI): takes 20 netlink
// snapshots with per-port aggregation and prints the resident set size after each, as JSON.
// Mode 'latest' keeps the current and previous snapshot (what rates need); 'history' pushes every
// snapshot into a History as the monitor's polling hook does (default bounds: 120 items, 10 min).
import '../src/collect/processes.js';
import { NetlinkSource } from '../src/collect/netlink.js';
import { summarizePorts, type PortSummary } from '../src/model/aggregate.js';
import { History } from '../src/model/history.js';
import type { Snapshot } from '../src/model/snapshot.js';

const mode = process.argv[2] === 'history' ? 'history' : 'latest';
const count = Number(process.argv[3] ?? 20);
const src = new NetlinkSource();
const history = new History();
let kept: { snap: Snapshot; ports: PortSummary[] }[] = [];
const rssMb: number[] = [];
const heapMb: number[] = [];
let sockets = 0;
for (let i = 0; i < count; i++) {
  const snap = await src.collect({});
  const ports = summarizePorts(snap.sockets);
  sockets = snap.sockets.length;
  if (mode === 'history') history.push(snap);
  else kept = [...kept.slice(-1), { snap, ports }];
  // A poll interval's worth of idle time lets the collector's garbage go, as it would in the monitor.
  await new Promise((r) => setTimeout(r, 100));
  const m = process.memoryUsage();
  rssMb.push(Math.round((m.rss / 1048576) * 10) / 10);
  heapMb.push(Math.round((m.heapUsed / 1048576) * 10) / 10);
}
process.stdout.write(`${JSON.stringify({ mode, sockets, rssMb, heapMb, kept: kept.length + history.all().length })}\n`);
