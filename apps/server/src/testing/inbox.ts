/**
 * A real SMTP server on loopback (smtp-server) that keeps what the Gatehouse server sends, and
 * reads links out of the messages (quoted-printable undone). For tests (`@gatehouse/server/testing`).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A received message. */
export interface Received {
  readonly to: readonly string[];
  readonly raw: string;
}

/** A running inbox. */
export interface Inbox {
  /** `smtp://127.0.0.1:PORT`, for the server's `SMTP_URL`. */
  readonly url: string;
  /** Everything received, in order. */
  readonly messages: readonly Received[];
  /** Recipients whose next delivery is refused with a temporary failure (451). */
  readonly refuseOnce: Set<string>;
  /** The `n`-th message to `to` (1-based); waits up to `timeoutMs`. */
  waitFor(to: string, n?: number, timeoutMs?: number): Promise<Received>;
  /** The link to `path` (`?token=…`) in the newest message to `to` that has one; waits for it. */
  linkTo(to: string, path: string, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/** Undoes quoted-printable soft breaks and escapes, enough to read a link out of the body. */
export function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Starts an inbox on a free loopback port. */
export async function startInbox(): Promise<Inbox> {
  const messages: Received[] = [];
  const refuseOnce = new Set<string>();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuseOnce.delete(address.address)) {
        callback(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  const port = (smtp.server.address() as AddressInfo).port;
  const waitFor: Inbox['waitFor'] = async (to, n = 1, timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      // Mailers lower-case the domain part: compare addresses case-insensitively.
      const got = messages.filter((m) => m.to.some((r) => r.toLowerCase() === to.toLowerCase()));
      if (got.length >= n) return got[n - 1]!;
      if (Date.now() > until) {
        throw new Error(
          `no message #${n} to ${to} within ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => m.to))}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refuseOnce,
    waitFor,
    async linkTo(to, path, timeoutMs = 15_000) {
      const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      const re = new RegExp(`https?://[^\\s"<>]+${escaped}\\?token=[A-Za-z0-9_-]+`);
      const until = Date.now() + timeoutMs;
      for (;;) {
        for (let i = messages.length - 1; i >= 0; i--) {
          const m = messages[i]!;
          if (!m.to.some((r) => r.toLowerCase() === to.toLowerCase())) continue;
          const found = re.exec(decodeQuotedPrintable(m.raw));
          if (found) return found[0];
        }
        if (Date.now() > until)
          throw new Error(`no ${path} link in a message to ${to} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
