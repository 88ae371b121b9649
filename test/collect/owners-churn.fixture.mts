// Run by owners-churn.test.ts inside the test's network namespace (ip netns exec), where clients open and
// close connections to a loopback server all the time: polls the netlink collector as the library and the
// monitor do (one shared attributor, owners of every socket), and once with a targeted collection whose
// prefetch reads the server while the dump runs; prints, per poll, the "owners ... not found" notes.
import { NetlinkSource } from '../../src/collect/netlink.js';
import { sharedAttributor } from '../../src/collect/processes.js';

const polls = Number(process.argv[2] ?? 10);
const out: { poll: string; notes: string[]; closedSinceDump: number; stillOpenAsked: number; sockets: number }[] = [];
const record = (poll: string, snap: Awaited<ReturnType<NetlinkSource['collect']>>) => {
  const st = sharedAttributor().stats();
  out.push({ poll, notes: snap.notes.filter((n) => /^owners of \d+ sockets? not found/.test(n)), closedSinceDump: st.closedSinceDump, stillOpenAsked: st.stillOpenAsked, sockets: snap.sockets.length });
};
// First: a one-shot's targeted collection on a fresh cache, its prefetch started on the first 8 wanted sockets.
record('targeted', await new NetlinkSource(undefined, { prefetchMinInodes: 8 }).collect({ processes: 'all', attribution: 'targeted' }));
const source = new NetlinkSource();
for (let i = 0; i < polls; i++) {
  record(String(i), await source.collect({ processes: 'all' }));
  await new Promise((r) => setTimeout(r, 200));
}
console.log(JSON.stringify(out));
