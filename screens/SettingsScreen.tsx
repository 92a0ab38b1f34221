import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import { useModelList } from '../hooks/use-model-list.js';
import { type SettingsValues, useSettings } from '../hooks/use-settings.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import type { ProviderDefinition } from '../src/providers/types.js';
import { Confirm, confirmKeys } from './components/Confirm.js';
import { Frame } from './components/Frame.js';
import type { KeyHint } from './components/KeyHints.js';
import { clampIndex, cursorStep } from './components/keys.js';
import { ModelPicker } from './components/ModelPicker.js';
import { SettingsEditor } from './components/SettingsEditor.js';
import { SettingsRowView } from './components/SettingsRowView.js';
import { FIELD_KEYS } from './components/TextField.js';
import {
  maxTokensLimit,
  nextStrategy,
  type SettingsRow,
  sameValues,
  settingsRows,
  validateValues,
} from './settings-form.js';

export const SETTINGS_KEYS: readonly KeyHint[] = [
  ['ctrl+s', 'save'],
  ['enter', 'edit'],
  ['d', 'delete env entry'],
  ['q/esc', 'back'],
  ['↑↓/jk', 'move'],
];

const PICKER_KEYS: readonly KeyHint[] = [
  ['enter', 'choose'],
  ['t', 'type a name'],
  ['↑↓/jk', 'move'],
  ['q/esc', 'back'],
];

/** The key bar follows whatever has the keyboard; `d` only on an env entry. */
function hintsFor(mode: Mode, row: SettingsRow | undefined): readonly KeyHint[] {
  if (mode.mode === 'pick') return PICKER_KEYS;
  if (mode.mode === 'edit') return FIELD_KEYS;
  if (mode.mode === 'confirm-leave') return confirmKeys('leave', 'stay');
  if (row?.kind !== 'env') return SETTINGS_KEYS.filter(([key]) => key !== 'd');
  // Short, so that q/esc still fits beside it at 60 columns.
  return SETTINGS_KEYS.map((hint) => (hint[0] === 'd' ? ['d', 'delete'] : hint));
}

type Mode =
  | { mode: 'browse' }
  | { mode: 'pick'; key: string; label: string }
  | { mode: 'edit'; row: SettingsRow }
  | { mode: 'confirm-leave' };

interface Props {
  provider: ProviderDefinition;
  active: boolean;
  /** After a save: config.yaml may name a new endpoint. */
  onSaved?: () => void;
  onBack: () => void;
}

/** Edits the provider's settings file and config.yaml's managed keys. */
export function SettingsScreen({ provider, active, onSaved, onBack }: Props) {
  const { rows: height } = useTerminalSize();
  const models = useModelList(provider);
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
        void save(draft).then((ok) => {
          if (!ok) return;
          setFlash({ text: 'Saved.', tone: 'good' });
          onSaved?.();
        });
        return;
      }
      if (input === 'q' || key.escape) return dirty ? setMode({ mode: 'confirm-leave' }) : onBack();
      const step = cursorStep(input, key);
      if (step !== 0) return setCursor((c) => clampIndex(c, step, rows.length));
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
      hints={hintsFor(mode, rows[index])}
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
              providerId={provider.id}
              defaultModel={provider.defaultModel}
              endpoint={provider.apiUrl}
              limit={limit}
            />
          ))
        : null}
      {draft && active && mode.mode === 'pick' ? (
        <ModelPicker
          label={mode.label}
          models={models}
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
        <Box marginTop={1}>
          <SettingsEditor
            providerId={provider.id}
            row={mode.row}
            draft={draft}
            limit={limit}
            setEnv={setEnv}
            setDraft={setDraft}
            done={browse}
          />
        </Box>
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
