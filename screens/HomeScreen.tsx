import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import type { ProviderDefinition } from '../src/providers/types.js';
import { Frame } from './components/Frame.js';
import type { KeyHint } from './components/KeyHints.js';
import { clampIndex, cursorStep } from './components/keys.js';
import { ProviderCard } from './components/ProviderCard.js';

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
  providers: readonly ProviderDefinition[] | null;
  active: boolean;
  onLaunch: (providerId: string) => void;
  onLogin: (providerId: string) => void;
  onAccounts: (providerId: string) => void;
  onSettings: (providerId: string) => void;
  onQuit: () => void;
}

/** The overview: every provider with its accounts, and what to do next. */
export function HomeScreen(props: Props) {
  const { active } = props;
  const providers = props.providers ?? [];
  const { rows } = useTerminalSize();
  const [index, setIndex] = useState(0);
  const selected = providers[Math.min(index, providers.length - 1)];
  // Room for account rows once titles, notices and the key bar are placed.
  const maxAccounts = Math.max(1, Math.floor((rows - 10) / Math.max(1, providers.length)) - 3);

  useInput(
    (input, key) => {
      if (input === 'q') return props.onQuit();
      const step = cursorStep(input, key);
      if (step !== 0) return setIndex((i) => clampIndex(i, step, providers.length));
      if (!selected) return;
      if (key.return || input === 'l') props.onLaunch(selected.id);
      else if (input === 'n') props.onLogin(selected.id);
      else if (input === 'a') props.onAccounts(selected.id);
      else if (input === 's') props.onSettings(selected.id);
    },
    { isActive: active },
  );

  return (
    <Frame title="Home" hints={HOME_KEYS}>
      {props.providers === null ? <Text>Loading…</Text> : null}
      {props.providers?.length === 0 ? <Text>No providers are configured.</Text> : null}
      <Box flexDirection="column">
        {providers.map((provider) => (
          <ProviderCard
            key={provider.id}
            provider={provider}
            selected={provider.id === selected?.id && providers.length > 1}
            maxAccounts={maxAccounts}
          />
        ))}
      </Box>
    </Frame>
  );
}
