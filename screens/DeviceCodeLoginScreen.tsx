import { Box, Text, useInput } from 'ink';
import Spinner from 'ink-spinner';
import { useEffect, useRef, useState } from 'react';
import { useServices } from '../hooks/services.js';
import { useCountdown } from '../hooks/use-countdown.js';
import { type LoginState, useDeviceLogin } from '../hooks/use-device-login.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { identityLabel } from '../src/accounts/identity.js';
import type { BrowserOutcome } from '../src/terminal/browser.js';
import { clipboardSequence } from '../src/terminal/escapes.js';
import { BigText } from './components/BigText.js';
import { Countdown } from './components/Countdown.js';
import { Frame } from './components/Frame.js';
import type { KeyHint } from './components/KeyHints.js';
import { Link } from './components/Link.js';
import { PollStatusLine } from './components/PollStatusLine.js';
import { QrCode } from './components/QrCode.js';
import { useTone } from './components/theme.js';

import type { LoginScreenProps as Props } from './LoginScreen.js';
import { againLine, namingAgain } from './login-again.js';

/**
 * Columns the left side takes at most: the countdown line (17 + a 40-cell
 * bar) is its widest part, wider than a 9-character code in block letters.
 */
const LEFT_COLUMN = 57;

const FINAL_KEYS: readonly KeyHint[] = [
  ['r', 'new code'],
  ['q/esc', 'back'],
];

function hintsFor(state: LoginState, ssh: boolean): readonly KeyHint[] {
  if (state.phase === 'waiting') {
    const keys: KeyHint[] = [['c', 'copy code']];
    if (!ssh) keys.push(['o', 'open browser']);
    keys.push(['esc', 'cancel']);
    return keys;
  }
  // Success is on screen only until the app has left it: no keys to offer.
  if (state.phase === 'success') return [];
  if (state.phase === 'requesting') return [['esc', 'cancel']];
  return FINAL_KEYS;
}

/**
 * RFC 8628 device-code login: the code, where to enter it, and the time left.
 * A provider defined by its issuer has its endpoints discovered first; what
 * goes wrong then names the issuer, since that is what the user configured.
 */
export function DeviceCodeLoginScreen(props: Props) {
  const { provider, nickname, again, active, onDone, onCancel } = props;
  const services = useServices();
  const tone = useTone();
  const { columns, rows } = useTerminalSize();
  const { state, cancel, retry } = useDeviceLogin(provider, nickname);
  const issuer = provider.auth.kind === 'device-code' ? provider.auth.issuer : undefined;
  const [flash, setFlash] = useState<string | null>(null);
  const authorization = state.phase === 'waiting' ? state.authorization : undefined;
  const msLeft = useCountdown(authorization?.expiresAt, services.clock);
  const totalMs = state.phase === 'waiting' ? state.authorization.expiresAt - state.receivedAt : 0;

  const successMessage =
    state.phase === 'success'
      ? namingAgain(
          `Logged in to ${provider.displayName} as ${state.account.nickname} ` +
            `(${identityLabel(state.account)}).`,
          state.account.id,
          again,
        )
      : undefined;

  // Success leaves the screen at once; the screen returned to names the account.
  const finished = useRef(false);
  useEffect(() => {
    if (!successMessage || finished.current) return;
    finished.current = true;
    onDone({ ok: true, message: successMessage });
  }, [successMessage, onDone]);

  useInput(
    (input, key) => {
      if (state.phase === 'waiting' || state.phase === 'requesting') {
        if (key.escape) {
          cancel();
          onCancel();
        } else if (input === 'c' && authorization) {
          services.writeRaw(clipboardSequence(authorization.userCode, services.env));
          setFlash('Code copied to the clipboard.');
        } else if (input === 'o' && authorization) {
          const url = authorization.verificationUriComplete ?? authorization.verificationUri;
          void services.openBrowser(url).then((outcome) => setFlash(browserMessage(outcome)));
        }
        return;
      }
      if (state.phase === 'success') return;
      if (input === 'r') {
        setFlash(null);
        retry();
      } else if (key.escape || input === 'q') {
        onDone({ ok: false });
      }
    },
    { isActive: active },
  );

  const message = flash ? { text: flash, tone: 'good' as const } : null;
  return (
    <Frame
      title={`Log in to ${provider.displayName}`}
      hints={hintsFor(state, services.isSsh)}
      message={message}
    >
      {again ? <Text bold>{againLine(again, 'approve as that user')}</Text> : null}
      {state.phase === 'requesting' ? (
        <Text>
          <Spinner type="dots" /> Asking {issuer ?? provider.displayName} for a code…
        </Text>
      ) : null}
      {authorization ? (
        <Box flexDirection="column">
          <Text>Open this page on any device and enter the code:</Text>
          <Link url={authorization.verificationUri} />
          <Box marginTop={1}>
            {/* A fixed width: a longer status line wraps inside it instead
                of pushing the QR code past the edge, where it would wrap. */}
            <Box
              flexDirection="column"
              width={Math.min(LEFT_COLUMN, columns - 2)}
              flexShrink={0}
              marginRight={4}
            >
              <BigText text={authorization.userCode} maxWidth={columns - 4} />
              <Text>
                Code: <Text bold>{authorization.userCode}</Text>
              </Text>
              <Box marginTop={1}>
                <Countdown msLeft={msLeft} totalMs={totalMs} width={columns} />
              </Box>
              {state.phase === 'waiting' ? (
                <PollStatusLine state={state} expired={msLeft <= 0} />
              ) : null}
            </Box>
            {authorization.verificationUriComplete ? (
              <QrCode
                text={authorization.verificationUriComplete}
                maxWidth={columns - 2 - LEFT_COLUMN - 4}
                maxHeight={rows - 9 - (again ? 1 : 0)}
              />
            ) : null}
          </Box>
        </Box>
      ) : null}
      {state.phase === 'success' ? <Text color={tone('good')}>{successMessage}</Text> : null}
      {state.phase === 'expired' ? (
        <Text color={tone('bad')}>
          Device code expired before authorization. Press r for a new code.
        </Text>
      ) : null}
      {state.phase === 'denied' ? (
        <Text color={tone('bad')}>The login was denied: {state.message} Press r to try again.</Text>
      ) : null}
      {state.phase === 'failed' ? (
        <Text color={tone('bad')}>{namingIssuer(state.message, issuer)} Press r to try again.</Text>
      ) : null}
      {state.phase === 'cancelled' ? <Text>Login cancelled.</Text> : null}
    </Frame>
  );
}

function browserMessage(outcome: BrowserOutcome): string {
  if (outcome === 'opened') return 'Opened the browser.';
  if (outcome === 'ssh')
    return 'Open the link on any device: over SSH ccs does not start a browser.';
  return `Could not open a browser (${outcome.failed}): open the link on any device.`;
}

/** A failure's message, with the issuer named when the message does not already. */
export function namingIssuer(message: string, issuer: string | undefined): string {
  if (!issuer || message.includes(issuer)) return message;
  return `${message} (issuer ${issuer})`;
}
