import type { SettingsValues } from '../../hooks/use-settings.js';
import {
  defaultEndpoint,
  MAX_TOKENS_KEY,
  parseEnvEntry,
  type SettingsRow,
  validateEndpoint,
  validateMaxTokens,
  validateModelName,
  validatePort,
} from '../settings-form.js';
import { TextField } from './TextField.js';

interface Props {
  providerId: string;
  row: SettingsRow;
  draft: SettingsValues;
  /** Largest max tokens the chosen model takes. */
  limit: number;
  setEnv: (key: string, value: string | undefined) => void;
  setDraft: (values: SettingsValues) => void;
  done: () => void;
}

/**
 * The text field for one settings row. Each field validates as the user
 * types and accepts only a valid value, so nothing invalid reaches the draft
 * (and so the file).
 */
export function SettingsEditor(props: Props) {
  const { providerId, row, draft, limit, setEnv, setDraft, done } = props;
  if (row.kind === 'endpoint') {
    const fallback = defaultEndpoint(providerId);
    return (
      <TextField
        label="Endpoint"
        initial={draft.apiUrl ?? ''}
        validate={(v) => validateEndpoint(v, fallback !== undefined)}
        {...(fallback ? { placeholder: `empty: ${fallback}` } : {})}
        onCancel={done}
        onSubmit={(v) => {
          const { apiUrl: _old, ...rest } = draft;
          const value = v.trim().replace(/\/+$/, '');
          setDraft(value === '' ? rest : { ...rest, apiUrl: value });
          done();
        }}
      />
    );
  }
  return editor(row, draft, limit, setEnv, setDraft, done);
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
    case 'endpoint':
      return null;
  }
}
