import { Box, Text } from 'ink';
import { useContext, useEffect, useState } from 'react';
import { useServices } from '../../hooks/services.js';
import { ColorContext } from './theme.js';

const PINNED = { color: 'black', backgroundColor: 'whiteBright' } as const;

/**
 * Whether the terminal says its background is dark: COLORFGBG ("fg;bg" in
 * palette numbers, set by rxvt, Konsole and a few others). 0-6 and 8 are the
 * dark palette entries; unset or anything else is taken as not known.
 */
export function saysDarkBackground(env: NodeJS.ProcessEnv): boolean {
  const bg = env.COLORFGBG?.split(';').at(-1) ?? '';
  if (!/^\d+$/.test(bg)) return false;
  const entry = Number(bg);
  return entry <= 6 || entry === 8;
}

/**
 * How the rows are drawn. With colour, pinned black on white. Without it
 * (NO_COLOR) only the terminal's own two colours are left, and which of them
 * is darker is unknown, so no drawing gets a standard (dark on light) code on
 * every background: inverse video only swaps which unknown colour the modules
 * get, and paints the quiet zone in the text colour, a band just two modules
 * wide. So the blocks are drawn as plain text: the dark modules are the
 * glyphs, in the text colour, and the light modules and the 2-module quiet
 * zone are blank cells, the terminal's own background, which goes on past
 * the margin. On a white terminal that is a standard code on an open quiet
 * zone. On a black one it is the same code reversed (light on dark), still
 * on an open quiet zone: ISO/IEC 18004 lets readers decode such a
 * "reflectance reversal", and camera apps commonly do. Only when the
 * terminal says its background is dark is it drawn inverse, which makes a
 * standard code there too.
 */
function rowStyle(color: boolean, env: NodeJS.ProcessEnv) {
  if (color) return PINNED;
  return saysDarkBackground(env) ? { inverse: true } : {};
}

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
 * come out light on a dark theme, an inverted code that some phone scanners
 * refuse, so with colour they are pinned: black on white, quiet zone
 * included. Without colour, see `rowStyle`.
 */
export function QrCode({ text, maxWidth, maxHeight }: Props) {
  const color = useContext(ColorContext);
  const { env } = useServices();
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
        <Text key={row} {...rowStyle(color, env)}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
