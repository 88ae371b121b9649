// Run by bench/sections/memory.ts as its own process (bundled like the CLI): takes 20 netlink
// snapshots with per-port aggregation and prints the resident set size after each, as JSON.
// Mode 'latest' keeps the current and previous snapshot (what rates need); 'history' keeps what the
// monitor's polling hook keeps: every snapshot through keepHistory (the last 4 whole, plus one window
// entry per 10 s bucket of the 60 s rule window), with the snapshot times spaced one second apart as in the monitor.
import '../src/collect/processes.js';
import { enableHeapGovernor, scheduleReclaim } from '../src/collect/heap-governor.js';
import { NetlinkSource } from '../src/collect/netlink.js';
import { summarizePorts, type PortSummary } from '../src/model/aggregate.js';
import { keepHistory } from '../src/advise/history.js';
import { DEFAULT_HISTORY_WINDOW } from '../src/model/history-window.js';
import type { Snapshot } from '../src/model/snapshot.js';

const mode = process.argv[2] === 'history' ? 'history' : 'latest';
const count = Number(process.argv[3] ?? 20);
// As the monitor and the exporter do (src/cli/commands/monitor.ts, export.ts).
enableHeapGovernor();
const src = new NetlinkSource();
let history: Snapshot[] = [];
let kept: { snap: Snapshot; ports: PortSummary[] }[] = [];
const rssMb: number[] = [];
const heapMb: number[] = [];
let sockets = 0;
const t0 = Date.now();
for (let i = 0; i < count; i++) {
  // Snapshot times one poll interval (1 s) apart, as the monitor takes them (this loop is faster).
  const snap = { ...(await src.collect({})), time: t0 + i * 1000 };
  // What createSource()'s wrapper does after every local snapshot (src/collect/index.ts).
  scheduleReclaim();
  const ports = summarizePorts(snap.sockets);
  sockets = snap.sockets.length;
  if (mode === 'history') history = keepHistory(history, snap, DEFAULT_HISTORY_WINDOW);
  else kept = [...kept.slice(-1), { snap, ports }];
  // A poll interval's worth of idle time lets the collector's garbage go, as it would in the monitor.
  await new Promise((r) => setTimeout(r, 100));
  const m = process.memoryUsage();
  rssMb.push(Math.round((m.rss / 1048576) * 10) / 10);
  heapMb.push(Math.round((m.heapUsed / 1048576) * 10) / 10);
}
process.stdout.write(`${JSON.stringify({ mode, sockets, rssMb, heapMb, kept: kept.length + history.length })}\n`);
