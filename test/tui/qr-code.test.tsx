import { stripVTControlCharacters } from 'node:util';
import chalk from 'chalk';
import QRCode from 'qrcode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QrCode, saysDarkBackground } from '../../screens/components/QrCode.js';
import type { CcsPaths } from '../../src/home.js';
import {
  failOnReactWarnings,
  makeServices,
  renderWith,
  tempHome,
  waitForFrame,
} from './helpers.js';

failOnReactWarnings();

const URL = 'http://127.0.0.1:9/device?user_code=WXYZ-2345';
const INVERSE = '\u001B[7m';

let paths: CcsPaths;
let cleanup: () => Promise<void>;
let level: typeof chalk.level;
beforeEach(async () => {
  ({ paths, cleanup } = await tempHome());
  // The suite pins FORCE_COLOR=0, under which no attribute reaches the frame
  // at all; a terminal under NO_COLOR still gets them (chalk ignores it).
  level = chalk.level;
  chalk.level = 1;
});
afterEach(async () => {
  chalk.level = level;
  await cleanup();
});

/**
 * The modules a frame shows: a block glyph's ink is dark, a blank cell light.
 * Ink drops blanks at the end of a line, which leaves the terminal background
 * there just as a blank would: they are put back to `width`.
 */
function modulesDrawn(frame: string, width: number): boolean[][] {
  const lines = stripVTControlCharacters(frame).split('\n');
  while (lines.length < width / 2) lines.push('');
  const grid: boolean[][] = [];
  for (const line of lines) {
    const cells = [...line.padEnd(width)];
    grid.push(cells.map((c) => c === '█' || c === '▀'));
    grid.push(cells.map((c) => c === '█' || c === '▄'));
  }
  return grid;
}

/** What the encoder says, inside a light quiet zone `margin` modules wide. */
function modulesEncoded(text: string, margin: number): boolean[][] {
  const { size, data } = QRCode.create(text, {}).modules;
  const width = size + 2 * margin;
  const rows = Array.from({ length: width }, (_, y) =>
    Array.from({ length: width }, (_, x) => {
      const [row, column] = [y - margin, x - margin];
      if (row < 0 || column < 0 || row >= size || column >= size) return false;
      return Boolean(data[row * size + column]);
    }),
  );
  // Half blocks draw two rows a line: an odd count leaves a light row below.
  if (width % 2 === 1) rows.push(Array.from({ length: width }, () => false));
  return rows;
}

describe('QrCode without colour', () => {
  it('draws the dark modules as glyphs on the terminal background, with a quiet zone', async () => {
    const services = makeServices(paths, { color: false, env: {} });
    const view = renderWith(services, <QrCode text={URL} maxWidth={99} maxHeight={99} />);
    const frame = await waitForFrame(view, '█');
    // No inverse video: inverse would paint the light modules in the text
    // colour, which on a white terminal is dark, and reverse the code there.
    expect(frame).not.toContain(INVERSE);
    const encoded = modulesEncoded(URL, 2);
    expect(modulesDrawn(frame, encoded[0]!.length)).toEqual(encoded);
    view.unmount();
  });

  it('draws inverse where the terminal says its background is dark', async () => {
    const services = makeServices(paths, { color: false, env: { COLORFGBG: '15;0' } });
    const view = renderWith(services, <QrCode text={URL} maxWidth={99} maxHeight={99} />);
    const frame = await waitForFrame(view, '█');
    expect(frame).toContain(INVERSE);
    // The same glyphs: inverse swaps which colour the ink is, not the modules.
    const encoded = modulesEncoded(URL, 2);
    expect(modulesDrawn(frame, encoded[0]!.length)).toEqual(encoded);
    view.unmount();
  });

  it('reads the background from COLORFGBG only when it names a palette entry', () => {
    expect(saysDarkBackground({ COLORFGBG: '15;0' })).toBe(true);
    expect(saysDarkBackground({ COLORFGBG: '7;default;8' })).toBe(true);
    expect(saysDarkBackground({ COLORFGBG: '0;15' })).toBe(false);
    expect(saysDarkBackground({ COLORFGBG: '0;7' })).toBe(false);
    expect(saysDarkBackground({ COLORFGBG: 'default;default' })).toBe(false);
    expect(saysDarkBackground({})).toBe(false);
  });
});
