// Shapes of the generated errno tables (src/knowledge/generated/errno-tables.ts) and of a lookup result.

/** One Linux errno, from the uapi headers plus glibc's strerror text. */
export interface LinuxErrno {
  name: string;
  number: number;
  /** glibc strerror() text, what perror() and Python print. */
  message: string;
  /** The comment in the kernel header (sometimes differs from glibc's text). */
  headerComment: string | null;
  /** Other names for the same number (EWOULDBLOCK for EAGAIN, ENOTSUP for EOPNOTSUPP). */
  aliases: string[];
  /** Node.js err.code (libuv name), 'UNKNOWN' when libuv has no name for it. */
  node: string;
  /** Python exception class raised for it (OSError subclass). */
  python: string;
}

/** One FreeBSD / macOS errno. */
export interface BsdErrno {
  name: string;
  freebsd: number | null;
  macos: number | null;
  message: string;
  node: string;
  python: string;
}

/** One Winsock error code. */
export interface WsaError {
  name: string;
  number: number;
  /** Short title from Microsoft's Windows Sockets Error Codes page. */
  title: string;
  /** The system message (FormatMessage), what Python prints after [WinError N]. */
  message: string;
  /** The POSIX errno with the same meaning (WSAECONNRESET -> ECONNRESET), if any. */
  posix: string | null;
  /** Other names the headers define for the same code (winerror.h's misspelt WSA_QOS_EUNKOWNPSOBJ for WSA_QOS_EUNKNOWNPSOBJ). */
  aliases: string[];
  /** Node.js err.code on Windows (libuv's translation), 'UNKNOWN' when libuv has none. */
  node: string;
  /** Python exception class on Windows. */
  python: string;
}
