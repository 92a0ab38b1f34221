import { Box, Text } from 'ink';
import { useServices } from '../../hooks/services.js';
import { useAccounts } from '../../hooks/use-accounts.js';
import { useSettings } from '../../hooks/use-settings.js';
import type { ProviderDefinition } from '../../src/providers/types.js';
import { StatusBadge } from './StatusBadge.js';
import { useTone } from './theme.js';

interface Props {
  provider: ProviderDefinition;
  selected: boolean;
  /** Account rows to show at most; the rest are counted. */
  maxAccounts: number;
}

/** One provider on the home screen: notice, endpoint, model and accounts. */
export function ProviderCard({ provider, selected, maxAccounts }: Props) {
  const tone = useTone();
  const { clock } = useServices();
  const { accounts, error } = useAccounts(provider.id);
  const settings = useSettings(provider.id);
  const model = settings.values?.env.ANTHROPIC_MODEL ?? provider.defaultModel;
  const now = clock.now();
  const shown = accounts?.slice(0, maxAccounts) ?? [];
  const hidden = (accounts?.length ?? 0) - shown.length;

  return (
    <Box flexDirection="column" marginBottom={1}>
      <Box>
        <Text color={tone('accent')}>{selected ? '▶ ' : '  '}</Text>
        <Text bold inverse={selected}>
          {provider.displayName}
        </Text>
        <Text color={tone('muted')}> model </Text>
        <Text>{model}</Text>
      </Box>
      <Box flexDirection="column" paddingLeft={2}>
        {provider.notice ? <Text color={tone('warn')}>{provider.notice}</Text> : null}
        <Text color={tone('muted')} wrap="truncate-end">
          endpoint {provider.apiUrl}
        </Text>
        {error ? <Text color={tone('bad')}>{error}</Text> : null}
        {accounts && accounts.length === 0 ? (
          <Text>No accounts yet: press n to log in.</Text>
        ) : null}
        {shown.map((account) => (
          <Text key={account.id} wrap="truncate-end">
            {account.isDefault ? '★ ' : '  '}
            <Text bold>{account.nickname}</Text> <StatusBadge state={account.state} now={now} />
            <Text color={tone('muted')}> {account.label}</Text>
          </Text>
        ))}
        {hidden > 0 ? <Text color={tone('muted')}>…and {hidden} more (a: accounts)</Text> : null}
      </Box>
    </Box>
  );
}
