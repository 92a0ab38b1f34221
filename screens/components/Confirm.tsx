import { Box, Text, useInput } from 'ink';
import { useKeyCapture } from './key-capture.js';
import { useTone } from './theme.js';

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
