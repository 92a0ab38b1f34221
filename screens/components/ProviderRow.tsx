import { Box, Text } from 'ink';
import { describeState } from '../../hooks/account-state.js';
import { type ListedProvider, useServices } from '../../hooks/services.js';
import { useAccounts } from '../../hooks/use-accounts.js';
import { useSettings } from '../../hooks/use-settings.js';
import { loginKind } from '../provider-kind.js';
import { useTone } from './theme.js';

const NAME_WIDTH = 18;
/** Room for "preset, not set up yet" and a gap; a longer summary is cut short. */
const SUMMARY_WIDTH = 24;

/** A provider that is not selected: one line with its name, accounts and model. */
export function ProviderRow({ provider }: { provider: ListedProvider }) {
  const tone = useTone();
  const summary = useAccountSummary(provider);
  const settings = useSettings(provider.id);
  const model = settings.values?.env.ANTHROPIC_MODEL || provider.defaultModel;
  // Fixed columns that never shrink, so rows line up at any width and only
  // the model, last, is cut short.
  return (
    <Box paddingLeft={2}>
      <Box width={NAME_WIDTH} flexShrink={0}>
        <Text wrap="truncate-end">
          {provider.displayName}
          {provider.notice ? <Text color={tone('warn')}> !</Text> : null}
        </Text>
      </Box>
      <Box width={SUMMARY_WIDTH} flexShrink={0}>
        <Text color={tone(summary.tone)} wrap="truncate-end">
          {summary.text}
        </Text>
      </Box>
      <Box flexShrink={1}>
        <Text color={tone('muted')} wrap="truncate-end">
          {model}
        </Text>
      </Box>
    </Box>
  );
}

/** What a one-line row says about a provider's accounts. */
export function useAccountSummary(provider: ListedProvider): {
  text: string;
  tone: 'good' | 'warn' | 'bad' | 'muted';
} {
  const { clock } = useServices();
  const { accounts } = useAccounts(provider.id);
  if (loginKind(provider) === 'keyless') {
    return { text: provider.preset ? 'preset, no key needed' : 'no key needed', tone: 'muted' };
  }
  if (!accounts) return { text: '…', tone: 'muted' };
  if (accounts.length === 0) {
    return provider.preset
      ? { text: 'preset, not set up yet', tone: 'muted' }
      : { text: 'no accounts', tone: 'warn' };
  }
  const main = accounts.find((a) => a.isDefault) ?? accounts[0]!;
  const more = accounts.length > 1 ? ` +${accounts.length - 1}` : '';
  const state = describeState(main.state, clock.now());
  const tone = main.state.kind === 'ok' ? 'good' : main.state.kind === 'paused' ? 'muted' : 'warn';
  return { text: `${main.nickname} ${state}${more}`, tone };
}
