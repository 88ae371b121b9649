#!/usr/bin/env node
// Generates src/knowledge/generated/errno-tables.ts from real headers and the live toolchain:
//   Linux:   /usr/include/asm-generic/errno-base.h + errno.h (linux-libc-dev uapi headers) for names,
//            numbers and the kernel's comment; glibc <bits/errno.h> for ENOTSUP; the message is glibc's
//            strerror() read through python3 (os.strerror), the Python exception class comes from
//            python3 (type(OSError(n, '')).__name__), the Node.js err.code from libuv's map in this Node
//            (util.getSystemErrorMap()).
//   Windows: MinGW-w64 winerror.h (WSABASEERR + n) and winsock2.h (WSA_IO_PENDING... = ERROR_*);
//            messages hand-transcribed below from Microsoft's "Windows Sockets Error Codes" page and
//            the system message table (FormatMessage) text; Node codes from libuv src/win/error.c
//            (uv_translate_sys_error), transcribed below.
//   BSD:     hand-checked transcription of FreeBSD 14 sys/sys/errno.h and Apple xnu bsd/sys/errno.h
//            (below); checked at generation time against the WSAE* numbers (WSAEx = 10000 + BSD Ex).
// Usage: node scripts/gen-errno.mjs [--check]   (--check: exit 1 if the committed file is stale)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { getSystemErrorMap } from 'node:util';

const OUT = 'src/knowledge/generated/errno-tables.ts';
const LINUX_HEADERS = ['/usr/include/asm-generic/errno-base.h', '/usr/include/asm-generic/errno.h'];
const GLIBC_BITS = ['/usr/include/x86_64-linux-gnu/bits/errno.h', '/usr/include/aarch64-linux-gnu/bits/errno.h', '/usr/include/bits/errno.h'];
const MINGW = '/usr/share/mingw-w64/include';

function die(msg) {
  console.error(`gen-errno: ${msg}`);
  process.exit(1);
}

/** Parses `#define NAME VALUE /* comment *\/` lines; VALUE a number, another name, or (BASE + n). */
function parseDefines(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = /^#\s*define\s+([A-Z][A-Z0-9_]*)\s+(.+?)\s*(?:\/\*\s*(.*?)\s*\*\/)?\s*$/.exec(line);
    if (m) out.push({ name: m[1], value: m[2].trim(), comment: m[3] ?? null });
  }
  return out;
}

// ---------- Linux ----------
for (const h of LINUX_HEADERS) if (!existsSync(h)) die(`${h} missing: apt-get install linux-libc-dev`);
const linuxDefs = LINUX_HEADERS.flatMap((h) => parseDefines(readFileSync(h, 'utf8')));
const linux = [];
const linuxAliases = [];
for (const d of linuxDefs) {
  if (!/^E[A-Z0-9]+$/.test(d.name)) continue;
  if (/^\d+$/.test(d.value)) linux.push({ name: d.name, number: Number(d.value), headerComment: d.comment });
  else if (/^E[A-Z0-9]+$/.test(d.value)) linuxAliases.push({ name: d.name, target: d.value, comment: d.comment });
}
const bits = GLIBC_BITS.find((p) => existsSync(p));
if (bits) {
  for (const d of parseDefines(readFileSync(bits, 'utf8')))
    if (/^E[A-Z0-9]+$/.test(d.value) && /^E[A-Z0-9]+$/.test(d.name) && !linuxAliases.some((a) => a.name === d.name))
      linuxAliases.push({ name: d.name, target: d.value, comment: 'glibc alias' });
}
linux.sort((a, b) => a.number - b.number);
if (linux.length < 120) die(`only ${linux.length} errnos parsed from the uapi headers`);

const py = JSON.parse(
  execFileSync('python3', ['-c', `
import os, json, sys
nums = [int(x) for x in sys.argv[1:]]
print(json.dumps({n: [os.strerror(n), type(OSError(n, 'x')).__name__] for n in nums}))
`, ...linux.map((e) => String(e.number))], { encoding: 'utf8' }),
);
const uvNames = new Map([...getSystemErrorMap()].map(([code, [name]]) => [-code, name]));
const uvKnown = new Set(uvNames.values());
const pyClassByName = new Map();
for (const e of linux) {
  const [message, pyClass] = py[e.number];
  e.message = message;
  e.python = pyClass;
  e.node = uvNames.get(e.number) ?? 'UNKNOWN';
  e.aliases = linuxAliases.filter((a) => a.target === e.name).map((a) => a.name);
  pyClassByName.set(e.name, pyClass);
  for (const a of e.aliases) pyClassByName.set(a, pyClass);
}

