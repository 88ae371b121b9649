// No command on the line: the monitor's (the default command's) flags go by every name yargs gives them, the
// camelCase `--sshConfig` of --ssh-config included. Its parser was never parsed, so it had no alias table
// (yargs makes it when it parses): `sockscope --sshConfig <TAB>` offered the commands instead of nothing (bash
// then completes file names), `--sshConfig=<TAB>` the flags, and `--sshConfig x --<TAB>` offered --ssh-config again.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { completeAll } from '../helpers/bash-completion.js';


test('the monitor\'s camelCase aliases complete as their flags: a value position gets nothing, a given flag is not offered again', { timeout: 90_000 }, () => {
  const [kebabValue, camelValue, kebabAfter, camelAfter, timeoutAfter, hostCamel, camelJoined] = completeAll([
    ['--ssh-config', ''],
    ['--sshConfig', ''],
    ['--ssh-config', 'x', '--'],
    ['--sshConfig', 'x', '--'],
    ['--sshTimeout', '5s', '--'],
    ['--host', 'a@b', '--sshConfig', 'x', '--'],
    // Bash splits at '=': the word being completed is '=' itself.
    ['--sshConfig', '='],
  ]);
  assert.deepEqual(kebabValue, [], '--ssh-config <TAB>: nothing, so bash completes file names');
  assert.deepEqual(camelValue, kebabValue, '--sshConfig <TAB>: as --ssh-config (it offered the command names)');
  assert.deepEqual(camelJoined, [], '--sshConfig=<TAB>: no flags as the value');
  assert.ok(!kebabAfter.includes('--ssh-config') && kebabAfter.includes('--ssh-timeout'), kebabAfter.join(' '));
  assert.deepEqual(camelAfter, kebabAfter, '--sshConfig x --<TAB>: as --ssh-config x --<TAB> (it offered --ssh-config again)');
  assert.ok(!timeoutAfter.includes('--ssh-timeout') && timeoutAfter.includes('--ssh-config'), timeoutAfter.join(' '));
  assert.ok(hostCamel.includes('--host') && !hostCamel.includes('--ssh-config'), `--host repeats, --ssh-config given: ${hostCamel.join(' ')}`);
});
