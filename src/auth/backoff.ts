import type { Clock } from '../clock.js';
import { CancelledError, isAbortError } from '../errors.js';

/** Longest wait between two attempts after failures. */
export const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Exponential backoff: 1 s after the first failure, then 2, 4, 8, 16 and at
 * most 30 s. No jitter: callers that race across processes coordinate with
 * a lock instead, and a fixed sequence keeps tests with a fake clock exact.
 */
export function retryDelayMs(failures: number, baseMs = 1000, maxMs = MAX_RETRY_DELAY_MS): number {
  const exponent = Math.max(0, failures - 1);
  return Math.min(maxMs, baseMs * 2 ** Math.min(exponent, 20));
}

/** Waits on the clock; an abort becomes a CancelledError, the timer is gone at once. */
export async function sleepOrCancel(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await clock.sleep(ms, signal);
  } catch (error) {
    if (signal?.aborted || isAbortError(error)) throw new CancelledError();
    throw error;
  }
}
