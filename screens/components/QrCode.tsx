import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';

interface Props {
  text: string;
  maxWidth: number;
  maxHeight: number;
}

/**
 * A QR code of `text` in half-block characters (two modules a row), for a
 * phone to scan. Drawn only when it fits; otherwise nothing, since a cut QR
 * code is worse than none.
 */
export function QrCode({ text, maxWidth, maxHeight }: Props) {
  const [lines, setLines] = useState<string[] | null>(null);

  useEffect(() => {
    let live = true;
    // Loaded on first use: the QR encoder (and its PNG renderer) is a good
    // share of start-up time, and only the login screen needs it.
    import('qrcode')
      .then(({ default: QRCode }) => QRCode.toString(text, { type: 'utf8', margin: 2 }))
      .then(
        (drawn) => live && setLines(drawn.replace(/\n+$/, '').split('\n')),
        () => live && setLines(null),
      );
    return () => {
      live = false;
    };
  }, [text]);

  if (!lines) return null;
  const width = Math.max(...lines.map((line) => line.length));
  if (width > maxWidth || lines.length > maxHeight) return null;
  return (
    <Box flexDirection="column">
      {lines.map((line, row) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are fixed and never reorder
        <Text key={row}>{line}</Text>
      ))}
    </Box>
  );
}
