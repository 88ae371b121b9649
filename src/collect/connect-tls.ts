// debug-connections --tls: the TLS handshake on a connected socket (connect-probe.ts runs it after the TCP connect),
// with the certificate whether or not it verifies, whether it is for the name connected to, and the TLS 1.3 watch for
// a server's alert after the handshake. Interpretation lives in src/knowledge (explainTlsFailure).
import type { Socket as NetSocket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { explainTlsFailure } from '../knowledge/interpret-connect.js';
import { logOsCall } from './debug.js';
import { msSince } from './probe-text.js';

export interface TlsResult {
  /** False also for an alert after the handshake (TLS 1.3, a client certificate required): the certificate fields are then set. */
  ok: boolean;
  /** Why the handshake failed, in plain words (explainTlsFailure). */
  explanation?: string;
  /** The TLS library's own error (code and OpenSSL text), kept as evidence. */
  error?: string;
  protocol?: string;
  cipher?: string;
  /** Whether the chain verifies against the system CAs and matches the name. */
  authorized?: boolean;
  authorizationError?: string;
  subject?: string;
  issuer?: string;
  validFrom?: string;
  validTo?: string;
  daysLeft?: number;
  expired?: boolean;
  altNames?: string;
  /** The name connected to is not one the certificate holds, in plain words (checked whether or not the chain verifies). */
  nameMismatch?: string;
  handshakeMs?: number;
  /**
   * TLS 1.3: the handshake completed, then the server reset ('reset', with `closeError`) or closed ('closed') the
   * connection without a TLS alert, while the handshake was watched for one: `ok` stays true, the certificate is kept.
   */
  closedAfterHandshake?: 'reset' | 'closed';
  closeError?: string;
}

function certName(c: PeerCertificate['subject'] | undefined): string | undefined {
  if (!c) return undefined;
  const parts = Object.entries(c as unknown as Record<string, string | string[]>).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`);
  return parts.length ? parts.join(', ') : undefined;
}

/**
 * How long a TLS 1.3 handshake is watched after 'secureConnect' for the server's alert: in TLS 1.3 the client's
 * certificate (or its absence) reaches the server after the client has finished, so a server that requires one
 * (mutual TLS) rejects it with an alert about one round trip later. Twice the handshake's time, at least
 * TLS_ALERT_WATCH_MIN_MS, never past the timeout. The watch ends early when the server's first session ticket
 * (NewSessionTicket) arrives: OpenSSL and Go's crypto/tls send tickets after they accepted the client's Finished (its
 * certificate with it), or with their first flight when they asked for no certificate, so no alert follows. Node does
 * not tell whether the server sent a CertificateRequest: a server that sends no tickets costs the whole watch.
 */
export const TLS_ALERT_WATCH_MIN_MS = 150;

/** An error from the TLS library (an alert, a bad record), as opposed to the socket's own (ECONNRESET, EPIPE). */
export function isTlsLibraryError(code: string | undefined): boolean {
  return code !== undefined && /^ERR_(SSL|TLS)_/.test(code);
}

/** The TLS library's error: its code and OpenSSL's text, which ends in a newline (trimmed). */
export function tlsErrorText(e: NodeJS.ErrnoException): string {
  return `${e.code ? `${e.code}: ` : ''}${e.message.trim()}`;
}

/**
 * Whether the certificate is for `name` (the name or address connected to), in plain words; undefined when it is.
 * Node checks the name only when the chain verifies (and against "localhost" for an address without a server name):
 * a self-signed or expired certificate for another name would be said to be self-signed only.
 */
export function certNameMismatch(name: string, c: PeerCertificate): string | undefined {
  if (!c || Object.keys(c).length === 0 || checkServerIdentity(name, c) === undefined) return undefined;
  const names = c.subjectaltname ? c.subjectaltname : c.subject?.CN ? `CN=${c.subject.CN} (no subjectAltName)` : 'none';
  return `the certificate is not for ${name}: the names it holds are ${names}`;
}

/** TLS handshake on a connected socket; reports the certificate whether or not it verifies, and whether it is for `name`. */
export function tlsHandshake(socket: NetSocket, servername: string | undefined, timeoutMs: number, name = servername): Promise<{ result: TlsResult; tlsSocket?: NetSocket }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let done = false;
    const settle = (v: { result: TlsResult; tlsSocket?: NetSocket }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(v);
    };
    const t = tlsConnect({ socket, servername, rejectUnauthorized: false });
    let timer = setTimeout(() => {
      t.destroy();
      settle({ result: { ok: false, explanation: `the server sent no TLS answer within ${timeoutMs} ms (is this port speaking TLS?)` } }); // no library error to keep
    }, timeoutMs);
    let handshake: TlsResult | undefined;
    t.once('secureConnect', () => {
      clearTimeout(timer);
      const c = t.getPeerCertificate();
      const validTo = c?.valid_to ? new Date(c.valid_to) : undefined;
      const daysLeft = validTo ? Math.floor((validTo.getTime() - Date.now()) / 86_400_000) : undefined;
      const mismatch = name !== undefined ? certNameMismatch(name, c) : undefined;
      // A chain that verifies for another name (an address checked as "localhost") does not verify for this one.
      const authorized = t.authorized && !mismatch;
      const authorizationError = t.authorizationError ? String(t.authorizationError) : mismatch ? 'ERR_TLS_CERT_ALTNAME_INVALID' : undefined;
      const r: TlsResult = {
        ok: true,
        protocol: t.getProtocol() ?? undefined,
        cipher: t.getCipher()?.name,
        authorized,
        ...(authorizationError ? { authorizationError } : {}),
        subject: certName(c?.subject),
        issuer: certName(c?.issuer),
        validFrom: c?.valid_from,
        validTo: c?.valid_to,
        daysLeft,
        expired: validTo ? validTo.getTime() < Date.now() : undefined,
        altNames: c?.subjectaltname,
        ...(mismatch ? { nameMismatch: mismatch } : {}),
        handshakeMs: msSince(t0),
      };
      logOsCall('net', `tls handshake ${servername ?? ''}`, r.handshakeMs!);
      if (r.protocol !== 'TLSv1.3') return settle({ result: r, tlsSocket: t });
      handshake = r;
      // The server's session ticket came with the handshake: it accepted the client (see TLS_ALERT_WATCH_MIN_MS).
      if (ticketAt !== undefined) return endWatch('ticket', { result: r, tlsSocket: t });
      // TLS 1.3: a server that requires a client certificate says so with an alert after this event (error below).
      const watch = Math.max(0, Math.min(timeoutMs - r.handshakeMs!, Math.max(TLS_ALERT_WATCH_MIN_MS, Math.ceil(2 * r.handshakeMs!))));
      timer = setTimeout(() => endWatch('no alert', { result: r, tlsSocket: t }), watch);
    });
    // The alert watch's end, logged with what ended it (SOCKET_DEBUG).
    const endWatch = (why: string, v: { result: TlsResult; tlsSocket?: NetSocket }) => {
      if (done) return;
      logOsCall('net', `tls alert watch ${servername ?? ''}`, msSince(t0) - (handshake?.handshakeMs ?? 0), undefined, why);
      settle(v);
    };
    let ticketAt: number | undefined;
    // Node emits 'session' from inside OpenSSL's read of the ticket: the exchange's write must not start there (its
    // request was lost, no reply came), so the watch ends on the next turn of the event loop.
    t.once('session', () => {
      ticketAt ??= performance.now();
      setImmediate(() => {
        if (handshake) endWatch('ticket', { result: handshake, tlsSocket: t });
      });
    });
    // A close without an alert after the handshake: the handshake itself succeeded (the certificate was seen).
    t.once('end', () => {
      if (handshake) endWatch('closed', { result: { ...handshake, closedAfterHandshake: 'closed' }, tlsSocket: t });
    });
    // Kept for the socket's life: an error after the handshake (the exchange reads it too) never goes unhandled.
    t.on('error', (e: NodeJS.ErrnoException) => {
      // After 'secureConnect' only an alert (a TLS library error) fails the handshake; a reset is said as one.
      if (handshake && !isTlsLibraryError(e.code)) return endWatch('reset', { result: { ...handshake, closedAfterHandshake: 'reset', closeError: tlsErrorText(e) }, tlsSocket: t });
      const failure = { ok: false, explanation: explainTlsFailure(e.code, e.message), error: tlsErrorText(e) };
      // An alert after 'secureConnect': the certificate was seen and is kept with the failure.
      if (handshake) return endWatch('alert', { result: { ...handshake, ...failure } });
      settle({ result: failure });
    });
  });
}