// ---------- BSD (hand-checked; see header comment) ----------
// number name message, shared by FreeBSD and macOS (4.4BSD numbering)
const BSD_COMMON = `
1 EPERM Operation not permitted
2 ENOENT No such file or directory
3 ESRCH No such process
4 EINTR Interrupted system call
5 EIO Input/output error
6 ENXIO Device not configured
7 E2BIG Argument list too long
8 ENOEXEC Exec format error
9 EBADF Bad file descriptor
10 ECHILD No child processes
11 EDEADLK Resource deadlock avoided
12 ENOMEM Cannot allocate memory
13 EACCES Permission denied
14 EFAULT Bad address
15 ENOTBLK Block device required
16 EBUSY Device busy
17 EEXIST File exists
18 EXDEV Cross-device link
19 ENODEV Operation not supported by device
20 ENOTDIR Not a directory
21 EISDIR Is a directory
22 EINVAL Invalid argument
23 ENFILE Too many open files in system
24 EMFILE Too many open files
25 ENOTTY Inappropriate ioctl for device
26 ETXTBSY Text file busy
27 EFBIG File too large
28 ENOSPC No space left on device
29 ESPIPE Illegal seek
30 EROFS Read-only file system
31 EMLINK Too many links
32 EPIPE Broken pipe
33 EDOM Numerical argument out of domain
34 ERANGE Result too large
35 EAGAIN Resource temporarily unavailable
36 EINPROGRESS Operation now in progress
37 EALREADY Operation already in progress
38 ENOTSOCK Socket operation on non-socket
39 EDESTADDRREQ Destination address required
40 EMSGSIZE Message too long
41 EPROTOTYPE Protocol wrong type for socket
42 ENOPROTOOPT Protocol not available
43 EPROTONOSUPPORT Protocol not supported
44 ESOCKTNOSUPPORT Socket type not supported
46 EPFNOSUPPORT Protocol family not supported
47 EAFNOSUPPORT Address family not supported by protocol family
48 EADDRINUSE Address already in use
49 EADDRNOTAVAIL Can't assign requested address
50 ENETDOWN Network is down
51 ENETUNREACH Network is unreachable
52 ENETRESET Network dropped connection on reset
53 ECONNABORTED Software caused connection abort
54 ECONNRESET Connection reset by peer
55 ENOBUFS No buffer space available
56 EISCONN Socket is already connected
57 ENOTCONN Socket is not connected
58 ESHUTDOWN Can't send after socket shutdown
59 ETOOMANYREFS Too many references: can't splice
60 ETIMEDOUT Operation timed out
61 ECONNREFUSED Connection refused
62 ELOOP Too many levels of symbolic links
63 ENAMETOOLONG File name too long
64 EHOSTDOWN Host is down
65 EHOSTUNREACH No route to host
66 ENOTEMPTY Directory not empty
67 EPROCLIM Too many processes
68 EUSERS Too many users
69 EDQUOT Disc quota exceeded
70 ESTALE Stale NFS file handle
71 EREMOTE Too many levels of remote in path
72 EBADRPC RPC struct is bad
73 ERPCMISMATCH RPC version wrong
74 EPROGUNAVAIL RPC prog. not avail
75 EPROGMISMATCH Program version wrong
76 EPROCUNAVAIL Bad procedure for program
77 ENOLCK No locks available
78 ENOSYS Function not implemented
79 EFTYPE Inappropriate file type or format
80 EAUTH Authentication error
81 ENEEDAUTH Need authenticator
`;
const FREEBSD_ONLY = `
45 EOPNOTSUPP Operation not supported
82 EIDRM Identifier removed
83 ENOMSG No message of desired type
84 EOVERFLOW Value too large to be stored in data type
85 ECANCELED Operation canceled
86 EILSEQ Illegal byte sequence
87 ENOATTR Attribute not found
88 EDOOFUS Programming error
89 EBADMSG Bad message
90 EMULTIHOP Multihop attempted
91 ENOLINK Link has been severed
92 EPROTO Protocol error
93 ENOTCAPABLE Capabilities insufficient
94 ECAPMODE Not permitted in capability mode
95 ENOTRECOVERABLE State not recoverable
96 EOWNERDEAD Previous owner died
97 EINTEGRITY Integrity check failed
`;
const MACOS_ONLY = `
45 ENOTSUP Operation not supported
82 EPWROFF Device power is off
83 EDEVERR Device error, e.g. paper out
84 EOVERFLOW Value too large to be stored in data type
85 EBADEXEC Bad executable
86 EBADARCH Bad CPU type in executable
87 ESHLIBVERS Shared library version mismatch
88 EBADMACHO Malformed Macho file
89 ECANCELED Operation canceled
90 EIDRM Identifier removed
91 ENOMSG No message of desired type
92 EILSEQ Illegal byte sequence
93 ENOATTR Attribute not found
94 EBADMSG Bad message
95 EMULTIHOP Reserved
96 ENODATA No message available on STREAM
97 ENOLINK Reserved
98 ENOSR No STREAM resources
99 ENOSTR Not a STREAM
100 EPROTO Protocol error
101 ETIME STREAM ioctl timeout
102 EOPNOTSUPP Operation not supported on socket
103 ENOPOLICY No such policy registered
104 ENOTRECOVERABLE State not recoverable
105 EOWNERDEAD Previous owner died
106 EQFULL Interface output queue is full
`;
function parseBlock(text) {
  return text.trim().split('\n').map((l) => {
    const m = /^(\d+) (E[A-Z0-9]+) (.+)$/.exec(l.trim());
    if (!m) die(`bad BSD line: ${l}`);
    return { number: Number(m[1]), name: m[2], message: m[3] };
  });
}
const fbsd = new Map([...parseBlock(BSD_COMMON), ...parseBlock(FREEBSD_ONLY)].map((e) => [e.name, e]));
const mac = new Map([...parseBlock(BSD_COMMON), ...parseBlock(MACOS_ONLY)].map((e) => [e.name, e]));
const bsdNames = [...new Set([...fbsd.keys(), ...mac.keys()])];
const bsd = bsdNames
  .map((name) => ({
    name,
    freebsd: fbsd.get(name)?.number ?? null,
    macos: mac.get(name)?.number ?? null,
    message: (fbsd.get(name) ?? mac.get(name)).message,
    aliases: name === 'EAGAIN' ? ['EWOULDBLOCK'] : name === 'EOPNOTSUPP' ? ['ENOTSUP (FreeBSD)'] : [],
  }))
  .sort((a, b) => (a.freebsd ?? a.macos) - (b.freebsd ?? b.macos) || (a.macos ?? 999) - (b.macos ?? 999));

