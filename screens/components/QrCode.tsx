import { Box, Text } from 'ink';
import QRCode from 'qrcode';
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
    QRCode.toString(text, { type: 'utf8', margin: 2 }).then(
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

/** Rows and columns a QR code of `text` takes, for layout decisions. */
export function qrSize(text: string): { width: number; height: number } {
  const modules = QRCode.create(text, {}).modules.size + 4;
  return { width: modules, height: Math.ceil(modules / 2) };
}
