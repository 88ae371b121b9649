// `sockscope try`: performs socket()/setsockopt()/bind()/listen()/connect()/sendto() for real through koffi on a
// socket sockscope owns (Node's net module cannot choose SO_REUSEADDR=0 or set arbitrary options), then closes it.
import { readlink } from 'node:fs/promises';
import { socketInodeInText } from '../parse/fd-link.js';
import { logOsCall } from './debug.js';
import {
  AF_INET6,
  IPPROTO_IP,
  IPPROTO_IPV6,
  POLLERR,
  POLLOUT,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  closeFd,
  decodeSockaddr,
  encodeSockaddr,
  errnoName,
  lastErrno,
  libc,
  libcLoadError,
  libcStrerror,
} from './libc.js';
import { interfaceIndex, interfaceName } from './interface-names.js';
import { IP_RECVERR, IPV6_RECVERR, readIcmpError } from './icmp-errqueue.js';
import type { IcmpReport } from '../knowledge/icmp-report.js';
import { CollectorError } from './source.js';

/** Milliseconds since t0, rounded to 0.01 ms (for reports and JSON). */
function msSince(t0: number): number {
  return Math.round((performance.now() - t0) * 100) / 100;
}

export type TryOp = 'bind' | 'listen' | 'connect' | 'sendto';

export interface TryCallOptions {
  op: TryOp;
  /** IP literal (names are resolved by the caller). */
  address: string;
  port: number;
  /** Set SO_REUSEADDR to this value (undefined: leave the kernel default, off). */
  reuseaddr?: boolean;
  reuseport?: boolean;
  /** IPV6_V6ONLY for AF_INET6 sockets (undefined: kernel default net.ipv6.bindv6only). */
  v6only?: boolean;
  backlog?: number;
  timeoutMs: number;
  /** bind a UDP socket instead of TCP (sendto is always UDP). */
  udp?: boolean;
  /** Datagram payload for sendto. */
  payload?: Buffer;
  /**
   * sendto: IP_PMTUDISC_PROBE (IPV6_PMTUDISC_PROBE): sent whole with DF set, whatever path MTU the kernel has cached, so
   * a router whose link is too small answers with a fragmentation needed (packet too big) again, and who it is can be read.
   */
  pmtuProbe?: boolean;
  /** Called while the socket is still open after a successful listen (to read the effective backlog back). */
  whileListening?: (info: { inode?: number; port: number }) => Promise<void>;
}

/** One libc call and its outcome. */
export interface CallStep {
  call: string;
  ok: boolean;
  errno?: string;
  message?: string;
  ms: number;
}

export interface TryCallResult {
  op: TryOp;
  address: string;
  port: number;
  family: 'inet' | 'inet6';
  ok: boolean;
  steps: CallStep[];
  /** The failing call and its errno. */
  failedCall?: string;
  errno?: string;
  message?: string;
  /** Local address after bind/connect (getsockname): shows the port the kernel chose for port 0. */
  local?: string;
  /** connect: time from connect() to the result. */
  connectMs?: number;
  /** connect: true when the timeout expired with the handshake unfinished. */
  timedOut?: boolean;
  /** sendto: bytes accepted by the kernel. */
  sent?: number;
  /**
   * connect or sendto that failed: the ICMP error queued on the socket (IP_RECVERR), with the host that sent it; null
   * when the queue held none (a refused connect was a TCP reset); absent when it was not read.
   */
  icmp?: IcmpReport | null;
}

const SO_REUSEADDR = 2;
const SO_REUSEPORT = 15;
const SO_ERROR = 4;
const IPV6_V6ONLY = 26;
const IP_MTU_DISCOVER = 10;
const IPV6_MTU_DISCOVER = 23;
/** IP_PMTUDISC_PROBE and IPV6_PMTUDISC_PROBE: DF set, the cached path MTU ignored. */
const PMTUDISC_PROBE = 3;

