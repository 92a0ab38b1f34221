import type { Key } from 'ink';

/**
 * How far a key moves a list cursor: +1 for ↓ or j, −1 for ↑ or k. Keys
 * typed faster than they are read (a held j, a busy terminal) reach Ink as
 * one string such as `jjj`, so a run of one letter moves that many rows.
 */
export function cursorStep(input: string, key: Key): number {
  if (key.downArrow) return 1;
  if (key.upArrow) return -1;
  if (/^j+$/.test(input)) return input.length;
  if (/^k+$/.test(input)) return -input.length;
  return 0;
}

/** `index + step`, kept inside a list of `length` rows. */
export function clampIndex(index: number, step: number, length: number): number {
  return Math.max(0, Math.min(length - 1, index + step));
}

/**
 * The id `step` rows away from `currentId` (the first row when it is not in
 * the list). Used with a state updater, so that keys read before the next
 * render each move from where the previous one left the cursor.
 */
export function steppedId(
  items: readonly { id: string }[],
  currentId: string | null | undefined,
  step: number,
): string | undefined {
  const index = Math.max(
    items.findIndex((item) => item.id === currentId),
    0,
  );
  return items[clampIndex(index, step, items.length)]?.id;
}
