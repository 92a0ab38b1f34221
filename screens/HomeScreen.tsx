import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import type { ListedProvider } from '../hooks/services.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { Frame } from './components/Frame.js';
import type { KeyHint } from './components/KeyHints.js';
import { cursorStep, steppedId } from './components/keys.js';
import { ProviderCard } from './components/ProviderCard.js';
import { ProviderRow } from './components/ProviderRow.js';
import { useTone } from './components/theme.js';
import { bodyRows, homeLayout, noticeRows } from './home-layout.js';

export const HOME_KEYS: readonly KeyHint[] = [
  ['enter/l', 'launch'],
  ['n', 'log in'],
  ['a', 'accounts'],
  ['s', 'settings'],
  ['↑↓/jk', 'provider'],
  ['q', 'quit'],
];

interface Props {
  /** Null while they load. */
  providers: readonly ListedProvider[] | null;
  active: boolean;
  /** The provider selected when the screen opens (coming back to home keeps it). */
  initialProviderId?: string;
  /** What just happened elsewhere (a login), for the message line. */
  notice?: string;
  /** Every action is on the selected provider. */
  onSelect?: (providerId: string) => void;
  onLaunch: (providerId: string) => void;
  onLogin: (providerId: string) => void;
  onAccounts: (providerId: string) => void;
  onSettings: (providerId: string) => void;
  onQuit: () => void;
}

/**
 * The overview: every provider (the selected one as a card with its
 * accounts, the others one line each, scrolling when they do not fit) and
 * what to do next.
 */
export function HomeScreen(props: Props) {
  const { active } = props;
  const tone = useTone();
  const providers = props.providers ?? [];
  const { columns, rows } = useTerminalSize();
  const [chosen, setChosen] = useState(props.initialProviderId);
  const found = providers.findIndex((p) => p.id === chosen);
  const index = Math.max(found, 0);
  const selected = providers[index];
  const layout = homeLayout(
    providers.length,
    index,
    bodyRows(rows),
    noticeRows(selected?.notice, columns),
  );

  const { onSelect } = props;
  const selectedId = selected?.id;
  useEffect(() => {
    if (selectedId) onSelect?.(selectedId);
  }, [selectedId, onSelect]);

  useInput(
    (input, key) => {
      if (input === 'q') return props.onQuit();
      const step = cursorStep(input, key);
      if (step !== 0) return setChosen((id) => steppedId(providers, id, step) ?? id);
      if (!selected) return;
      if (key.return || input === 'l') props.onLaunch(selected.id);
      else if (input === 'n') props.onLogin(selected.id);
      else if (input === 'a') props.onAccounts(selected.id);
      else if (input === 's') props.onSettings(selected.id);
    },
    { isActive: active },
  );

  const above = layout.start;
  const below = providers.length - layout.end;
  return (
    <Frame
      title="Home"
      hints={HOME_KEYS}
      message={props.notice ? { text: props.notice, tone: 'good' } : null}
    >
      {props.providers === null ? <Text>Loading…</Text> : null}
      {props.providers?.length === 0 ? <Text>No providers are configured.</Text> : null}
      {above > 0 ? <Text color={tone('muted')}> ↑ {above} more</Text> : null}
      <Box flexDirection="column">
        {providers
          .slice(layout.start, layout.end)
          .map((provider) =>
            provider.id === selected?.id ? (
              <ProviderCard
                key={provider.id}
                provider={provider}
                marked={providers.length > 1}
                maxAccounts={layout.maxAccounts}
              />
            ) : (
              <ProviderRow key={provider.id} provider={provider} />
            ),
          )}
      </Box>
      {below > 0 ? <Text color={tone('muted')}> ↓ {below} more</Text> : null}
    </Frame>
  );
}