function fmt(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * The interface index for the zone of an IPv6 address (`fe80::1%eth0` or `fe80::1%2`), which the kernel needs in
 * sin6_scope_id to bind or reach a link-local address; undefined when no interface has that name or index (an index
 * of none made connect() fail with ENETUNREACH, which says nothing of the zone).
 */
export function zoneIndex(zone: string): number | undefined {
  // this network namespace's interfaces, not sysfs's (interface-names.ts)
  if (/^\d+$/.test(zone)) return interfaceName(Number(zone)) !== undefined ? Number(zone) : undefined;
  return interfaceIndex(zone);
}

/** Runs the call sequence for `op` on a fresh socket and closes it; never throws for a failing call (that is the result). */
export async function tryCall(o: TryCallOptions): Promise<TryCallResult> {
  const l = libc();
  if (!l) throw new CollectorError('koffi', `cannot load libc: ${libcLoadError() ?? 'unknown error'}`);
  const zone = /%(.+)$/.exec(o.address)?.[1];
  const { family, buf: sa } = encodeSockaddr(o.address.replace(/%.*$/, ''), o.port, zone !== undefined ? (zoneIndex(zone) ?? 0) : 0);
  const res: TryCallResult = { op: o.op, address: o.address, port: o.port, family: family === AF_INET6 ? 'inet6' : 'inet', ok: false, steps: [] };
  const step = (call: string, fn: () => number): boolean => {
    const t0 = performance.now();
    const r = Number(fn());
    const ms = msSince(t0);
    if (r >= 0) {
      res.steps.push({ call, ok: true, ms });
      logOsCall('ffi', call, ms);
      return true;
    }
    const e = lastErrno();
    const s: CallStep = { call, ok: false, errno: errnoName(e), message: libcStrerror(e), ms };
    res.steps.push(s);
    logOsCall('ffi', call, ms, undefined, `errno=${s.errno}`);
    res.failedCall = call.replace(/\(.*$/, '');
    res.errno = s.errno;
    res.message = s.message;
    return false;
  };
  const int = (v: boolean | number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    return b;
  };
  const udp = o.op === 'sendto' || (o.op === 'bind' && o.udp === true);
  const type = (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | (o.op === 'connect' ? SOCK_NONBLOCK : 0);
  const sockName = `socket(${family === AF_INET6 ? 'AF_INET6' : 'AF_INET'}, ${udp ? 'SOCK_DGRAM' : 'SOCK_STREAM'}${o.op === 'connect' ? '|SOCK_NONBLOCK' : ''}, 0)`;
  let fd = -1;
  if (!step(sockName, () => (fd = Number(l.socket(family, type, 0))))) return res;
  try {
    if (o.reuseaddr !== undefined && !step(`setsockopt(SO_REUSEADDR, ${o.reuseaddr ? 1 : 0})`, () => l.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, int(o.reuseaddr!), 4))) return res;
    if (o.reuseport !== undefined && !step(`setsockopt(SO_REUSEPORT, ${o.reuseport ? 1 : 0})`, () => l.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, int(o.reuseport!), 4))) return res;
    if (o.v6only !== undefined && family === AF_INET6 && !step(`setsockopt(IPV6_V6ONLY, ${o.v6only ? 1 : 0})`, () => l.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, int(o.v6only!), 4))) return res;
    const target = fmt(o.address, o.port);
    const local = () => {
      const b = Buffer.alloc(128);
      const len = [128];
      if (Number(l.getsockname(fd, b, len)) === 0) {
        const d = decodeSockaddr(b);
        if (d) res.local = fmt(d.address, d.port);
      }
    };

    if (o.op === 'bind' || o.op === 'listen') {
      if (!step(`bind(${target})`, () => l.bind(fd, sa, sa.length))) return res;
      local();
      if (o.op === 'listen') {
        const backlog = o.backlog ?? 511;
        if (!step(`listen(${backlog})`, () => l.listen(fd, backlog))) return res;
        if (o.whileListening) {
          let inode: number | undefined;
          try {
            inode = socketInodeInText(await readlink(`/proc/self/fd/${fd}`)) || undefined;
          } catch {
            /* inode unknown */
          }
          await o.whileListening({ inode, port: Number(res.local?.replace(/^.*:/, '') ?? o.port) });
        }
      }
      res.ok = true;
      return res;
    }

    const v6 = family === AF_INET6;
    // IP_RECVERR on our own socket queues an ICMP error with the address that sent it (icmp-errqueue.ts): a refused
    // connect then tells an ICMP port unreachable (a REJECT rule) from a reset, and sendto names who answered.
    // An IPv4-mapped destination on an AF_INET6 socket travels as IPv4: its ICMP error is queued only with IP_RECVERR too.
    const mapped = v6 && /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(o.address);
    const recverr = () =>
      step(`setsockopt(${v6 ? 'IPV6_RECVERR' : 'IP_RECVERR'}, 1)`, () => l.setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_RECVERR : IP_RECVERR, int(1), 4)) &&
      (!mapped || step('setsockopt(IP_RECVERR, 1)', () => l.setsockopt(fd, IPPROTO_IP, IP_RECVERR, int(1), 4)));
    // getsockopt(SO_ERROR): the pending error a non-blocking connect or an ICMP error left (0: none), logged as each call.
    const soError = () => {
      const eb = Buffer.alloc(4);
      const elen = [4];
      const t = performance.now();
      const r = Number(l.getsockopt(fd, SOL_SOCKET, SO_ERROR, eb, elen));
      const err = r < 0 ? 0 : eb.readInt32LE(0);
      logOsCall('ffi', 'getsockopt(SO_ERROR)', msSince(t), elen[0], r < 0 ? `errno=${errnoName(lastErrno())}` : `so_error=${err === 0 ? 0 : errnoName(err)}`);
      return err;
    };
    const queued = () => {
      const icmp = readIcmpError(fd);
      if (icmp !== undefined) res.icmp = icmp;
    };
    if (o.op === 'connect') {
      recverr();
      const t0 = performance.now();
      const r = Number(l.connect(fd, sa, sa.length));
      const e = r < 0 ? lastErrno() : 0;
      logOsCall('ffi', `connect(${target})`, msSince(t0), undefined, r < 0 ? `errno=${errnoName(e)}` : undefined);
      if (r < 0 && errnoName(e) !== 'EINPROGRESS') {
        res.steps.push({ call: `connect(${target})`, ok: false, errno: errnoName(e), message: libcStrerror(e), ms: msSince(t0) });
        res.failedCall = 'connect';
        res.errno = errnoName(e);
        res.message = libcStrerror(e);
        res.connectMs = msSince(t0);
        queued();
        return res;
      }
      if (r < 0) {
        const pfd = Buffer.alloc(8);
        pfd.writeInt32LE(fd, 0);
        pfd.writeInt16LE(POLLOUT, 4);
        const tPoll = performance.now();
        const n = await new Promise<number>((resolve, reject) => l.poll.async(pfd, 1, o.timeoutMs, (err: unknown, v: number) => (err ? reject(err) : resolve(Number(v)))));
        res.connectMs = msSince(t0);
        logOsCall('ffi', `poll(POLLOUT, ${o.timeoutMs} ms)`, msSince(tPoll), undefined, n === 0 ? 'timed out' : `ready=${n}`);
        if (n === 0) {
          res.steps.push({ call: `connect(${target})`, ok: false, errno: 'ETIMEDOUT', message: `no answer within ${o.timeoutMs} ms (sockscope's timeout)`, ms: res.connectMs });
          res.failedCall = 'connect';
          res.errno = 'ETIMEDOUT';
          res.message = `no answer within ${o.timeoutMs} ms`;
          res.timedOut = true;
          return res;
        }
        const soErr = soError();
        if (soErr !== 0) {
          res.steps.push({ call: `connect(${target})`, ok: false, errno: errnoName(soErr), message: libcStrerror(soErr), ms: res.connectMs });
          res.failedCall = 'connect';
          res.errno = errnoName(soErr);
          res.message = libcStrerror(soErr);
          queued();
          return res;
        }
      } else res.connectMs = msSince(t0);
      res.steps.push({ call: `connect(${target})`, ok: true, ms: res.connectMs });
      local();
      res.ok = true;
      return res;
    }

    // sendto over UDP: IP_RECVERR on our own socket makes an ICMP error (port unreachable...) visible.
    recverr();
    if (o.pmtuProbe) {
      if (!step(`setsockopt(${v6 ? 'IPV6_MTU_DISCOVER' : 'IP_MTU_DISCOVER'}, PMTUDISC_PROBE)`, () => l.setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER, int(PMTUDISC_PROBE), 4))) return res;
      if (mapped && !step('setsockopt(IP_MTU_DISCOVER, PMTUDISC_PROBE)', () => l.setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, int(PMTUDISC_PROBE), 4))) return res;
    }
    const payload = o.payload ?? Buffer.from('sockscope try sendto\n');
    let sent = -1;
    if (!step(`sendto(${target}, ${payload.length} bytes)`, () => (sent = Number(l.sendto(fd, payload, payload.length, 0, sa, sa.length))))) return res;
    res.sent = sent;
    local();
    const pfd = Buffer.alloc(8);
    pfd.writeInt32LE(fd, 0);
    pfd.writeInt16LE(POLLERR, 4);
    // --timeout bounds the wait (the caller's default for sendto is 1 s). An ICMP error after an unanswered ARP
    // comes only when the kernel gives up resolving the neighbour: ~3 s (3 probes, 1 s apart; measured in
    // test/cli/try-sendto-netns), so a shorter wait reports success there.
    const wait = o.timeoutMs;
    const tPoll = performance.now();
    const n = await new Promise<number>((resolve, reject) => l.poll.async(pfd, 1, wait, (err: unknown, v: number) => (err ? reject(err) : resolve(Number(v)))));
    logOsCall('ffi', `poll(POLLERR, ${wait} ms)`, msSince(tPoll), undefined, n === 0 ? 'timed out' : `ready=${n}`);
    if (n > 0 && (pfd.readInt16LE(6) & POLLERR) !== 0) {
      const soErr = soError();
      if (soErr !== 0) {
        res.steps.push({ call: 'ICMP error after sendto (SO_ERROR)', ok: false, errno: errnoName(soErr), message: libcStrerror(soErr), ms: 0 });
        res.failedCall = 'sendto';
        res.errno = errnoName(soErr);
        res.message = libcStrerror(soErr);
        queued();
        return res;
      }
    }
    res.ok = true;
    return res;
  } finally {
    const t0 = performance.now();
    closeFd(fd);
    logOsCall('ffi', `close(${fd})`, performance.now() - t0);
  }
}
