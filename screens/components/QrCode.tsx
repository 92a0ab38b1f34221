import { Box, Text } from 'ink';
import { useContext, useEffect, useState } from 'react';
import { ColorContext } from './theme.js';

const PINNED = { color: 'black', backgroundColor: 'whiteBright' } as const;

interface Props {
  text: string;
  maxWidth: number;
  maxHeight: number;
}

/**
 * A QR code of `text` in half-block characters (two modules a row), for a
 * phone to scan. Drawn only when it fits; otherwise nothing, since a cut QR
 * code is worse than none.
 *
 * The blocks are the dark modules. Drawn in the terminal's own colours they
 * come out light on a dark theme, an inverted code that many phone scanners
 * refuse, so the colours are pinned: black on white, quiet zone included.
 * Without colour (NO_COLOR) the cells are drawn inverse instead, which is
 * right on the dark background most terminals have.
 */
export function QrCode({ text, maxWidth, maxHeight }: Props) {
  const color = useContext(ColorContext);
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
    <Box flexDirection="column" flexShrink={0}>
      {lines.map((line, row) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are fixed and never reorder
        <Text key={row} {...(color ? PINNED : { inverse: true })}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
