import { open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CancelledError, UserError } from '../errors.js';
import { ensureDir } from './atomic.js';

export interface LockOptions {
  /** A lock older than this whose owner is gone is taken over. */
  staleMs?: number;
  /** Give up after this long. */
  timeoutMs?: number;
  retryMs?: number;
  /**
   * Stops the wait (Ctrl-C) with a CancelledError. Only the wait: a free lock
   * is still taken, so a write the user already asked for is not lost.
   */
  signal?: AbortSignal;
}

function cancelledWait(lockFile: string): CancelledError {
  return new CancelledError(`Cancelled while waiting for ${lockFile}.`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(lockFile: string, staleMs: number): Promise<boolean> {
  try {
    const [info, text] = await Promise.all([stat(lockFile), readFile(lockFile, 'utf8')]);
    const pid = Number.parseInt(text, 10);
    if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) return true;
    return Date.now() - info.mtimeMs > staleMs;
  } catch {
    // Vanished between our failed create and now: not stale, just retry.
    return false;
  }
}

/** A takeover guard lives for a few file operations; older than this, its owner died. */
const GUARD_STALE_MS = 5000;

/**
 * Removes a stale lock, once. Two waiters may both judge it stale; if each
 * simply deleted it, the slower one would delete the lock the faster one had
 * just taken and both would run. So the removal happens under a second,
 * short-lived lock, and the staleness is checked again inside it. Returns
 * whether the caller should try to take the lock now.
 */
async function takeOver(lockFile: string, staleMs: number): Promise<boolean> {
  const guard = `${lockFile}.takeover`;
  try {
    await (await open(guard, 'wx', 0o600)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Someone else is taking over; a guard left by a crash is cleared after a while.
    const age = await stat(guard).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    if (age > GUARD_STALE_MS) await rm(guard, { force: true });
    return false;
  }
  try {
    if (await isStale(lockFile, staleMs)) await rm(lockFile, { force: true });
    return true;
  } finally {
    await rm(guard, { force: true });
  }
}

/**
 * Runs `fn` while holding an exclusive lock on `target` (a `<target>.lock`
 * file created with O_EXCL). Works across processes sharing one config home;
 * a lock left by a dead process is taken over.
 */
export async function withFileLock<T>(
  target: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const lockFile = `${target}.lock`;
  const staleMs = options.staleMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retryMs = options.retryMs ?? 15;
  const deadline = Date.now() + timeoutMs;
  await ensureDir(path.dirname(lockFile));

  for (;;) {
    try {
      const handle = await open(lockFile, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if ((await isStale(lockFile, staleMs)) && (await takeOver(lockFile, staleMs))) continue;
      if (options.signal?.aborted) throw cancelledWait(lockFile);
      if (Date.now() > deadline) {
        throw new UserError(
          'lock_timeout',
          `Another ccs process holds ${lockFile}.`,
          'Wait for it to finish, or delete the lock file if no ccs is running.',
        );
      }
      const pause = retryMs + Math.floor(Math.random() * retryMs);
      await delay(pause, undefined, { signal: options.signal }).catch(() => {
        throw cancelledWait(lockFile);
      });
    }
  }

  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}
