import { Box, Text } from 'ink';
import { type ListedProvider, useServices } from '../../hooks/services.js';
import { useAccounts } from '../../hooks/use-accounts.js';
import { useSettings } from '../../hooks/use-settings.js';
import { KEYLESS_ACCOUNT, loginKind } from '../provider-kind.js';
import { AccountCells, accountColumns } from './AccountList.js';
import { useTone } from './theme.js';

interface Props {
  provider: ListedProvider;
  /** Drawn with the selection marker (there is more than one provider). */
  marked: boolean;
  /** Account rows to show at most; the rest are counted. */
  maxAccounts: number;
}

/** The selected provider on the home screen: notice, endpoint, model and accounts. */
export function ProviderCard({ provider, marked, maxAccounts }: Props) {
  const tone = useTone();
  const settings = useSettings(provider.id);
  const model = settings.values?.env.ANTHROPIC_MODEL || provider.defaultModel;

  return (
    <Box flexDirection="column" marginBottom={1}>
      <Box>
        <Text color={tone('accent')}>{marked ? '▶ ' : '  '}</Text>
        <Text bold inverse={marked}>
          {provider.displayName}
        </Text>
        {provider.preset ? <Text color={tone('muted')}> (preset)</Text> : null}
        <Text color={tone('muted')}> model </Text>
        <Text wrap="truncate-end">{model}</Text>
      </Box>
      <Box flexDirection="column" paddingLeft={2}>
        {provider.notice ? <Text color={tone('warn')}>{provider.notice}</Text> : null}
        <Text color={tone('muted')} wrap="truncate-end">
          endpoint {provider.apiUrl}
        </Text>
        {loginKind(provider) === 'keyless' ? (
          <Text>
            {'★ '}
            <Text bold>{KEYLESS_ACCOUNT}</Text>
            <Text color={tone('muted')}> no key needed</Text>
          </Text>
        ) : (
          <AccountRows provider={provider} maxAccounts={maxAccounts} />
        )}
      </Box>
    </Box>
  );
}

function AccountRows({ provider, maxAccounts }: Omit<Props, 'marked'>) {
  const tone = useTone();
  const { clock } = useServices();
  const { accounts, error } = useAccounts(provider.id);
  const now = clock.now();
  const shown = accounts?.slice(0, maxAccounts) ?? [];
  const hidden = (accounts?.length ?? 0) - shown.length;
  const widths = accountColumns(shown, now);
  const empty = provider.preset
    ? 'Not set up yet: press n to enter its API key.'
    : loginKind(provider) === 'api-key'
      ? 'No accounts yet: press n to enter an API key.'
      : 'No accounts yet: press n to log in.';
  return (
    <>
      {error ? <Text color={tone('bad')}>{error}</Text> : null}
      {accounts && accounts.length === 0 ? <Text wrap="truncate-end">{empty}</Text> : null}
      {/* In columns, as in the account picker; only the e-mail is cut short. */}
      {shown.map((account) => (
        <Box key={account.id}>
          <Box width={2} flexShrink={0}>
            <Text>{account.isDefault ? '★' : ''}</Text>
          </Box>
          <AccountCells account={account} widths={widths} now={now} />
        </Box>
      ))}
      {hidden > 0 ? <Text color={tone('muted')}>…and {hidden} more (a: accounts)</Text> : null}
    </>
  );
}
