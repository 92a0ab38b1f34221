/**
 * A 5-row block font for user codes: A–Z, 0–9 and `-`. Each glyph is five
 * columns of `#` (ink) and spaces, drawn with full blocks, which survive SSH,
 * tmux and small terminals better than box-drawing or braille art.
 */
const GLYPHS: Record<string, readonly string[]> = {
  A: [' ### ', '#   #', '#####', '#   #', '#   #'],
  B: ['#### ', '#   #', '#### ', '#   #', '#### '],
  C: [' ####', '#    ', '#    ', '#    ', ' ####'],
  D: ['#### ', '#   #', '#   #', '#   #', '#### '],
  E: ['#####', '#    ', '#### ', '#    ', '#####'],
  F: ['#####', '#    ', '#### ', '#    ', '#    '],
  G: [' ####', '#    ', '#  ##', '#   #', ' ####'],
  H: ['#   #', '#   #', '#####', '#   #', '#   #'],
  I: ['#####', '  #  ', '  #  ', '  #  ', '#####'],
  J: ['#####', '   # ', '   # ', '#  # ', ' ##  '],
  K: ['#   #', '#  # ', '###  ', '#  # ', '#   #'],
  L: ['#    ', '#    ', '#    ', '#    ', '#####'],
  M: ['#   #', '## ##', '# # #', '#   #', '#   #'],
  N: ['#   #', '##  #', '# # #', '#  ##', '#   #'],
  O: [' ### ', '#   #', '#   #', '#   #', ' ### '],
  P: ['#### ', '#   #', '#### ', '#    ', '#    '],
  Q: [' ### ', '#   #', '# # #', '#  # ', ' ## #'],
  R: ['#### ', '#   #', '#### ', '#  # ', '#   #'],
  S: [' ####', '#    ', ' ### ', '    #', '#### '],
  T: ['#####', '  #  ', '  #  ', '  #  ', '  #  '],
  U: ['#   #', '#   #', '#   #', '#   #', ' ### '],
  V: ['#   #', '#   #', '#   #', ' # # ', '  #  '],
  W: ['#   #', '#   #', '# # #', '## ##', '#   #'],
  X: ['#   #', ' # # ', '  #  ', ' # # ', '#   #'],
  Y: ['#   #', ' # # ', '  #  ', '  #  ', '  #  '],
  Z: ['#####', '   # ', '  #  ', ' #   ', '#####'],
  '0': [' ### ', '#  ##', '# # #', '##  #', ' ### '],
  '1': ['  #  ', ' ##  ', '  #  ', '  #  ', ' ### '],
  '2': [' ### ', '#   #', '  ## ', ' #   ', '#####'],
  '3': ['#### ', '    #', ' ### ', '    #', '#### '],
  '4': ['#   #', '#   #', '#####', '    #', '    #'],
  '5': ['#####', '#    ', '#### ', '    #', '#### '],
  '6': [' ### ', '#    ', '#### ', '#   #', ' ### '],
  '7': ['#####', '    #', '   # ', '  #  ', '  #  '],
  '8': [' ### ', '#   #', ' ### ', '#   #', ' ### '],
  '9': [' ### ', '#   #', ' ####', '    #', ' ### '],
  '-': ['     ', '     ', ' ### ', '     ', '     '],
};

export const GLYPH_ROWS = 5;
export const GLYPH_WIDTH = 5;

/** True when every character of `text` has a glyph (after upper-casing). */
export function canDraw(text: string): boolean {
  return [...text.toUpperCase()].every((char) => char in GLYPHS);
}

/** Columns `text` takes when drawn with `gap` blank columns between glyphs. */
export function bigTextWidth(text: string, gap = 1): number {
  const count = [...text].length;
  return count === 0 ? 0 : count * GLYPH_WIDTH + (count - 1) * gap;
}

/** The five lines of `text` in the block font; characters without a glyph become blanks. */
export function drawBigText(text: string, gap = 1, ink = '█'): string[] {
  const blank = ' '.repeat(GLYPH_WIDTH);
  const glyphs = [...text.toUpperCase()].map((char) => GLYPHS[char]);
  const lines: string[] = [];
  for (let row = 0; row < GLYPH_ROWS; row++) {
    const cells = glyphs.map((glyph) => (glyph?.[row] ?? blank).replaceAll('#', ink));
    lines.push(cells.join(' '.repeat(gap)).trimEnd());
  }
  return lines;
}
