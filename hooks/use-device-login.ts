import { useEffect, useReducer, useRef, useState } from 'react';
import type { Account } from '../src/accounts/registry.js';
import { CcsError, describeError, isAbortError } from '../src/errors.js';
import type { ProviderDefinition } from '../src/providers/types.js';
import { type DeviceAuthorizationView, type PollStatusView, useServices } from './services.js';

export type LoginState =
  | { phase: 'requesting' }
  | {
      phase: 'waiting';
      authorization: DeviceAuthorizationView;
      /** When the code arrived, so the countdown bar knows the whole span. */
      receivedAt: number;
      status: PollStatusView | null;
      fetchingUser: boolean;
    }
  | { phase: 'success'; account: Account; created: boolean }
  | { phase: 'expired'; message: string }
  | { phase: 'denied'; message: string }
  | { phase: 'failed'; message: string }
  | { phase: 'cancelled' };

export type LoginAction =
  | { type: 'restart' }
  | { type: 'code'; authorization: DeviceAuthorizationView; receivedAt: number }
  | { type: 'status'; status: PollStatusView }
  | { type: 'user-info' }
  | { type: 'success'; account: Account; created: boolean }
  | { type: 'failure'; error: unknown }
  | { type: 'cancel' };

const DONE = new Set(['success', 'expired', 'denied', 'failed', 'cancelled']);

export function loginReducer(state: LoginState, action: LoginAction): LoginState {
  if (action.type === 'restart') return { phase: 'requesting' };
  // A finished flow ignores late events from the attempt that ended it.
  if (DONE.has(state.phase)) return state;

  switch (action.type) {
    case 'code':
      return {
        phase: 'waiting',
        authorization: action.authorization,
        receivedAt: action.receivedAt,
        status: null,
        fetchingUser: false,
      };
    case 'status':
      return state.phase === 'waiting' ? { ...state, status: action.status } : state;
    case 'user-info':
      return state.phase === 'waiting' ? { ...state, fetchingUser: true } : state;
    case 'success':
      return { phase: 'success', account: action.account, created: action.created };
    case 'cancel':
      return { phase: 'cancelled' };
    case 'failure':
      return failureState(action.error);
  }
}

function failureState(error: unknown): LoginState {
  if (isAbortError(error)) return { phase: 'cancelled' };
  const code = error instanceof CcsError ? error.code : undefined;
  const message = error instanceof CcsError ? error.message : describeError(error);
  if (code === 'expired_token') return { phase: 'expired', message };
  if (code === 'access_denied') return { phase: 'denied', message };
  return { phase: 'failed', message: describeError(error) };
}

/**
 * Runs one device-code login per attempt (AUTH's `loginWithDeviceCode`).
 * `cancel` aborts the poll at once; `retry` starts over with a new code.
 * Unmounting aborts whatever is in flight.
 */
export function useDeviceLogin(provider: ProviderDefinition, nickname?: string) {
  const services = useServices();
  const [state, dispatch] = useReducer(loginReducer, { phase: 'requesting' });
  const [attempt, setAttempt] = useState(0);
  const controller = useRef<AbortController | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    controller.current = abort;
    services.logger.info('device-code login started', { provider: provider.id, attempt });
    dispatch({ type: 'restart' });
    services
      .login({
        provider,
        signal: abort.signal,
        ...(nickname ? { nickname } : {}),
        onEvent: (event) => {
          if (abort.signal.aborted) return;
          if (event.type === 'code') {
            const receivedAt = services.clock.now();
            dispatch({ type: 'code', authorization: event.authorization, receivedAt });
          } else if (event.type === 'status') dispatch({ type: 'status', status: event.status });
          else dispatch({ type: 'user-info' });
        },
      })
      .then(
        (result) => {
          if (!abort.signal.aborted) dispatch({ type: 'success', ...result });
        },
        (error: unknown) => {
          if (!abort.signal.aborted) dispatch({ type: 'failure', error });
        },
      );
    return () => abort.abort();
  }, [services, provider, nickname, attempt]);

  return {
    state,
    cancel: () => {
      controller.current?.abort();
      dispatch({ type: 'cancel' });
    },
    retry: () => setAttempt((n) => n + 1),
  };
}
