import { useEffect, useState } from 'react';
import type { Clock } from '../src/clock.js';

/**
 * Milliseconds left until `expiresAt`, from the injected clock. It re-renders
 * on each whole second of the time left (so mm:ss changes exactly on the
 * boundary) and stops ticking at zero. The timer is cleared on unmount.
 */
export function useCountdown(expiresAt: number | undefined, clock: Clock): number {
  // The time left is read from the clock on every render, so a new code
  // shows its full time at once; the state only makes the timer re-render.
  const [, setTicks] = useState(0);

  useEffect(() => {
    if (expiresAt === undefined) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      const remaining = Math.max(0, expiresAt - clock.now());
      if (remaining === 0) return;
      // Wake on the next whole-second boundary of the time left.
      timer = setTimeout(
        () => {
          setTicks((n) => n + 1);
          schedule();
        },
        remaining % 1000 || 1000,
      );
    };
    schedule();
    return () => clearTimeout(timer);
  }, [expiresAt, clock]);

  return expiresAt === undefined ? 0 : Math.max(0, expiresAt - clock.now());
}

/** "mm:ss", rounding up so 0.4 s left still reads 00:01 until it is over. */
export function formatClock(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}
