import { Box, Text } from 'ink';
import { useTone } from './theme.js';

/** One key and what it does, e.g. `['↑↓', 'move']`. */
export type KeyHint = readonly [key: string, action: string];

interface Props {
  hints: readonly KeyHint[];
  width: number;
  /** Append `? keys` (everywhere but the key list itself). */
  withHelp?: boolean;
}

/**
 * The bottom bar: the keys of the current screen, as many as fit the width.
 * `?` for the full list is always last, so it never falls off the edge.
 */
export function KeyHints({ hints, width, withHelp = true }: Props) {
  const tone = useTone();
  const all: KeyHint[] = withHelp ? [...hints, ['?', 'keys']] : [...hints];
  const shown: KeyHint[] = [];
  let used = 0;
  for (const [index, hint] of all.entries()) {
    const cost = hint[0].length + hint[1].length + 3;
    const isLast = index === all.length - 1;
    if (!isLast && used + cost + 8 > width) continue;
    shown.push(hint);
    used += cost;
  }
  return (
    <Box width={width} overflow="hidden">
      {shown.map(([key, action]) => (
        <Box key={key} marginRight={2}>
          <Text bold color={tone('key')}>
            {key}
          </Text>
          <Text color={tone('muted')}> {action}</Text>
        </Box>
      ))}
    </Box>
  );
}
