import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import { type SettingsValues, useSettings } from '../hooks/use-settings.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import type { ProviderDefinition } from '../src/providers/types.js';
import { Confirm } from './components/Confirm.js';
import { Frame } from './components/Frame.js';
import type { KeyHint } from './components/KeyHints.js';
import { ModelPicker } from './components/ModelPicker.js';
import { SettingsRowView } from './components/SettingsRowView.js';
import { TextField } from './components/TextField.js';
import {
  MAX_TOKENS_KEY,
  maxTokensLimit,
  nextStrategy,
  parseEnvEntry,
  type SettingsRow,
  sameValues,
  settingsRows,
  validateMaxTokens,
  validateModelName,
  validatePort,
  validateValues,
} from './settings-form.js';

export const SETTINGS_KEYS: readonly KeyHint[] = [
  ['↑↓/jk', 'move'],
  ['enter', 'edit'],
  ['d', 'delete entry'],
  ['ctrl+s', 'save'],
  ['q/esc', 'back'],
];

type Mode =
  | { mode: 'browse' }
  | { mode: 'pick'; key: string; label: string }
  | { mode: 'edit'; row: SettingsRow }
  | { mode: 'confirm-leave' };

interface Props {
  provider: ProviderDefinition;
  active: boolean;
  onBack: () => void;
}

/** Edits the provider's settings file and config.yaml's managed keys. */
export function SettingsScreen({ provider, active, onBack }: Props) {
  const { rows: height } = useTerminalSize();
  const { values, error, save } = useSettings(provider.id);
  const [draft, setDraft] = useState<SettingsValues | null>(null);
  const [cursor, setCursor] = useState(0);
  const [mode, setMode] = useState<Mode>({ mode: 'browse' });
  const [flash, setFlash] = useState<{ text: string; tone: 'good' | 'bad' } | null>(null);

  useEffect(() => {
    if (values && !draft) setDraft(values);
  }, [values, draft]);

  const rows = draft ? settingsRows(draft) : [];
  const index = Math.min(cursor, Math.max(0, rows.length - 1));
  const dirty = Boolean(draft && values && !sameValues(draft, values));
  const limit = draft ? maxTokensLimit(provider, draft.env) : 0;
  const setEnv = (key: string, value: string | undefined) => {
    setDraft((d) => {
      if (!d) return d;
      const env = { ...d.env };
      if (value === undefined) delete env[key];
      else env[key] = value;
      return { ...d, env };
    });
  };

  useInput(
    (input, key) => {
      if (!draft) return input === 'q' || key.escape ? onBack() : undefined;
      setFlash(null);
      if (key.ctrl && input === 's') {
        const problem = validateValues(provider, draft);
        if (problem) return setFlash({ text: `Not saved. ${problem}`, tone: 'bad' });
        void save(draft).then((ok) => ok && setFlash({ text: 'Saved.', tone: 'good' }));
        return;
      }
      if (input === 'q' || key.escape) return dirty ? setMode({ mode: 'confirm-leave' }) : onBack();
      if (key.upArrow || input === 'k') return setCursor(Math.max(0, index - 1));
      if (key.downArrow || input === 'j') return setCursor(Math.min(rows.length - 1, index + 1));
      const row = rows[index];
      if (!row) return;
      if (input === 'd' && row.kind === 'env') return setEnv(row.name, undefined);
      if (!key.return) return;
      if (row.kind === 'model') setMode({ mode: 'pick', key: row.key, label: row.label });
      else if (row.kind === 'strategy')
        setDraft({ ...draft, strategy: nextStrategy(draft.strategy) });
      else setMode({ mode: 'edit', row });
    },
    { isActive: active && mode.mode === 'browse' },
  );

  const message = error ? { text: error, tone: 'bad' as const } : flash;
  const browse = () => setMode({ mode: 'browse' });
  return (
    <Frame
      title={`${provider.displayName} settings${dirty ? ' (unsaved)' : ''}`}
      hints={SETTINGS_KEYS}
      message={message}
    >
      {!draft ? <Text>Reading settings…</Text> : null}
      {draft && mode.mode !== 'pick'
        ? rows.map((row, i) => (
            <SettingsRowView
              key={rowKey(row)}
              row={row}
              values={draft}
              selected={i === index}
              defaultModel={provider.defaultModel}
              limit={limit}
            />
          ))
        : null}
      {draft && active && mode.mode === 'pick' ? (
        <ModelPicker
          label={mode.label}
          models={provider.models}
          current={draft.env[mode.key]}
          height={height - 8}
          onPick={(model) => {
            setEnv(mode.key, model);
            browse();
          }}
          onClear={() => {
            setEnv(mode.key, undefined);
            browse();
          }}
          onType={() =>
            setMode({ mode: 'edit', row: { kind: 'model', key: mode.key, label: mode.label } })
          }
          onCancel={browse}
        />
      ) : null}
      {draft && active && mode.mode === 'edit' ? (
        <Box marginTop={1}>{editor(mode.row, draft, limit, setEnv, setDraft, browse)}</Box>
      ) : null}
      {active && mode.mode === 'confirm-leave' ? (
        <Box marginTop={1}>
          <Confirm
            question="Leave without saving your changes?"
            onAnswer={(yes) => (yes ? onBack() : browse())}
          />
        </Box>
      ) : null}
    </Frame>
  );
}

function rowKey(row: SettingsRow): string {
  if (row.kind === 'model') return row.key;
  return row.kind === 'env' ? `env:${row.name}` : row.kind;
}

function editor(
  row: SettingsRow,
  draft: SettingsValues,
  limit: number,
  setEnv: (key: string, value: string | undefined) => void,
  setDraft: (values: SettingsValues) => void,
  done: () => void,
) {
  const accept = (apply: () => void) => () => {
    apply();
    done();
  };
  switch (row.kind) {
    case 'model':
      return (
        <TextField
          label={row.label}
          initial={draft.env[row.key] ?? ''}
          validate={validateModelName}
          onCancel={done}
          onSubmit={(v) => accept(() => setEnv(row.key, v.trim()))()}
        />
      );
    case 'max-tokens':
      return (
        <TextField
          label="Max tokens"
          initial={draft.env[MAX_TOKENS_KEY] ?? ''}
          validate={(v) => validateMaxTokens(v, limit)}
          onCancel={done}
          onSubmit={(v) => accept(() => setEnv(MAX_TOKENS_KEY, v))()}
        />
      );
    case 'env':
      return (
        <TextField
          label={row.name}
          initial={draft.env[row.name] ?? ''}
          onCancel={done}
          onSubmit={(v) => accept(() => setEnv(row.name, v))()}
        />
      );
    case 'add-env': {
      const taken = Object.keys(draft.env);
      const check = (v: string) => {
        const parsed = parseEnvEntry(v, taken);
        return typeof parsed === 'string' ? parsed : null;
      };
      const add = (v: string) => {
        const parsed = parseEnvEntry(v, taken);
        if (typeof parsed !== 'string') setEnv(parsed.name, parsed.value);
        done();
      };
      return (
        <TextField
          label="New env entry"
          initial=""
          placeholder="NAME=value"
          validate={check}
          onCancel={done}
          onSubmit={add}
        />
      );
    }
    case 'port':
      return (
        <TextField
          label="Proxy port"
          initial={String(draft.proxyPort)}
          validate={validatePort}
          onCancel={done}
          onSubmit={(v) => accept(() => setDraft({ ...draft, proxyPort: Number(v) }))()}
        />
      );
    case 'strategy':
      return null;
  }
}
