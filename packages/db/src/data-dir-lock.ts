/**
 * One process per embedded data folder (issue 16).
 *
 * PGlite keeps what PostgreSQL shares between backends (buffers, WAL position, the next
 * transaction id) inside the process that opened the folder. A second process on the same
 * folder works on its own copy: each sees only its own writes, and after a restart the writes of
 * one of them are gone although they were acknowledged. So the first process to open a folder
 * holds it, as PostgreSQL's `postmaster.pid` does:
 *
 * - **The lock** is the file `gatehouse.lock` in the folder. It appears whole and exclusively:
 *   written to a temporary file, then hard-linked to its name (`link` fails when the name exists;
 *   on file systems without hard links, `open(O_CREAT|O_EXCL)`). It holds JSON: the PID, host,
 *   boot id, the process's start time (kernel ticks from `/proc/<pid>/stat`, and wall clock), who
 *   opened it (`owner`) and, once known, the server's URL (`annotate`).
 * - **Stale** means the holder is gone: on this host and boot, `process.kill(pid, 0)` finds no
 *   such process, or finds one that started at another time (the PID was reused), or the machine
 *   has rebooted since. A lock taken on another host is never stale here: whether its process
 *   still runs cannot be checked, so the error says to delete the file if it does not.
 * - **Taking over** a stale lock is exclusive: the taker first creates `gatehouse.lock.takeover`
 *   the same way, re-reads the lock while holding it and deletes the lock only if it is still
 *   stale, drops the takeover file, then competes for the lock like any starter. Of two starters
 *   racing over one stale lock, one creates the new lock and the other finds it live and refuses.
 *   A takeover file left by a process killed in those few milliseconds is judged like a lock and
 *   removed by rename-then-verify (moved aside, deleted only if it is the one judged dead).
 * - **Released** (deleted, if it is still this process's) by `release()`, which
 *   `Gatedb.close()` calls on a clean shutdown. A second open of the same folder inside one
 *   process is refused too.
 */
import { randomBytes } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The lock file's name inside the data folder. */
export const LOCK_FILE = 'gatehouse.lock';

/** Who holds a data folder: the lock file's content. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** `/proc/sys/kernel/random/boot_id` where available: a reboot makes every lock stale. */
  readonly bootId?: string | undefined;
  /** Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot), where available. */
  readonly procStart?: string | undefined;
  /** When the holding process started (wall clock, ISO 8601). */
  readonly startedAt: string;
  /** When it took the lock (ISO 8601). */
  readonly lockedAt: string;
  /** What opened the folder, e.g. `gatehouse server` or `gatehouse migrate`. */
  readonly owner: string;
  /** Where the holder can be reached, once it knows (a server's URL). */
  readonly url?: string | undefined;
  /** Tells this lock apart from any other with the same PID. */
  readonly nonce: string;
}

/** A held data folder lock. */
export interface DataDirLock {
  /** The lock file. */
  readonly file: string;
  readonly holder: LockHolder;
  /** The stale lock this one replaced (its process was gone), if any. */
  readonly tookOverFrom: LockHolder | undefined;
  /** Records details a refused second process should see, e.g. the server's URL. */
  annotate(details: { readonly url?: string }): void;
  /** Deletes the lock file if it is still this lock; idempotent. */
  release(): void;
}

/** Thrown when another live process holds the folder. */
export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
  constructor(
    readonly dataDir: string,
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(lockedMessage(dataDir, file, holder));
    this.name = 'DataDirLockedError';
  }
}

/** What may open a folder, for the lock file. */
export interface LockDataDirOptions {
  /** Shown to a refused second process; default `node <script>`. */
  readonly owner?: string | undefined;
  /** Give up waiting for a takeover in progress after this long; default 10 s. */
  readonly timeoutMs?: number;
  /**
   * Awaited when a stale lock is found, before taking it over (tests widen races with a delay
   * here: whatever happens meanwhile, only a lock still stale under the takeover file goes).
   */
  readonly onStale?: ((stale: LockHolder | undefined) => void | Promise<void>) | undefined;
}

/** Lock files this process holds (by real path). */
const heldHere = new Set<string>();

/** A lock file that cannot be parsed (its writer died mid-write) is stale once this old. */
const UNREADABLE_STALE_MS = 5_000;

/**
 * Takes the lock of `dataDir` (created if missing) for this process, taking over a stale one.
 * Throws `DataDirLockedError` naming the holder when another live process has it.
 */
