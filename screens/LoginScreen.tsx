import { Text, useInput } from 'ink';
import type { ProviderDefinition } from '../src/providers/types.js';
import { ApiKeyLoginScreen } from './ApiKeyLoginScreen.js';
import { Frame } from './components/Frame.js';
import { DeviceCodeLoginScreen } from './DeviceCodeLoginScreen.js';
import { KEYLESS_ACCOUNT, loginKind } from './provider-kind.js';

export interface LoginScreenProps {
  provider: ProviderDefinition;
  nickname?: string;
  active: boolean;
  /**
   * Opened as `ccs <provider> --auth`: success ends the app at once (the
   * message is printed on the normal screen). Inside the app the success
   * stays on screen until Enter, so what happened is never a blur.
   */
  standalone?: boolean;
  /** The flow ended: logged in (`ok`), or the user gave up after a failure. */
  onDone: (result: { ok: boolean; message?: string }) => void;
  /** Esc before it finished: whatever is in flight is cancelled first. */
  onCancel: () => void;
}

/** Logging in, as the provider's kind has it: a device code, an API key, or nothing. */
export function LoginScreen(props: LoginScreenProps) {
  switch (loginKind(props.provider)) {
    case 'device-code':
      return <DeviceCodeLoginScreen {...props} />;
    case 'api-key':
      return <ApiKeyLoginScreen {...props} />;
    case 'keyless':
      return <KeylessLogin {...props} />;
  }
}

function KeylessLogin({ provider, active, standalone, onDone }: LoginScreenProps) {
  const message = `${provider.displayName} takes no key: there is nothing to log in to.`;
  useInput(
    (input, key) => {
      if (key.return || key.escape || input === 'q') onDone({ ok: true, message });
    },
    { isActive: active },
  );
  return (
    <Frame title={`Log in to ${provider.displayName}`} hints={[['enter/esc', 'back']]}>
      <Text>{message}</Text>
      <Text>
        It is used through its one implicit account, {KEYLESS_ACCOUNT}
        {standalone ? '.' : ': press Enter to go back, then l to launch.'}
      </Text>
    </Frame>
  );
}
