import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { AccountView } from '../hooks/account-state.js';
import { useServices } from '../hooks/services.js';
import { useAccounts } from '../hooks/use-accounts.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { isValidNickname } from '../src/accounts/identity.js';
import type { ProviderDefinition } from '../src/providers/types.js';
import { AccountList } from './components/AccountList.js';
import { Confirm, confirmKeys } from './components/Confirm.js';
import { Frame } from './components/Frame.js';
import type { KeyHint } from './components/KeyHints.js';
import { cursorStep, steppedId } from './components/keys.js';
import { FIELD_KEYS, TextField } from './components/TextField.js';
import { bodyRows } from './home-layout.js';
import type { LoginAgain } from './navigation.js';

export const ACCOUNTS_KEYS: readonly KeyHint[] = [
  ['enter', 'default'],
  ['r', 'rename'],
  ['a', 'add'],
  ['d', 'remove'],
  ['p', 'pause/resume'],
  ['l', 'log in again'],
  ['q/esc', 'back'],
  ['↑↓/jk', 'move'],
];

/** Only an account whose state is "needs login" is logged in again with l. */
function needsLogin(account: AccountView | undefined): account is AccountView {
  return account?.state.kind === 'needs-login';
}

/** The key bar follows whatever has the keyboard, and l the selected account. */
function hintsFor(mode: Mode, current: AccountView | undefined): readonly KeyHint[] {
  if (mode.mode === 'rename') return FIELD_KEYS;
  if (mode.mode === 'confirm-remove') return confirmKeys('remove', 'keep');
  if (!current) return ACCOUNTS_KEYS.filter(([key]) => key === 'a' || key === 'q/esc');
  return needsLogin(current) ? ACCOUNTS_KEYS : ACCOUNTS_KEYS.filter(([key]) => key !== 'l');
}

type Mode =
  | { mode: 'list' }
  | { mode: 'rename'; nickname: string }
  | { mode: 'confirm-remove'; id: string; nickname: string };

interface Props {
  provider: ProviderDefinition;
  active: boolean;
  /** What just happened elsewhere (a login): the first flash. */
  notice?: string;
  /** a: a login for a new account (or whichever identity the user approves). */
  onLogin: () => void;
  /** l: the selected account, which needs login, logged in again. */
  onLoginAgain: (account: LoginAgain) => void;
  onBack: () => void;
}

/** The account picker: keyboard-only management of one provider's accounts. */
export function AccountsScreen(props: Props) {
  const { provider, active, notice, onLogin, onLoginAgain, onBack } = props;
  const { clock } = useServices();
  const { rows } = useTerminalSize();
  const { accounts, error, setDefault, rename, setPaused, remove } = useAccounts(provider.id);
  // The cursor follows an account, not a row: setting a default re-sorts.
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>({ mode: 'list' });
  const [flash, setFlash] = useState<string | null>(notice ?? null);
  const list = accounts ?? [];
  const found = list.findIndex((a) => a.id === selectedId);
  const index = Math.max(found, 0);
  const current = list[index];

  const report = (ok: boolean, text: string) => ok && setFlash(text);

  useInput(
    (input, key) => {
      if (input === 'q' || key.escape) return onBack();
      if (input === 'a') return onLogin();
      const step = cursorStep(input, key);
      if (step !== 0) return setSelectedId((id) => steppedId(list, id, step) ?? id);
      if (!current) return;
      setFlash(null);
      if (key.return) {
        void setDefault(current.nickname).then((ok) =>
          report(ok, `${current.nickname} is now the default.`),
        );
      } else if (input === 'r') setMode({ mode: 'rename', nickname: current.nickname });
      else if (input === 'l' && needsLogin(current)) {
        const { id: accountId, nickname, label } = current;
        onLoginAgain({ accountId, nickname, label });
      } else if (input === 'd') {
        setMode({ mode: 'confirm-remove', id: current.id, nickname: current.nickname });
      } else if (input === 'p') {
        const pause = !current.paused;
        void setPaused(current.id, pause).then((ok) =>
          report(ok, `${current.nickname} ${pause ? 'paused' : 'resumed'}.`),
        );
      }
    },
    { isActive: active && mode.mode === 'list' },
  );

  const validateName = (name: string) => {
    if (!isValidNickname(name)) return 'Use 1-32 letters, digits, ".", "_" or "-".';
    const clash = list.find((a) => a.nickname === name && a.nickname !== current?.nickname);
    return clash ? `"${name}" is already taken.` : null;
  };

  const message = error
    ? { text: error, tone: 'bad' as const }
    : flash
      ? { text: flash, tone: 'good' as const }
      : null;
  // The rows a field or question below the list leaves it, in the frame's body.
  const room = bodyRows(rows) - (mode.mode === 'list' ? 0 : 3);

  return (
    <Frame
      title={`${provider.displayName} accounts`}
      hints={hintsFor(mode, current)}
      message={message}
    >
      {accounts === null ? <Text>Reading accounts…</Text> : null}
      {accounts?.length === 0 ? <Text>No accounts yet: press a to log in.</Text> : null}
      <AccountList accounts={list} cursor={index} room={room} now={clock.now()} />
      {mode.mode === 'rename' && active ? (
        <Box marginTop={1}>
          <TextField
            label={`New name for ${mode.nickname}`}
            initial={mode.nickname}
            validate={validateName}
            onCancel={() => setMode({ mode: 'list' })}
            onSubmit={(name) => {
              setMode({ mode: 'list' });
              void rename(mode.nickname, name).then((ok) => report(ok, `Renamed to ${name}.`));
            }}
          />
        </Box>
      ) : null}
      {mode.mode === 'confirm-remove' && active ? (
        <Box marginTop={1}>
          <Confirm
            question={`Remove ${mode.nickname} and delete its tokens?`}
            onAnswer={(yes) => {
              setMode({ mode: 'list' });
              if (yes) {
                void remove(mode.id).then((ok) => report(ok, `${mode.nickname} removed.`));
              }
            }}
          />
        </Box>
      ) : null}
    </Frame>
  );
}
