/**
 * A DNS server on 127.0.0.1 for tests (I3 domain verification): it answers TXT queries for the
 * names a test sets, NXDOMAIN for every other name, and can stay silent to make the resolver
 * time out. Built on `dns-packet` (the wire format) and `node:dgram` (UDP), so Node's own
 * `dns.Resolver`, pointed at `address`, talks to it exactly as it talks to a real server.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import packet from 'dns-packet';

/** A running test DNS server. */
export interface TestDnsServer {
  /** `127.0.0.1:<port>`, for `Resolver#setServers` and `GATEHOUSE_DNS_SERVERS`. */
  readonly address: string;
  /** Answers TXT queries for `name` with `values` (an empty list: the name exists, no TXT). */
  setTxt(name: string, values: readonly string[]): void;
  /** Forgets `name`: queries for it get NXDOMAIN again. */
  remove(name: string): void;
  /** Answers nothing for `name` (true: for every name), so resolvers time out; false undoes it. */
  drop(name: string | true, on?: boolean): void;
  /** The names asked so far, in order (lower-cased). */
  readonly queries: readonly string[];
  close(): Promise<void>;
}

/** RCODE 3, in the low four bits of the flags. */
const NXDOMAIN = 3;

/**
 * Starts a DNS server on 127.0.0.1, port 0 (one the system picks).
 *
 * @example
 * const dns = await startTestDnsServer();
 * dns.setTxt('_gatehouse-challenge.acme.test', ['gatehouse-verification=abc']);
 * const resolver = createTxtResolver({ servers: [dns.address], timeoutMs: 200, tries: 1 });
 */
export async function startTestDnsServer(): Promise<TestDnsServer> {
  const records = new Map<string, string[]>();
  const dropped = new Set<string>();
  let dropAll = false;
  const queries: string[] = [];
  const socket = createSocket('udp4');
  const key = (name: string) => name.toLowerCase().replace(/\.$/, '');

  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    let query: packet.DecodedPacket;
    try {
      query = packet.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = key(question.name);
    queries.push(name);
    if (dropAll || dropped.has(name)) return;
    const values = records.get(name);
    const answers: packet.Answer[] =
      values && question.type === 'TXT'
        ? values.map((v) => ({ type: 'TXT', name: question.name, ttl: 60, data: v }))
        : [];
    const reply = packet.encode({
      type: 'response',
      id: query.id,
      flags:
        packet.AUTHORITATIVE_ANSWER |
        (query.flag_rd ? packet.RECURSION_DESIRED : 0) |
        (values ? 0 : NXDOMAIN),
      questions: query.questions,
      answers,
    });
    socket.send(reply, from.port, from.address);
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    setTxt(name, values) {
      records.set(key(name), [...values]);
    },
    remove(name) {
      records.delete(key(name));
    },
    drop(name, on = true) {
      if (name === true) dropAll = on;
      else if (on) dropped.add(key(name));
      else dropped.delete(key(name));
    },
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
