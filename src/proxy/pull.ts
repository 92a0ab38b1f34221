/** What `next(ms)` resolves with when no chunk came in time. */
export const TIMEOUT = Symbol('timeout');

/**
 * Reads an async iterator with an optional time limit per read. A read that
 * times out is not lost: the chunk it was waiting for is returned next time.
 */
export interface Puller {
  next(): Promise<IteratorResult<Buffer>>;
  /** The next chunk, or TIMEOUT after `ms`; a chunk that arrives later is kept. */
  next(ms: number | undefined): Promise<IteratorResult<Buffer> | typeof TIMEOUT>;
}

export function puller(iterator: AsyncIterator<Buffer>): Puller {
  let pending: Promise<IteratorResult<Buffer>> | undefined;
  const take = () => {
    const step = pending ?? iterator.next();
    pending = undefined;
    return step;
  };
  const next = (ms?: number) => {
    if (ms === undefined) return take();
    if (ms <= 0) return Promise.resolve(TIMEOUT);
    if (!pending) {
      pending = iterator.next();
      // Awaited later by take(); this only keeps an early rejection from going unhandled.
      pending.catch(() => undefined);
    }
    const waiting = pending;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMEOUT), ms);
    });
    return Promise.race([waiting, timeout]).then((step) => {
      clearTimeout(timer);
      if (step !== TIMEOUT) pending = undefined;
      return step;
    });
  };
  return { next } as Puller;
}
