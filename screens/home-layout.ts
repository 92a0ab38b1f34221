/**
 * Where the home screen's rows go. The selected provider is a card (header,
 * notice, endpoint, accounts); every other one is a single line. When even
 * that does not fit, the list scrolls to keep the selection in view, with a
 * line above and below saying how many providers are out of sight.
 */
export interface HomeLayout {
  /** The providers shown are `start` up to (not including) `end`. */
  start: number;
  end: number;
  /** Account rows the card may show; the rest are counted. */
  maxAccounts: number;
}

/** Rows the frame around the body takes: title, gap, message and key bar, plus a spare. */
const FRAME_ROWS = 5;
/** The card without its accounts: header, endpoint and the gap after it. */
const CARD_ROWS = 3;

export function bodyRows(terminalRows: number): number {
  return Math.max(10, terminalRows - FRAME_ROWS);
}

/** Lines a notice takes when wrapped into `columns` (the card is indented by 4). */
export function noticeRows(notice: string | undefined, columns: number): number {
  if (!notice) return 0;
  return Math.ceil(notice.length / Math.max(10, columns - 6));
}

export function homeLayout(
  count: number,
  selected: number,
  body: number,
  noticeLines: number,
): HomeLayout {
  const card = CARD_ROWS + noticeLines;
  const others = Math.max(0, count - 1);
  if (others + card + 1 <= body) {
    return { start: 0, end: count, maxAccounts: Math.max(1, body - others - card) };
  }
  // Scrolling: one account row, two "more" lines, the rest for other providers.
  const room = Math.max(0, body - card - 1 - 2);
  const start = Math.max(0, Math.min(selected - Math.floor(room / 2), count - room - 1));
  return { start, end: Math.min(count, start + room + 1), maxAccounts: 1 };
}
