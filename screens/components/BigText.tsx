import { Box, Text } from 'ink';
import { bigTextWidth, canDraw, drawBigText } from './big-font.js';
import { useTone } from './theme.js';

interface Props {
  text: string;
  /** Columns available; below what the block letters need, plain text is shown. */
  maxWidth: number;
}

/**
 * A user code in 5-row block letters that read from across a room and over
 * SSH. Falls back to bold plain text when the terminal is too narrow or the
 * code has characters the font lacks.
 */
export function BigText({ text, maxWidth }: Props) {
  const tone = useTone();
  if (!canDraw(text) || bigTextWidth(text) > maxWidth) {
    return (
      <Text bold color={tone('accent')}>
        {text}
      </Text>
    );
  }
  return (
    <Box flexDirection="column">
      {drawBigText(text).map((line, row) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are fixed and never reorder
        <Text key={row} color={tone('accent')}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