// ---------- Windows ----------
const winerror = readFileSync(`${MINGW}/winerror.h`, 'utf8');
const winsock2 = readFileSync(`${MINGW}/winsock2.h`, 'utf8');
const errDefs = new Map(parseDefines(winerror).map((d) => [d.name, d.value]));
function evalWin(value, seen = 0) {
  if (seen > 5) return NaN;
  const v = value.replace(/__MSABI_LONG\((\d+)\)/, '$1').replace(/L$/, '').replace(/^\((.*)\)$/, '$1').trim();
  if (/^\d+$/.test(v)) return Number(v);
  const plus = /^([A-Z_]+)\s*\+\s*(\d+)$/.exec(v);
  if (plus) return evalWin(errDefs.get(plus[1]) ?? 'x', seen + 1) + Number(plus[2]);
  if (errDefs.has(v)) return evalWin(errDefs.get(v), seen + 1);
  return NaN;
}
const wsa = [];
const winsockErrorAliases = parseDefines(winsock2).filter((d) => /^\(?ERROR_[A-Z_]+\)?$/.test(d.value)); // WSA_IO_PENDING (ERROR_IO_PENDING)...
// A WSA name defined as another WSA name is an alias, not a code of its own: winerror.h has
// `#define WSA_QOS_EUNKOWNPSOBJ WSA_QOS_EUNKNOWNPSOBJ` (misspelt in the header itself), found as EWOULDBLOCK finds EAGAIN.
const wsaAliases = [];
for (const d of [...parseDefines(winerror), ...winsockErrorAliases]) {
  if (!/^WSA/.test(d.name) || d.name === 'WSABASEERR' || wsa.some((w) => w.name === d.name)) continue;
  if (/^WSA_(INVALID_EVENT|WAIT_|MAXIMUM_WAIT|INFINITE)/.test(d.name)) continue; // not error codes
  const n = evalWin(d.value);
  if (!Number.isFinite(n)) continue;
  const target = /^\(?(WSA[A-Z0-9_]*)\)?$/.exec(d.value);
  if (target) wsaAliases.push({ name: d.name, target: target[1] });
  else wsa.push({ name: d.name, number: n, aliases: [] });
}
for (const a of wsaAliases) {
  const w = wsa.find((x) => x.name === a.target);
  if (!w) die(`WSA alias ${a.name}: ${a.target} is no WSA code`);
  if (!w.aliases.includes(a.name)) w.aliases.push(a.name);
}
if (!wsaAliases.some((a) => a.name === 'WSA_QOS_EUNKOWNPSOBJ')) die('winerror.h no longer defines WSA_QOS_EUNKOWNPSOBJ: check the alias parsing');
wsa.sort((a, b) => a.number - b.number);

