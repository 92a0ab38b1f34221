import { Box, Text, useInput } from 'ink';
import Spinner from 'ink-spinner';
import { useEffect, useRef } from 'react';
import { useApiKeyLogin } from '../hooks/use-api-key-login.js';
import { Frame } from './components/Frame.js';
import type { KeyHint } from './components/KeyHints.js';
import { useKeyCapture } from './components/key-capture.js';
import { useTone } from './components/theme.js';
import type { LoginScreenProps as Props } from './LoginScreen.js';
import { againLine, namingAgain } from './login-again.js';

const EDIT_KEYS: readonly KeyHint[] = [
  ['enter', 'save'],
  ['esc', 'cancel'],
  ['ctrl+u', 'clear'],
];

/** Shown in place of each character of the key: it never appears on screen. */
export const MASK = '•';

/**
 * An API-key provider's login: a masked field for the key (typed or pasted),
 * stored as an account through the registry, with 0600 token files.
 */
export function ApiKeyLoginScreen(props: Props) {
  const { provider, nickname, again, active, onDone, onCancel } = props;
  const tone = useTone();
  const { state, dispatch } = useApiKeyLogin(provider, nickname);
  const editing = state.phase === 'editing';
  useKeyCapture(active && editing);

  const message =
    state.phase === 'saved'
      ? namingAgain(
          `${state.created ? 'Saved' : 'Updated'} the ${provider.displayName} API key ` +
            `as ${state.account.nickname}.`,
          state.account.id,
          again,
        )
      : undefined;
  // Saved leaves the screen at once; the screen returned to says so.
  const finished = useRef(false);
  useEffect(() => {
    if (!message || finished.current) return;
    finished.current = true;
    onDone({ ok: true, message });
  }, [message, onDone]);

  useInput(
    (input, key) => {
      if (state.phase === 'saving' || state.phase === 'saved') return;
      if (key.escape) return onCancel();
      if (key.return) return dispatch({ type: 'submit' });
      if (key.backspace || key.delete) return dispatch({ type: 'erase' });
      if (key.ctrl && input === 'u') return dispatch({ type: 'clear' });
      if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow) return;
      if (key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return;
      dispatch({ type: 'type', chunk: input });
    },
    { isActive: active },
  );

  return (
    <Frame title={`Log in to ${provider.displayName}`} hints={EDIT_KEYS}>
      {/* An API-key account is its key: the same key again repairs it. */}
      {again ? <Text bold>{againLine(again, 'enter its API key again')}</Text> : null}
      <Text>Enter the API key for {provider.displayName} (type or paste it):</Text>
      <Text color={tone('muted')} wrap="truncate-end">
        endpoint {provider.apiUrl}
      </Text>
      <Box marginTop={1}>
        <Text bold>API key: </Text>
        <Text>{MASK.repeat(state.phase === 'saved' ? 0 : [...state.value].length)}</Text>
        {editing ? <Text inverse> </Text> : null}
      </Box>
      {state.phase === 'editing' && state.problem ? (
        <Text color={tone('bad')}>{state.problem}</Text>
      ) : null}
      {state.phase === 'saving' ? (
        <Text>
          <Spinner type="dots" /> Saving the key…
        </Text>
      ) : null}
      {message ? <Text color={tone('good')}>{message}</Text> : null}
    </Frame>
  );
}
