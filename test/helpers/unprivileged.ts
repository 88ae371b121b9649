// Tests that run sockscope as another user (nobody, through setpriv) against sockets root holds.
import { spawnSync } from 'node:child_process';

const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const inCi = process.env.CI === 'true' || process.env.CI === '1';

/** The tests' skip reason, or false: without setpriv they fail in CI (it runs as root) and are skipped on a developer machine. */
export const nobodySkip: string | false = !isRoot ? 'needs root to hold sockets another user cannot see' : !hasSetpriv && !inCi ? 'setpriv is not installed' : false;

/** setpriv's arguments for uid/gid 65534 (nobody) without supplementary groups. */
export const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
