// ss -e prints v6only:N for every AF_INET6 socket: read into Socket.v6only for sockets bound to :: (the dual-stack
// one is printed '*'), by both the fast path and parseSsLine, key for key (review-ipv6 #8). Lines as ss 6.x prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSsLine, SsStreamParser } from '../../src/parse/ss.js';

function stream(line: string, netid?: 'tcp' | 'udp') {
  const p = new SsStreamParser(netid);
  p.push(Buffer.from(`${line}\n`));
  return { sock: p.end()[0], fast: p.slowLines === 0 };
}

const LINES: [string, boolean | undefined, boolean][] = [
  // [line, v6only expected, fast path]
  ['LISTEN 0      1         *:36099    *:* ino:63146439 sk:1604794 cgroup:/ v6only:0 <->', false, false],
  ['LISTEN 0      1      [::]:50673 [::]:* ino:63146440 sk:1604795 cgroup:/ v6only:1 <->', true, true],
  ['LISTEN 0      1      *:36099 *:* users:(("python3",pid=25169,fd=3)) ino:63146439 sk:1604794 cgroup:/ v6only:0 <->', false, false],
  ['LISTEN 0      1      [::]:50673 [::]:* users:(("python3",pid=25169,fd=4)) ino:63146440 sk:1604795 cgroup:/ v6only:1 <->', true, false],
  ['ESTAB  0      0      [::1]:50673 [::1]:41234 ino:63146441 sk:1604796 cgroup:/ v6only:0 <->', undefined, true],
  ['ESTAB  0      0      [::ffff:127.0.0.1]:36099 [::ffff:127.0.0.1]:41236 ino:63146442 sk:1604797 cgroup:/ v6only:0 <->', undefined, true],
  ['LISTEN 0      1      0.0.0.0:50673 0.0.0.0:* ino:63146443 sk:1604798 cgroup:/ <->', undefined, true],
  ['LISTEN 0      1      [::]:50674 [::]:* ino:63146444 sk:1604799 cgroup:/ <->', undefined, true],
];

test('v6only from ss -e on [::] listeners, dual-stack (*) and IPv6-only, with and without -p; none elsewhere', () => {
  for (const [line, want, fast] of LINES) {
    const s = stream(line, 'tcp');
    assert.equal(s.sock.v6only, want, line);
    assert.equal('v6only' in s.sock, want !== undefined, line);
    assert.equal(s.fast, fast, `fast path: ${line}`);
    assert.equal(JSON.stringify(s.sock), JSON.stringify(parseSsLine(line, 'tcp')), `same as parseSsLine, key order too: ${line}`);
  }
});

test('udp [::] with v6only:1 (UNCONN)', () => {
  const line = 'udp   UNCONN 0      0      [::]:5353 [::]:* ino:1 sk:2 cgroup:/ v6only:1 <->';
  assert.equal(stream(line).sock.v6only, true);
  assert.equal(parseSsLine(line)!.v6only, true);
});
