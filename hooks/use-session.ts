import { useEffect, useState } from 'react';
import { describeError } from '../src/errors.js';
import type { ProviderDefinition } from '../src/providers/types.js';
import { useServices } from './services.js';

export type SessionState =
  | { phase: 'starting' }
  | { phase: 'ready'; proxyUrl: string }
  | { phase: 'failed'; message: string };

/**
 * Makes sure the provider's session (proxy + refresh loop) is running before
 * a launch. The session itself belongs to the app's holder and outlives this
 * screen; `attempt` lets the user try again after fixing a failure.
 */
export function useSession(provider: ProviderDefinition | undefined, attempt = 0): SessionState {
  const { session } = useServices();
  const [state, setState] = useState<SessionState>({ phase: 'starting' });

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new attempt re-runs the start
  useEffect(() => {
    if (!provider) return;
    let live = true;
    setState({ phase: 'starting' });
    session.prepare(provider).then(
      ({ proxyUrl }) => live && setState({ phase: 'ready', proxyUrl }),
      (failure: unknown) => live && setState({ phase: 'failed', message: describeError(failure) }),
    );
    return () => {
      live = false;
    };
  }, [session, provider, attempt]);

  return state;
}