// Messages: the short title from Microsoft's "Windows Sockets Error Codes" page, and the system message
// (FormatMessage text), checked against the MessageText comments of the Windows SDK's winerror.h.
const WSA_TEXT = {
  WSA_INVALID_HANDLE: ['Specified event object handle is invalid.', 'The handle is invalid.'],
  WSA_NOT_ENOUGH_MEMORY: ['Insufficient memory available.', 'Not enough memory resources are available to process this command.'],
  WSA_INVALID_PARAMETER: ['One or more parameters are invalid.', 'The parameter is incorrect.'],
  WSA_OPERATION_ABORTED: ['Overlapped operation aborted.', 'The I/O operation has been aborted because of either a thread exit or an application request.'],
  WSA_IO_INCOMPLETE: ['Overlapped I/O event object not in signaled state.', 'Overlapped I/O event is not in a signaled state.'],
  WSA_IO_PENDING: ['Overlapped operations will complete later.', 'Overlapped I/O operation is in progress.'],
  WSAEINTR: ['Interrupted function call.', 'A blocking operation was interrupted by a call to WSACancelBlockingCall.'],
  WSAEBADF: ['File handle is not valid.', 'The file handle supplied is not valid.'],
  WSAEACCES: ['Permission denied.', 'An attempt was made to access a socket in a way forbidden by its access permissions.'],
  WSAEFAULT: ['Bad address.', 'The system detected an invalid pointer address in attempting to use a pointer argument in a call.'],
  WSAEINVAL: ['Invalid argument.', 'An invalid argument was supplied.'],
  WSAEMFILE: ['Too many open files.', 'Too many open sockets.'],
  WSAEWOULDBLOCK: ['Resource temporarily unavailable.', 'A non-blocking socket operation could not be completed immediately.'],
  WSAEINPROGRESS: ['Operation now in progress.', 'A blocking operation is currently executing.'],
  WSAEALREADY: ['Operation already in progress.', 'An operation was attempted on a non-blocking socket that already had an operation in progress.'],
  WSAENOTSOCK: ['Socket operation on nonsocket.', 'An operation was attempted on something that is not a socket.'],
  WSAEDESTADDRREQ: ['Destination address required.', 'A required address was omitted from an operation on a socket.'],
  WSAEMSGSIZE: ['Message too long.', 'A message sent on a datagram socket was larger than the internal message buffer or some other network limit, or the buffer used to receive a datagram into was smaller than the datagram itself.'],
  WSAEPROTOTYPE: ['Protocol wrong type for socket.', 'A protocol was specified in the socket function call that does not support the semantics of the socket type requested.'],
  WSAENOPROTOOPT: ['Bad protocol option.', 'An unknown, invalid, or unsupported option or level was specified in a getsockopt or setsockopt call.'],
  WSAEPROTONOSUPPORT: ['Protocol not supported.', 'The requested protocol has not been configured into the system, or no implementation for it exists.'],
  WSAESOCKTNOSUPPORT: ['Socket type not supported.', 'The support for the specified socket type does not exist in this address family.'],
  WSAEOPNOTSUPP: ['Operation not supported.', 'The attempted operation is not supported for the type of object referenced.'],
  WSAEPFNOSUPPORT: ['Protocol family not supported.', 'The protocol family has not been configured into the system or no implementation for it exists.'],
  WSAEAFNOSUPPORT: ['Address family not supported by protocol family.', 'An address incompatible with the requested protocol was used.'],
  WSAEADDRINUSE: ['Address already in use.', 'Only one usage of each socket address (protocol/network address/port) is normally permitted.'],
  WSAEADDRNOTAVAIL: ['Cannot assign requested address.', 'The requested address is not valid in its context.'],
  WSAENETDOWN: ['Network is down.', 'A socket operation encountered a dead network.'],
  WSAENETUNREACH: ['Network is unreachable.', 'A socket operation was attempted to an unreachable network.'],
  WSAENETRESET: ['Network dropped connection on reset.', 'The connection has been broken due to keep-alive activity detecting a failure while the operation was in progress.'],
  WSAECONNABORTED: ['Software caused connection abort.', 'An established connection was aborted by the software in your host machine.'],
  WSAECONNRESET: ['Connection reset by peer.', 'An existing connection was forcibly closed by the remote host.'],
  WSAENOBUFS: ['No buffer space available.', 'An operation on a socket could not be performed because the system lacked sufficient buffer space or because a queue was full.'],
  WSAEISCONN: ['Socket is already connected.', 'A connect request was made on an already connected socket.'],
  WSAENOTCONN: ['Socket is not connected.', 'A request to send or receive data was disallowed because the socket is not connected and (when sending on a datagram socket using a sendto call) no address was supplied.'],
  WSAESHUTDOWN: ['Cannot send after socket shutdown.', 'A request to send or receive data was disallowed because the socket had already been shut down in that direction with a previous shutdown call.'],
  WSAETOOMANYREFS: ['Too many references.', 'Too many references to some kernel object.'],
  WSAETIMEDOUT: ['Connection timed out.', 'A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond.'],
  WSAECONNREFUSED: ['Connection refused.', 'No connection could be made because the target machine actively refused it.'],
  WSAELOOP: ['Cannot translate name.', 'Cannot translate name.'],
  WSAENAMETOOLONG: ['Name too long.', 'Name component or name was too long.'],
  WSAEHOSTDOWN: ['Host is down.', 'A socket operation failed because the destination host was down.'],
  WSAEHOSTUNREACH: ['No route to host.', 'A socket operation was attempted to an unreachable host.'],
  WSAENOTEMPTY: ['Directory not empty.', 'Cannot remove a directory that is not empty.'],
  WSAEPROCLIM: ['Too many processes.', 'A Windows Sockets implementation may have a limit on the number of applications that may use it simultaneously.'],
  WSAEUSERS: ['User quota exceeded.', 'Ran out of quota.'],
  WSAEDQUOT: ['Disk quota exceeded.', 'Ran out of disk quota.'],
  WSAESTALE: ['Stale file handle reference.', 'File handle reference is no longer available.'],
  WSAEREMOTE: ['Item is remote.', 'Item is not available locally.'],
  WSASYSNOTREADY: ['Network subsystem is unavailable.', 'WSAStartup cannot function at this time because the underlying system it uses to provide network services is currently unavailable.'],
  WSAVERNOTSUPPORTED: ['Winsock.dll version out of range.', 'The Windows Sockets version requested is not supported.'],
  WSANOTINITIALISED: ['Successful WSAStartup not yet performed.', 'Either the application has not called WSAStartup, or WSAStartup failed.'],
  WSAEDISCON: ['Graceful shutdown in progress.', 'Returned by WSARecv or WSARecvFrom to indicate the remote party has initiated a graceful shutdown sequence.'],
  WSAENOMORE: ['No more results.', 'No more results can be returned by WSALookupServiceNext.'],
  WSAECANCELLED: ['Call has been canceled.', 'A call to WSALookupServiceEnd was made while this call was still processing. The call has been canceled.'],
  WSAEINVALIDPROCTABLE: ['Procedure call table is invalid.', 'The procedure call table is invalid.'],
  WSAEINVALIDPROVIDER: ['Service provider is invalid.', 'The requested service provider is invalid.'],
  WSAEPROVIDERFAILEDINIT: ['Service provider failed to initialize.', 'The requested service provider could not be loaded or initialized.'],
  WSASYSCALLFAILURE: ['System call failure.', 'A system call has failed.'],
  WSASERVICE_NOT_FOUND: ['Service not found.', 'No such service is known. The service cannot be found in the specified name space.'],
  WSATYPE_NOT_FOUND: ['Class type not found.', 'The specified class was not found.'],
  WSA_E_NO_MORE: ['No more results.', 'No more results can be returned by WSALookupServiceNext.'],
  WSA_E_CANCELLED: ['Call was canceled.', 'A call to WSALookupServiceEnd was made while this call was still processing. The call has been canceled.'],
  WSAEREFUSED: ['Database query was refused.', 'A database query failed because it was actively refused.'],
  WSAHOST_NOT_FOUND: ['Host not found.', 'No such host is known.'],
  WSATRY_AGAIN: ['Nonauthoritative host not found.', 'This is usually a temporary error during hostname resolution and means that the local server did not receive a response from an authoritative server.'],
  WSANO_RECOVERY: ['This is a nonrecoverable error.', 'A non-recoverable error occurred during a database lookup.'],
  WSANO_DATA: ['Valid name, no data record of requested type.', 'The requested name is valid, but no data of the requested type was found.'],
  WSA_QOS_RECEIVERS: ['QoS receivers.', 'At least one reserve has arrived.'],
  WSA_QOS_SENDERS: ['QoS senders.', 'At least one path has arrived.'],
  WSA_QOS_NO_SENDERS: ['No QoS senders.', 'There are no senders.'],
  WSA_QOS_NO_RECEIVERS: ['QoS no receivers.', 'There are no receivers.'],
  WSA_QOS_REQUEST_CONFIRMED: ['QoS request confirmed.', 'Reserve has been confirmed.'],
  WSA_QOS_ADMISSION_FAILURE: ['QoS admission error.', 'Error due to lack of resources.'],
  WSA_QOS_POLICY_FAILURE: ['QoS policy failure.', 'Rejected for administrative reasons - bad credentials.'],
  WSA_QOS_BAD_STYLE: ['QoS bad style.', 'Unknown or conflicting style.'],
  WSA_QOS_BAD_OBJECT: ['QoS bad object.', 'Problem with some part of the filterspec or providerspecific buffer in general.'],
  WSA_QOS_TRAFFIC_CTRL_ERROR: ['QoS traffic control error.', 'Problem with some part of the flowspec.'],
  WSA_QOS_GENERIC_ERROR: ['QoS generic error.', 'General QOS error.'],
  WSA_QOS_ESERVICETYPE: ['QoS service type error.', 'An invalid or unrecognized service type was found in the flowspec.'],
  WSA_QOS_EFLOWSPEC: ['QoS flowspec error.', 'An invalid or inconsistent flowspec was found in the QOS structure.'],
  WSA_QOS_EPROVSPECBUF: ['Invalid QoS provider buffer.', 'Invalid QOS provider-specific buffer.'],
  WSA_QOS_EFILTERSTYLE: ['Invalid QoS filter style.', 'An invalid QOS filter style was used.'],
  WSA_QOS_EFILTERTYPE: ['Invalid QoS filter type.', 'An invalid QOS filter type was used.'],
  WSA_QOS_EFILTERCOUNT: ['Incorrect QoS filter count.', 'An incorrect number of QOS FILTERSPECs were specified in the FLOWDESCRIPTOR.'],
  WSA_QOS_EOBJLENGTH: ['Invalid QoS object length.', 'An object with an invalid ObjectLength field was specified in the QOS provider-specific buffer.'],
  WSA_QOS_EFLOWCOUNT: ['Incorrect QoS flow count.', 'An incorrect number of flow descriptors was specified in the QOS structure.'],
  WSA_QOS_EUNKNOWNPSOBJ: ['Unrecognized QoS object.', 'An unrecognized object was found in the QOS provider-specific buffer.'],
  WSA_QOS_EPOLICYOBJ: ['Invalid QoS policy object.', 'An invalid policy object was found in the QOS provider-specific buffer.'],
  WSA_QOS_EFLOWDESC: ['Invalid QoS flow descriptor.', 'An invalid QOS flow descriptor was found in the flow descriptor list.'],
  WSA_QOS_EPSFLOWSPEC: ['Invalid QoS provider-specific flowspec.', 'An invalid or inconsistent flowspec was found in the QOS provider specific buffer.'],
  WSA_QOS_EPSFILTERSPEC: ['Invalid QoS provider-specific filterspec.', 'An invalid FILTERSPEC was found in the QOS provider-specific buffer.'],
  WSA_QOS_ESDMODEOBJ: ['Invalid QoS shape discard mode object.', 'An invalid shape discard mode object was found in the QOS provider specific buffer.'],
  WSA_QOS_ESHAPERATEOBJ: ['Invalid QoS shaping rate object.', 'An invalid shaping rate object was found in the QOS provider-specific buffer.'],
  WSA_QOS_RESERVED_PETYPE: ['Reserved policy QoS element type.', 'A reserved policy element was found in the QOS provider-specific buffer.'],
};
// libuv src/win/error.c uv_translate_sys_error(): the WSA and ERROR_ codes a WSA_* name aliases.
const LIBUV_WIN = {
  WSAEACCES: 'EACCES', WSAEADDRINUSE: 'EADDRINUSE', WSAEADDRNOTAVAIL: 'EADDRNOTAVAIL', WSAEAFNOSUPPORT: 'EAFNOSUPPORT',
  WSAEWOULDBLOCK: 'EAGAIN', WSAEALREADY: 'EALREADY', WSA_INVALID_HANDLE: 'EBADF', WSA_OPERATION_ABORTED: 'ECANCELED',
  WSAEINTR: 'ECANCELED', WSAECONNABORTED: 'ECONNABORTED', WSAECONNREFUSED: 'ECONNREFUSED', WSAECONNRESET: 'ECONNRESET',
  WSAEFAULT: 'EFAULT', WSAEHOSTUNREACH: 'EHOSTUNREACH', WSA_INVALID_PARAMETER: 'EINVAL', WSAEINVAL: 'EINVAL',
  WSAEPFNOSUPPORT: 'EINVAL', WSAEISCONN: 'EISCONN', WSAEMFILE: 'EMFILE', WSAEMSGSIZE: 'EMSGSIZE', WSAENETUNREACH: 'ENETUNREACH',
  WSAENOBUFS: 'ENOBUFS', WSAHOST_NOT_FOUND: 'ENOENT', WSANO_DATA: 'ENOENT', WSA_NOT_ENOUGH_MEMORY: 'ENOMEM',
  WSAENOTCONN: 'ENOTCONN', WSAENOTSOCK: 'ENOTSOCK', WSAESHUTDOWN: 'EPIPE', WSAEPROTONOSUPPORT: 'EPROTONOSUPPORT',
  WSAETIMEDOUT: 'ETIMEDOUT', WSAESOCKTNOSUPPORT: 'ESOCKTNOSUPPORT',
};
// CPython winerror_to_errno(): these six become their CRT errno (code - 10000); the rest keep the WSA value, and
// the exception subclass map (Objects/exceptions.c) uses the WSA values for the socket errors.
const PY_CRT = new Set(['WSAEINTR', 'WSAEBADF', 'WSAEACCES', 'WSAEFAULT', 'WSAEINVAL', 'WSAEMFILE']);
const PY_WIN_SUBCLASS = {
  WSAEWOULDBLOCK: 'BlockingIOError', WSAEINPROGRESS: 'BlockingIOError', WSAEALREADY: 'BlockingIOError',
  WSAECONNABORTED: 'ConnectionAbortedError', WSAECONNREFUSED: 'ConnectionRefusedError', WSAECONNRESET: 'ConnectionResetError',
  WSAESHUTDOWN: 'BrokenPipeError', WSAETIMEDOUT: 'TimeoutError',
};
const missingText = wsa.filter((w) => !WSA_TEXT[w.name]).map((w) => w.name);
if (missingText.length) die(`no message for ${missingText.join(', ')}`);
for (const w of wsa) {
  [w.title, w.message] = WSA_TEXT[w.name];
  const posix = /^WSAE([A-Z0-9]+)$/.exec(w.name);
  w.posix = posix && (linux.some((e) => e.name === `E${posix[1]}`) || linuxAliases.some((a) => a.name === `E${posix[1]}`)) ? `E${posix[1]}` : null;
  w.node = LIBUV_WIN[w.name] ?? 'UNKNOWN';
  if (w.node !== 'UNKNOWN' && !uvKnown.has(w.node)) die(`libuv name ${w.node} unknown to this Node`);
  w.python = PY_CRT.has(w.name) ? pyClassByName.get(`E${w.name.slice(4)}`) ?? 'OSError' : PY_WIN_SUBCLASS[w.name] ?? 'OSError';
  // consistency: WSAE<x> = 10000 + the 4.4BSD number of E<x>
  if (posix && w.number < 10100) {
    const bsdName = posix[1] === 'WOULDBLOCK' ? 'EAGAIN' : `E${posix[1]}`;
    const b = fbsd.get(bsdName) ?? mac.get(bsdName);
    if (!b) die(`${w.name}: no BSD E${posix[1]}`);
    if (b.number !== w.number - 10000) die(`${w.name}=${w.number} but BSD E${posix[1]}=${b.number}`);
  }
}
if (wsa.length < 90) die(`only ${wsa.length} WSA codes parsed`);
for (const b of bsd) if (b.macos === null && b.freebsd === null) die(`${b.name} has no number`);

