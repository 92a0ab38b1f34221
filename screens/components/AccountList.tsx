import { Box, Text } from 'ink';
import { type AccountView, describeState } from '../../hooks/account-state.js';
import { StatusBadge } from './StatusBadge.js';
import { useTone } from './theme.js';

interface Props {
  accounts: readonly AccountView[];
  /** The row under the cursor. */
  cursor: number;
  /** Rows the list may take; it scrolls to keep the cursor in view. */
  room: number;
  now: number;
}

/**
 * The widths of the nickname and state columns: each as wide as its longest
 * entry plus a gap, shared by the account picker and the home card.
 */
export function accountColumns(accounts: readonly AccountView[], now: number) {
  return {
    nickname: Math.max(0, ...accounts.map((a) => a.nickname.length)) + 2,
    state: Math.max(0, ...accounts.map((a) => describeState(a.state, now).length)) + 2,
  };
}

interface CellsProps {
  account: AccountView;
  widths: ReturnType<typeof accountColumns>;
  now: number;
  selected?: boolean;
}

/** Nickname, state and e-mail in their columns; only the e-mail is cut short. */
export function AccountCells({ account, widths, now, selected = false }: CellsProps) {
  const tone = useTone();
  return (
    <>
      <Box width={widths.nickname} flexShrink={0}>
        <Text bold inverse={selected}>
          {account.nickname}
        </Text>
      </Box>
      <Box width={widths.state} flexShrink={0}>
        <StatusBadge state={account.state} now={now} />
      </Box>
      <Box flexShrink={1}>
        <Text color={tone('muted')} wrap="truncate-end">
          {account.label}
        </Text>
      </Box>
    </>
  );
}

/**
 * The account picker's rows in columns (marker, nickname, state, e-mail),
 * each as wide as its longest entry, so they line up however long a
 * nickname is. Only the e-mail is cut short on a narrow terminal.
 */
export function AccountList({ accounts, cursor, room, now }: Props) {
  const tone = useTone();
  const view = listWindow(accounts.length, cursor, room);
  const widths = accountColumns(accounts, now);
  return (
    <Box flexDirection="column">
      {view.start > 0 ? <Text color={tone('muted')}> ↑ {view.start} more</Text> : null}
      {accounts.slice(view.start, view.end).map((account, offset) => {
        const selected = view.start + offset === cursor;
        return (
          <Box key={account.id}>
            <Box width={12} flexShrink={0}>
              <Text color={tone('accent')}>{selected ? '▶ ' : '  '}</Text>
              <Text>{account.isDefault ? '[default]' : ''}</Text>
            </Box>
            <AccountCells account={account} widths={widths} now={now} selected={selected} />
          </Box>
        );
      })}
      {view.end < accounts.length ? (
        <Text color={tone('muted')}> ↓ {accounts.length - view.end} more</Text>
      ) : null}
    </Box>
  );
}

/**
 * The rows shown when not all fit: a window that keeps the cursor in view,
 * leaving a line above and below to say how many are out of sight.
 */
export function listWindow(
  count: number,
  cursor: number,
  room: number,
): { start: number; end: number } {
  if (count <= room) return { start: 0, end: count };
  const visible = Math.max(1, room - 2);
  const start = Math.max(0, Math.min(cursor - Math.floor(visible / 2), count - visible));
  return { start, end: start + visible };
}
