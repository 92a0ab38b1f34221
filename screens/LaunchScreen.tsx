import { Box, Text, useInput } from 'ink';
import Spinner from 'ink-spinner';
import { useState } from 'react';
import { useAccounts } from '../hooks/use-accounts.js';
import { useSession } from '../hooks/use-session.js';
import { useSettings } from '../hooks/use-settings.js';
import type { ProviderDefinition } from '../src/providers/types.js';
import { Frame } from './components/Frame.js';
import type { KeyHint } from './components/KeyHints.js';
import { SessionSummary } from './components/SessionSummary.js';
import { useTone } from './components/theme.js';
import type { LaunchSummary } from './navigation.js';
import { KEYLESS_ACCOUNT, loginKind } from './provider-kind.js';

export const LAUNCH_KEYS: readonly KeyHint[] = [
  ['enter', 'start claude'],
  ['n', 'log in'],
  ['r', 'retry'],
  ['q/esc', 'back'],
];

const PROXY_PHASE = { starting: 'starting…', failed: 'not started' } as const;

interface Props {
  provider: ProviderDefinition;
  summary?: LaunchSummary;
  /** What just happened elsewhere (a login started from here), until the next navigation. */
  notice?: string;
  active: boolean;
  onLaunch: () => void;
  onLogin: () => void;
  onBack: () => void;
}

/**
 * What will run (account, model, endpoint) before the terminal goes to
 * `claude`, and how the last run went when the app comes back.
 */
export function LaunchScreen(props: Props) {
  const { provider, summary, notice, active, onLaunch, onLogin, onBack } = props;
  const tone = useTone();
  const [attempt, setAttempt] = useState(0);
  const session = useSession(provider, attempt);
  const { accounts } = useAccounts(provider.id);
  const settings = useSettings(provider.id);
  const account = accounts?.find((a) => a.isDefault);
  // A provider that takes no key is always usable, through its implicit account.
  const keyless = loginKind(provider) === 'keyless';
  const usable = accounts?.filter((a) => !a.paused && a.state.kind !== 'needs-login') ?? [];
  const model = settings.values?.env.ANTHROPIC_MODEL || provider.defaultModel;
  const ready = session.phase === 'ready' && (keyless || usable.length > 0);

  useInput(
    (input, key) => {
      if (input === 'q' || key.escape) onBack();
      else if (input === 'n') onLogin();
      else if (input === 'r' && session.phase === 'failed') setAttempt((n) => n + 1);
      else if (key.return && ready) onLaunch();
    },
    { isActive: active },
  );

  // Only the keys that do something now.
  const hints = LAUNCH_KEYS.filter(([key]) =>
    key === 'enter' ? ready : key === 'r' ? session.phase === 'failed' : true,
  );
  // The proxy skips a paused default or one that needs login: name the
  // account that will really serve, and why it is not the default.
  const serving = usable.find((a) => a.isDefault) ?? usable[0];
  const passedOver =
    account && serving && !serving.isDefault
      ? `; the default, ${account.nickname}, ${account.paused ? 'is paused' : 'needs login'}`
      : '';
  const accountText = keyless
    ? `${KEYLESS_ACCOUNT} (no key needed)`
    : serving
      ? `${serving.nickname} (${serving.label})${passedOver}`
      : account
        ? `${account.nickname} (${account.label})`
        : 'none';
  const rows: Array<[string, string]> = [
    ['provider', `${provider.displayName} (${provider.id})`],
    ['account', accountText],
    ['model', model],
    ['endpoint', provider.apiUrl],
    // A failure is not always the proxy's (claude may be missing): the line below says which.
    ['proxy', session.phase === 'ready' ? session.proxyUrl : PROXY_PHASE[session.phase]],
  ];
  return (
    <Frame
      title={`Launch claude on ${provider.displayName}`}
      hints={hints}
      message={notice ? { text: notice, tone: 'good' } : null}
    >
      {summary ? <SessionSummary summary={summary} /> : null}
      {rows.map(([label, value]) => (
        <Box key={label}>
          <Box width={10}>
            <Text color={tone('muted')}>{label}</Text>
          </Box>
          <Text wrap="truncate-end">{value}</Text>
        </Box>
      ))}
      <Box marginTop={1}>
        {session.phase === 'starting' ? (
          <Text>
            <Spinner type="dots" /> Starting the proxy…
          </Text>
        ) : null}
        {session.phase === 'failed' ? (
          <Text color={tone('bad')}>{session.message} Press r to try again.</Text>
        ) : null}
        {session.phase === 'ready' && !keyless && accounts && usable.length === 0 ? (
          <Text color={tone('warn')}>No usable account: press n to log in.</Text>
        ) : null}
        {ready ? <Text color={tone('good')}>Ready: press Enter to start claude.</Text> : null}
      </Box>
    </Frame>
  );
}
