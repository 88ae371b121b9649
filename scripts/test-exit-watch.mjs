// Loaded into every test file's process by run-tests.mjs. A file whose tests have all finished while something it
// started still holds its process open (a server, a child process, a timer) kept the runner waiting for its whole
// 10-minute timeout, then counted as one cancelled test with nothing to say which file. Once the file's tests
// are done, this gives it EXIT_GRACE_MS to end on its own; then it says on stderr what keeps it alive (the
// failures reporter repeats the line at the end of the run) and exits with the file's own exit code.
import { after } from 'node:test';

const EXIT_GRACE_MS = 30_000;
const file = process.argv.find((a) => /\.test\.[cm]?[jt]sx?$/.test(a)) ?? process.argv.slice(1).join(' ');

after(() => {
  setTimeout(() => {
    // Standard output and error are pipes to the runner; they do not keep the process alive.
    const held = process.getActiveResourcesInfo();
    process.stderr.write(`test-exit-watch: ${file} still running ${EXIT_GRACE_MS / 1000} s after its last test (active: ${held.join(', ') || 'none listed'}): exiting\n`);
    process.exit();
  }, EXIT_GRACE_MS).unref();
});
