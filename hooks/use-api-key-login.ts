import { useEffect, useReducer } from 'react';
import { applyTyping } from '../screens/components/TextField.js';
import type { Account } from '../src/accounts/registry.js';
import { describeError } from '../src/errors.js';
import type { ProviderDefinition } from '../src/providers/types.js';
import { useServices } from './services.js';

export type ApiKeyState =
  /** `problem`: why the last Enter was refused, or why saving failed. */
  | { phase: 'editing'; value: string; problem: string | null }
  | { phase: 'saving'; value: string }
  | { phase: 'saved'; account: Account; created: boolean };

export type ApiKeyAction =
  /** Typed or pasted text; an Enter at its very end submits. */
  | { type: 'type'; chunk: string }
  | { type: 'erase' }
  | { type: 'clear' }
  | { type: 'submit' }
  | { type: 'saved'; account: Account; created: boolean }
  | { type: 'failed'; message: string };

export const EMPTY_KEY_PROBLEM = 'Enter the API key: an empty key cannot be saved.';

export const initialApiKeyState: ApiKeyState = { phase: 'editing', value: '', problem: null };

function submit(value: string): ApiKeyState {
  if (value.trim() === '') return { phase: 'editing', value, problem: EMPTY_KEY_PROBLEM };
  return { phase: 'saving', value };
}

/** The masked key field and its save, as a pure reducer. */
export function apiKeyReducer(state: ApiKeyState, action: ApiKeyAction): ApiKeyState {
  if (state.phase === 'saved') return state;
  if (state.phase === 'saving') {
    if (action.type === 'saved')
      return { phase: 'saved', account: action.account, created: action.created };
    if (action.type === 'failed')
      return { phase: 'editing', value: state.value, problem: action.message };
    return state;
  }
  switch (action.type) {
    case 'type': {
      const typed = applyTyping(state.value, action.chunk);
      return typed.submit ? submit(typed.value) : { ...state, value: typed.value, problem: null };
    }
    case 'erase':
      return { ...state, value: [...state.value].slice(0, -1).join(''), problem: null };
    case 'clear':
      return { ...state, value: '', problem: null };
    case 'submit':
      return submit(state.value);
    case 'saved':
    case 'failed':
      return state;
  }
}

/** Stores the key with the account registry once the field is submitted. */
export function useApiKeyLogin(provider: ProviderDefinition, nickname?: string) {
  const services = useServices();
  const [state, dispatch] = useReducer(apiKeyReducer, initialApiKeyState);
  const saving = state.phase === 'saving' ? state.value.trim() : null;

  useEffect(() => {
    if (saving === null) return;
    let live = true;
    services.saveApiKey({ provider, apiKey: saving, ...(nickname ? { nickname } : {}) }).then(
      (result) => live && dispatch({ type: 'saved', ...result }),
      (failure: unknown) => live && dispatch({ type: 'failed', message: describeError(failure) }),
    );
    return () => {
      live = false;
    };
  }, [services, provider, nickname, saving]);

  return { state, dispatch };
}
