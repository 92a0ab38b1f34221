import { Box, Text } from 'ink';
import { type ReactNode, useContext } from 'react';
import { useTerminalSize } from '../../hooks/use-terminal-size.js';
import { type KeyHint, KeyHints } from './KeyHints.js';
import { KeyCaptureContext } from './key-capture.js';
import { useTone } from './theme.js';

interface Props {
  title: string;
  hints: readonly KeyHint[];
  /** One line above the key bar: what just happened, or what went wrong. */
  message?: { text: string; tone: 'good' | 'bad' | 'warn' } | null;
  children: ReactNode;
  /** False on the key list itself. */
  withHelp?: boolean;
}

/**
 * The full-screen layout every screen shares: a title line, the body, a
 * message line and the key bar, sized to the terminal and re-laid out when
 * it is resized. One row is left free so Ink never scrolls the screen.
 */
export function Frame({ title, hints, message, children, withHelp = true }: Props) {
  const { columns, rows } = useTerminalSize();
  const tone = useTone();
  // While a field or a question holds the keyboard, `?` is typed, not obeyed.
  const { capturing } = useContext(KeyCaptureContext);
  return (
    <Box flexDirection="column" width={columns} height={Math.max(rows - 1, 10)}>
      <Box paddingX={1}>
        <Text bold color={tone('accent')}>
          ccs
        </Text>
        <Text color={tone('muted')}> · </Text>
        <Text bold>{title}</Text>
      </Box>
      <Box flexDirection="column" flexGrow={1} paddingX={1} paddingTop={1} overflow="hidden">
        {children}
      </Box>
      <Box paddingX={1} height={1}>
        {message ? <Text color={tone(message.tone)}>{message.text}</Text> : null}
      </Box>
      <Box paddingX={1}>
        <KeyHints hints={hints} width={columns - 2} withHelp={withHelp && !capturing} />
      </Box>
    </Box>
  );
}
