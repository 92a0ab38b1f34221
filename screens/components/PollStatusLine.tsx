import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import type { LoginState } from '../../hooks/use-device-login.js';
import { useTone } from './theme.js';

type Waiting = Extract<LoginState, { phase: 'waiting' }>;

/** What the server said last, beside a spinner while the poll goes on. */
export function PollStatusLine({ state, expired }: { state: Waiting; expired: boolean }) {
  const tone = useTone();
  if (expired) return <Text color={tone('bad')}>Device code expired before authorization.</Text>;
  return (
    <Box>
      <Text color={tone('accent')}>
        <Spinner type="dots" />
      </Text>
      <Text> {describe(state)}</Text>
    </Box>
  );
}

function describe(state: Waiting): string {
  if (state.fetchingUser) return 'Approved; fetching the account details…';
  const status = state.status;
  // Short enough for the login screen's left column (57) beside the QR code.
  const every = `checks every ${state.authorization.intervalSec}s`;
  if (!status) return `Waiting for approval in the browser (${every})…`;
  switch (status.type) {
    case 'waiting':
      return `Not approved yet, says the server (${every})…`;
    case 'slow_down':
      return `The server asked us to slow down: checking every ${status.intervalSec}s…`;
    case 'retrying':
      return (
        `Could not reach the server (${status.reason}); ` +
        `retrying in ${Math.ceil(status.inMs / 1000)}s…`
      );
  }
}
