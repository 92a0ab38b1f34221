import { Text } from 'ink';
import { type AccountState, describeState } from '../../hooks/account-state.js';
import { type Tone, useTone } from './theme.js';

const TONES: Record<AccountState['kind'], Tone> = {
  ok: 'good',
  expiring: 'warn',
  'needs-login': 'bad',
  cooling: 'warn',
  paused: 'muted',
};

/** An account's state in words, coloured by how much it needs attention. */
export function StatusBadge({ state, now }: { state: AccountState; now: number }) {
  const tone = useTone();
  return <Text color={tone(TONES[state.kind])}>{describeState(state, now)}</Text>;
}
