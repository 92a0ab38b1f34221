import type { Clock } from '../../src/clock.js';

interface Sleeper {
  at: number;
  resolve: () => void;
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/**
 * A clock the test drives. In `auto` mode every sleep moves time forward by
 * its length at once (so a client and a simulator sharing the clock agree on
 * how much time passed); otherwise sleeps wait until `advance` gets there.
 */
export class FakeClock implements Clock {
  private current: number;
  private readonly sleepers = new Set<Sleeper>();
  private readonly watchers = new Set<() => void>();
  /** Every sleep asked for, in ms. */
  readonly sleeps: number[] = [];

  constructor(
    start = Date.parse('2026-03-01T08:00:00Z'),
    readonly auto = false,
  ) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError());
    this.sleeps.push(ms);
    if (this.auto) {
      this.current += Math.max(0, ms);
      return new Promise((resolve, reject) =>
        setImmediate(() => (signal?.aborted ? reject(abortError()) : resolve())),
      );
    }
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        at: this.current + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
      for (const watcher of this.watchers) watcher();
    });
  }

  /** Sleeps waiting right now (manual mode). */
  get pending(): number {
    return this.sleepers.size;
  }

  /** The earliest time a sleeper wakes, if any. */
  get nextWake(): number | undefined {
    const times = [...this.sleepers].map((s) => s.at);
    return times.length ? Math.min(...times) : undefined;
  }

  advance(ms: number): void {
    this.current += ms;
    for (const sleeper of [...this.sleepers]) {
      if (sleeper.at <= this.current) {
        this.sleepers.delete(sleeper);
        sleeper.resolve();
      }
    }
  }

  /** Resolves once at least `count` sleeps are waiting (manual mode). */
  waitForSleepers(count = 1): Promise<void> {
    if (this.sleepers.size >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const watcher = () => {
        if (this.sleepers.size < count) return;
        this.watchers.delete(watcher);
        resolve();
      };
      this.watchers.add(watcher);
    });
  }
}
