// How long a value a CLI message quotes may be (review s20, after 00d3590): values of normal length are quoted
// whole, in bad-input (exit 2) and runtime (exit 1) messages alike, so that a path, a host name or a suggested
// command can be read and copied; only an abusive word (over 256 characters) is cut, to its first 64 characters,
// '…' and its length; values a message quotes changed (JSON-quoted, escaped) are cut where the message is made;
// and no message is longer than 4,096 characters, whatever it quotes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const run = (args: readonly string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });

/** The one stderr line of a run that exits `status`, without 'sockscope: '. */
function failure(args: readonly string[], status: number): string {
  const r = run(args);
  const shown = args.map((a) => a.slice(0, 40)).join(' ');
  assert.equal(r.status, status, `${shown}: exit ${r.status}, ${r.stderr.slice(0, 400)}`);
  assert.equal(r.stdout, '', shown);
  assert.match(r.stderr, /^sockscope: [^\n]*\n$/, `${shown}: one line: ${r.stderr.slice(0, 400)}`);
  return r.stderr.slice('sockscope: '.length, -1);
}

test('values of normal length are quoted whole: a runtime error\'s path, an ssh alias, a suggested command', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-lengths-'));
  try {
    // A path of about 100 characters whose parent component is a file: exit 1, naming the directory and the path.
    const file = join(dir, 'payments-service-reference-implementation-blue-green');
    writeFileSync(file, '');
    const output = join(file, 'src', 'server.c');
    assert.ok(output.length > 87 && output.length < 200, `${output.length}`);
    const line = failure(['generate-tcp-server', '--output', output], 1);
    assert.ok(line.includes(`cannot create the directory ${join(file, 'src')} for ${output}`), line);
    assert.doesNotMatch(line, /…/, line);

    // An ssh alias of 82 characters reaches ssh (127.0.0.1 port 1: refused at once), and the message names it whole.
    const alias = 'orders-api-primary.payments-prod.svc.cluster.local.eu-west-1.example-corp.internal';
    assert.equal(alias.length, 82);
    const config = join(dir, 'sshcfg');
    writeFileSync(config, `Host ${alias}\n  HostName 127.0.0.1\n  Port 1\n`);
    const ssh = failure(['analyze', '--host', alias, '--ssh-config', config], 1);
    assert.ok(ssh.includes(alias), ssh);
    assert.doesNotMatch(ssh, /…/, ssh);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // try's suggested command can be copied: the address of 83 characters is in it whole.
  const address = 'orders-api-primary.payments-prod.svc.cluster.local.eu-west-1.example.com:8443';
  const suggestion = failure(['try', address], 2);
  assert.ok(suggestion.endsWith(`e.g. sockscope try connect ${address}`), suggestion);
  // A word of 256 characters is not abusive yet: whole.
  const p256 = `/${'p'.repeat(255)}`;
  assert.ok(failure(['analyze', '--ssh-config', p256], 2).includes(p256));
});

test('an abusive word (over 256 characters) is quoted by its first 64 characters, … and its length', { timeout: 60_000 }, () => {
  const line = failure(['analyze', '--port', '1'.repeat(100_000)], 2);
  assert.ok(line.includes(`${'1'.repeat(64)}… (100000 characters)`), line);
  assert.doesNotMatch(line, /1{65}/);
  const p257 = `/${'p'.repeat(256)}`;
  assert.ok(failure(['analyze', '--ssh-config', p257], 2).includes(`${p257.slice(0, 64)}… (257 characters)`));
});

test('values a message quotes changed (JSON-quoted, escaped) are cut where the message is made', { timeout: 60_000 }, () => {
  const cases: { args: string[]; status: number; quoted: RegExp }[] = [
    // JSON.stringify doubled every backslash: 150 KB.
    { args: ['task', 'in.json', '--output', `${'a\\'.repeat(50_000)}/`], status: 2, quoted: /^--output names the result file, got a directory path "(a\\\\){32}…" \(100001 characters\)$/ },
    { args: ['generate-tcp-server', '--type', 'a\\'.repeat(30_000)], status: 2, quoted: /^--type must be tcp for generate-tcp-server, got "(a\\\\){32}…" \(60000 characters\)$/ },
    // A zone after % that Node's isIP refuses ('x y' 30,000 times: no long run without a space) is still a literal's
    // zone that names no interface (exit 2; it went to the resolver, exit 1, before 05a809c1).
    {
      args: ['try', 'connect', `[fe80::1%${'x y'.repeat(30_000)}]:80`],
      status: 2,
      quoted: /^ADDRESS: the zone '(x y){21}x… \(90000 characters\)' after % names no network interface of this host/,
    },
  ];
  for (const { args, status, quoted } of cases) {
    const line = failure(args, status);
    assert.ok(line.length < 400, `${args[0]}: ${line.length} characters: ${line.slice(0, 300)}`);
    assert.match(line, quoted);
  }
});

test('no message is longer than 4,096 characters, however many values of normal length it quotes', { timeout: 60_000 }, () => {
  const words = Array.from({ length: 600 }, (_, i) => `${i}-${'w'.repeat(200)}`);
  const line = failure(['analyze', ...words], 2);
  assert.match(line, /^Unknown arguments: 0-w{200}, 1-w{200}, /);
  assert.ok(line.length <= 4096 + 64, `${line.length} characters`);
  assert.match(line, /… \(message cut: \d+ characters\)$/);
});

test('the "N of M hosts failed" line quotes each host as other messages do and is capped (it bypassed both)', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-hosts-'));
  try {
    // Every host is 127.0.0.1 port 1 for ssh: refused at once, no name lookup.
    const config = join(dir, 'ssh_config');
    writeFileSync(config, 'Host *\n  HostName 127.0.0.1\n  Port 1\n');
    const long = 'h'.repeat(1000); // 1,001 characters with its digit: under --host's 1,024 limit, over 256
    const hosts = [1, 2, 3, 4, 5, 6].flatMap((i) => ['--host', `${i}${long}`]);
    const r = run(['analyze', ...hosts, '--ssh-config', config, '--ssh-timeout', '5s']);
    assert.equal(r.status, 1, r.stderr.slice(0, 400));
    const line = r.stderr.split('\n').find((l) => l.includes('hosts failed'));
    assert.ok(line, r.stderr.slice(0, 400));
    assert.match(line, /^sockscope: 6 of 6 hosts failed: 1h{63}… \(1001 characters\), 2h{63}…/);
    assert.ok(line.length <= 4_200, `${line.length} characters`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
