// Run by fd-read-helper.test.ts as its own process: stops (mode "stop") or exits (mode "exit") while
// the fd-reading worker may still be loading koffi, which must never abort the process.
import { startFdReadHelper, stopFdReadHelper } from '../../src/collect/fd-read-helper.js';

const [mode, arg] = process.argv.slice(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
if (mode === 'stop') {
  // Start and stop 50 times, 0-49 ms apart: the worker loads koffi 20-40 ms after its start.
  for (let i = 0; i < 50; i++) {
    startFdReadHelper();
    await sleep(i);
    stopFdReadHelper();
  }
  process.stdout.write('stopped 50 times\n');
} else {
  startFdReadHelper();
  await sleep(Number(arg));
  process.stdout.write('exiting\n');
  process.exit(0);
}