// ---------- emit ----------
const j = (v) => JSON.stringify(v);
const lines = [];
lines.push('// GENERATED by scripts/gen-errno.mjs from the Linux uapi errno headers, glibc strerror, MinGW-w64');
lines.push('// winerror.h/winsock2.h and hand-checked FreeBSD/macOS sys/errno.h. Do not edit: run `node scripts/gen-errno.mjs`.');
const pyVersion = execFileSync('python3', ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).trim();
lines.push(`// Generated with Node ${process.version} (libuv error names for err.code) and Python ${pyVersion} (exception classes).`);
lines.push("import type { LinuxErrno, BsdErrno, WsaError } from '../errno-types.js';");
lines.push('');
lines.push('/** Every Linux errno (asm-generic numbering: x86, arm, riscv, s390...; alpha, mips, parisc and sparc differ). */');
lines.push('export const LINUX_ERRNOS: readonly LinuxErrno[] = [');
for (const e of linux)
  lines.push(`  { name: ${j(e.name)}, number: ${e.number}, message: ${j(e.message)}, headerComment: ${j(e.headerComment)}, aliases: ${j(e.aliases)}, node: ${j(e.node)}, python: ${j(e.python)} },`);
lines.push('];');
lines.push('');
lines.push('/** FreeBSD and macOS errno numbers (null: not defined there). */');
lines.push('export const BSD_ERRNOS: readonly BsdErrno[] = [');
// Node's err.code on macOS, from the macOS number (not from the Linux name: Linux aliases such as ENOTSUP = EOPNOTSUPP,
// EWOULDBLOCK = EAGAIN, EDEADLOCK = EDEADLK are distinct numbers or absent there). On Unix libuv defines each UV_<X> as
// -<X> of the platform's own header (uv/errno.h), so a number's err.code is the libuv name X whose macOS number it is:
// macOS ENOTSUP (45) is 'ENOTSUP', macOS EOPNOTSUPP (102) has no libuv name ('UNKNOWN'). A FreeBSD-only error's, from
// its FreeBSD number the same way (FreeBSD's ENOTSUP is EOPNOTSUPP, 45).
const uvNameFor = (table, n) => [...uvKnown].find((x) => table.get(x)?.number === n) ?? 'UNKNOWN';
for (const b of bsd) {
  const node = b.macos !== null ? uvNameFor(mac, b.macos) : uvNameFor(new Map([...fbsd, ['ENOTSUP', fbsd.get('EOPNOTSUPP')]]), b.freebsd);
  lines.push(`  { name: ${j(b.name)}, freebsd: ${b.freebsd}, macos: ${b.macos}, message: ${j(b.message)}, node: ${j(node)}, python: ${j(pyClassByName.get(b.name) ?? 'OSError')} },`);
}
lines.push('];');
lines.push('');
lines.push('/** Every Winsock error code (WSAGetLastError). */');
lines.push('export const WSA_ERRORS: readonly WsaError[] = [');
for (const w of wsa)
  lines.push(`  { name: ${j(w.name)}, number: ${w.number}, title: ${j(w.title)}, message: ${j(w.message)}, posix: ${j(w.posix)}, aliases: ${j(w.aliases)}, node: ${j(w.node)}, python: ${j(w.python)} },`);
lines.push('];');
lines.push('');
const text = lines.join('\n');

/** What --check compares: everything but the provenance line and the Node codes (those follow the running Node's libuv). */
const normalize = (t) => t.replace(/^\/\/ Generated with .*$/m, '').replace(/node: "[A-Z0-9_]+"/g, 'node: _');
if (process.argv.includes('--check')) {
  const cur = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
  if (normalize(cur) !== normalize(text)) {
    const a = normalize(cur).split('\n');
    const b = normalize(text).split('\n');
    const i = a.findIndex((l, k) => l !== b[k]);
    die(`${OUT} is stale (first difference at line ${i + 1}: ${JSON.stringify(a[i])} vs ${JSON.stringify(b[i])}): run node scripts/gen-errno.mjs`);
  }
  console.log(`${OUT} is up to date`);
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}: ${linux.length} Linux errnos, ${bsd.length} BSD/macOS, ${wsa.length} WSA codes`);
}
