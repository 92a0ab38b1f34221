import { Box, Text, useInput } from 'ink';
import type { KeyHint } from './KeyHints.js';
import { useKeyCapture } from './key-capture.js';
import { useTone } from './theme.js';

/** The key bar while a question waits: what y and n do here. */
export function confirmKeys(yes: string, no: string): readonly KeyHint[] {
  return [
    ['y', yes],
    ['n/esc', no],
  ];
}

interface Props {
  question: string;
  onAnswer: (yes: boolean) => void;
}

/** A y/n question that holds the keyboard; Esc and `n` both say no. */
export function Confirm({ question, onAnswer }: Props) {
  const tone = useTone();
  useKeyCapture(true);
  useInput((input, key) => {
    if (input === 'y' || input === 'Y') onAnswer(true);
    else if (input === 'n' || input === 'N' || key.escape) onAnswer(false);
  });
  return (
    <Box>
      <Text color={tone('warn')}>{question} </Text>
      <Text bold>(y/n)</Text>
    </Box>
  );
}