export async function lockDataDir(
  dataDir: string,
  options: LockDataDirOptions = {},
): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(realpathSync(dataDir), LOCK_FILE);
  const takeoverFile = `${file}.takeover`;
  const me = ownRecord(options.owner);
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let tookOverFrom: LockHolder | undefined;
  for (let attempt = 0; ; attempt++) {
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting to lock the data folder ${dataDir}: another process kept taking over a stale lock (${takeoverFile})`,
      );
    }
    if (attempt > 0) await sleep(Math.min(5 * attempt, 50));
    if (heldHere.has(file)) throw new DataDirLockedError(dataDir, file, readHolder(file) ?? me);
    if (createExclusive(file, me)) {
      heldHere.add(file);
      return heldLock(file, me, tookOverFrom);
    }
    const seen = readLock(file);
    if (seen === 'missing') continue; // released between our create and read: try again
    if (!isStale(seen, file)) {
      if (seen === 'unreadable') continue; // being written (no-link fallback): wait
      throw new DataDirLockedError(dataDir, file, seen);
    }
    // Stale: remove it, but only while holding the takeover file, and only if still stale.
    await options.onStale?.(seen === 'unreadable' ? undefined : seen);
    if (!createExclusive(takeoverFile, me)) {
      const taker = readLock(takeoverFile);
      if (taker !== 'missing' && isStale(taker, takeoverFile)) removeIfSame(takeoverFile, taker);
      continue; // someone else is taking over right now: look again shortly
    }
    try {
      const current = readLock(file);
      if (current !== 'missing' && isStale(current, file)) {
        unlinkSync(file);
        if (current !== 'unreadable') tookOverFrom = current;
      }
    } finally {
      unlinkQuietly(takeoverFile);
    }
  }
}

function heldLock(file: string, holder: LockHolder, tookOverFrom?: LockHolder): DataDirLock {
  let current = holder;
  return {
    file,
    get holder() {
      return current;
    },
    tookOverFrom,
    annotate(details) {
      if (!heldHere.has(file)) return;
      const next = { ...current, ...details };
      const tmp = `${file}.${current.nonce}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
      renameSync(tmp, file); // atomic replace: readers see the old or the new record
      current = next;
    },
    release() {
      if (!heldHere.delete(file)) return;
      const onDisk = readLock(file);
      if (typeof onDisk === 'object' && onDisk.nonce === current.nonce) unlinkQuietly(file);
    },
  };
}

/** Creates `file` holding `record` if no file has that name; false when one does. */
function createExclusive(file: string, record: LockHolder): boolean {
  const content = `${JSON.stringify(record, null, 2)}\n`;
  const tmp = `${file}.${record.nonce}.tmp`;
  writeFileSync(tmp, content, { flag: 'wx' });
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') {
      throw e;
    }
  } finally {
    unlinkQuietly(tmp);
  }
  // No hard links here: O_CREAT|O_EXCL (a reader may briefly see it empty: 'unreadable').
  try {
    writeFileSync(file, content, { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** The lock file's holder, `missing`, or `unreadable` (empty or not JSON). */
function readLock(file: string): LockHolder | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.hostname === 'string' && typeof h.nonce === 'string')
      return h as LockHolder;
  } catch {
    // fall through
  }
  return 'unreadable';
}

function readHolder(file: string): LockHolder | undefined {
  const h = readLock(file);
  return typeof h === 'object' ? h : undefined;
}

/** True when the lock's process is certainly gone (see the module comment). */
function isStale(holder: LockHolder | 'unreadable', file: string): boolean {
  if (holder === 'unreadable') {
    try {
      return Date.now() - statSync(file).mtimeMs > UNREADABLE_STALE_MS;
    } catch {
      return false; // gone meanwhile: the caller reads again
    }
  }
  if (holder.hostname !== hostname()) return false;
  const boot = bootId();
  if (holder.bootId && boot && holder.bootId !== boot) return true;
  // This process's PID: held if this process holds the file, else a dead predecessor's (a
  // container restarted with the same PID) or a takeover file left by an earlier failure.
  if (holder.pid === process.pid) return !heldHere.has(file);
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
    // EPERM: alive, owned by another user.
  }
  const start = procStart(holder.pid);
  return Boolean(holder.procStart && start && holder.procStart !== start);
}

/** Moves `file` aside and deletes it if it is still the one judged dead, else puts it back. */
function removeIfSame(file: string, judged: LockHolder | 'unreadable'): void {
  const aside = `${file}.${randomBytes(6).toString('hex')}.dead`;
  try {
    renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const moved = readLock(aside);
  const same =
    judged === 'unreadable'
      ? moved === 'unreadable'
      : typeof moved === 'object' && moved.nonce === judged.nonce;
  if (!same && typeof moved === 'object') {
    try {
      linkSync(aside, file); // someone else's live file: restore it (unless replaced meanwhile)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  unlinkQuietly(aside);
}

/** The message of `DataDirLockedError`: who holds the folder and what to do. */
function lockedMessage(dataDir: string, file: string, h: LockHolder): string {
  const where = h.url ? `, serving ${h.url}` : '';
  const self = h.pid === process.pid && h.hostname === hostname();
  const who = self
    ? `this process (PID ${h.pid}, ${h.owner}) has it open already`
    : `it is in use by ${h.owner} (PID ${h.pid} on ${h.hostname}, started ${h.startedAt}${where})`;
  const remote =
    h.hostname !== hostname()
      ? ` That process runs on another host, so whether it is still alive cannot be checked from here; if it is not, delete ${file}.`
      : '';
  return (
    `Cannot open the data folder ${dataDir}: ${who}.${remote} ` +
    'Only one process may open an embedded (PGlite) data folder: a second one would work on its ' +
    'own copy and silently lose writes. Stop that process first, or give this one another ' +
    'folder (GATEHOUSE_DATA_DIR), or run several processes on PostgreSQL (DATABASE_URL). ' +
    `Lock file: ${file}`
  );
}

function ownRecord(owner: string | undefined): LockHolder {
  const script = process.argv[1]?.split('/').pop();
  return {
    pid: process.pid,
    hostname: hostname(),
    bootId: bootId(),
    procStart: procStart(process.pid),
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    lockedAt: new Date().toISOString(),
    owner: owner ?? (script ? `node ${script}` : 'node'),
    nonce: randomBytes(8).toString('hex'),
  };
}

/** Field 22 of `/proc/<pid>/stat`: the start time in clock ticks since boot (Linux only). */
function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) may hold spaces and parentheses: count from the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[22 - 3];
  } catch {
    return undefined;
  }
}

let cachedBootId: string | undefined | null = null;
function bootId(): string | undefined {
  if (cachedBootId === null) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
    } catch {
      cachedBootId = undefined;
    }
  }
  return cachedBootId;
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
