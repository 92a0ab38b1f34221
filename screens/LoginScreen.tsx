import { Text, useInput } from 'ink';
import type { ProviderDefinition } from '../src/providers/types.js';
import { ApiKeyLoginScreen } from './ApiKeyLoginScreen.js';
import { Frame } from './components/Frame.js';
import { DeviceCodeLoginScreen } from './DeviceCodeLoginScreen.js';
import type { LoginAgain } from './navigation.js';
import { KEYLESS_ACCOUNT, loginKind } from './provider-kind.js';

export interface LoginScreenProps {
  provider: ProviderDefinition;
  nickname?: string;
  /** The account the user chose to log in again: named, not passed to the login. */
  again?: LoginAgain;
  active: boolean;
  /**
   * Opened as `ccs <provider> --auth`: success ends the app and the message
   * is printed on the normal screen. Either way a login that succeeded calls
   * `onDone` at once with the message; inside the app the screen returned
   * to shows it.
   */
  standalone?: boolean;
  /**
   * The flow ended: logged in (`ok`, `message` naming the account), or the
   * user gave up after a failure.
   */
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
      // Inside the app the explanation was just read: no need to repeat it.
      if (key.return || key.escape || input === 'q')
        onDone({ ok: true, ...(standalone ? { message } : {}) });
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
