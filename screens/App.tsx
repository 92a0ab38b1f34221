import { Box, Text, useApp, useInput } from 'ink';
import { useCallback, useContext, useEffect, useMemo, useReducer, useState } from 'react';
import { type ListedProvider, ServicesContext, type TuiServices } from '../hooks/services.js';
import { useProviders } from '../hooks/use-providers.js';
import { AccountsScreen } from './AccountsScreen.js';
import { Frame } from './components/Frame.js';
import { type KeyCapture, KeyCaptureContext } from './components/key-capture.js';
import { ColorContext } from './components/theme.js';
import { HelpScreen } from './HelpScreen.js';
import { HomeScreen } from './HomeScreen.js';
import { LaunchScreen } from './LaunchScreen.js';
import { LoginScreen } from './LoginScreen.js';
import { type NavAction, type NavState, navigationReducer, type Outcome } from './navigation.js';
import { SettingsScreen } from './SettingsScreen.js';

interface Props {
  services: TuiServices;
  initial: NavState;
  /** Called once, when the user quits or asks to launch; the app then exits. */
  onOutcome: (outcome: Outcome) => void;
}

export function App({ services, initial, onOutcome }: Props) {
  const [captures, setCaptures] = useState(0);
  const acquire = useCallback(() => {
    setCaptures((n) => n + 1);
    return () => setCaptures((n) => n - 1);
  }, []);
  const capture = useMemo<KeyCapture>(
    () => ({ capturing: captures > 0, acquire }),
    [captures, acquire],
  );
  return (
    <ServicesContext.Provider value={services}>
      <ColorContext.Provider value={services.color}>
        <KeyCaptureContext.Provider value={capture}>
          <Router initial={initial} onOutcome={onOutcome} />
        </KeyCaptureContext.Provider>
      </ColorContext.Provider>
    </ServicesContext.Provider>
  );
}

function Router({ initial, onOutcome }: Omit<Props, 'services'>) {
  const [state, dispatch] = useReducer(navigationReducer, initial);
  const { providers, error, reload } = useProviders();
  const { capturing } = useContext(KeyCaptureContext);
  const { exit } = useApp();

  useEffect(() => {
    if (!state.outcome) return;
    onOutcome(state.outcome);
    exit();
  }, [state.outcome, onOutcome, exit]);

  useInput((input, key) => {
    if (key.ctrl && input === 'c') return dispatch({ type: 'quit', code: 130 });
    if (capturing) return;
    if (input === '?') dispatch({ type: 'toggle-help' });
    else if (state.helpOpen && (key.escape || input === 'q')) dispatch({ type: 'toggle-help' });
  });

  // Help covers the screen without unmounting it, so nothing typed is lost.
  return (
    <Box flexDirection="column">
      <Box display={state.helpOpen ? 'none' : 'flex'}>
        <Screen
          state={state}
          dispatch={dispatch}
          providers={providers}
          error={error}
          reload={reload}
        />
      </Box>
      {state.helpOpen ? <HelpScreen /> : null}
    </Box>
  );
}

interface ScreenProps {
  state: NavState;
  dispatch: (action: NavAction) => void;
  providers: ListedProvider[] | null;
  error: string | null;
  /** Reads the providers again (an endpoint saved, a preset set up by a login). */
  reload: () => void;
}

function Screen({ state, dispatch, providers, error, reload }: ScreenProps) {
  const active = !state.helpOpen;
  const { route } = state;
  const notice = state.notice ? { notice: state.notice } : {};
  if (route.screen === 'home') {
    const open = (screen: 'accounts' | 'settings' | 'launch') => (providerId: string) =>
      dispatch({ type: 'open', route: { screen, providerId } });
    return (
      <HomeScreen
        providers={providers}
        active={active && providers !== null}
        {...(route.providerId ? { initialProviderId: route.providerId } : {})}
        {...notice}
        onSelect={(providerId) => dispatch({ type: 'select', providerId })}
        onLaunch={open('launch')}
        onAccounts={open('accounts')}
        onSettings={open('settings')}
        onLogin={(providerId) =>
          dispatch({ type: 'open', route: { screen: 'login', providerId, standalone: false } })
        }
        onQuit={() => dispatch({ type: 'quit' })}
      />
    );
  }

  const provider = providers?.find((p) => p.id === route.providerId);
  const back = () => dispatch({ type: 'back' });
  if (!provider) {
    const text = error ?? (providers ? `No provider is called "${route.providerId}".` : 'Loading…');
    return <Placeholder text={text} active={active} onBack={back} />;
  }
  const login = () =>
    dispatch({
      type: 'open',
      route: { screen: 'login', providerId: provider.id, standalone: false },
    });

  switch (route.screen) {
    case 'login':
      return (
        <LoginScreen
          key={`${provider.id}:${state.history.length}`}
          provider={provider}
          active={active}
          standalone={route.standalone}
          {...(route.nickname ? { nickname: route.nickname } : {})}
          {...(route.again ? { again: route.again } : {})}
          onCancel={back}
          onDone={(result) => {
            if (result.ok) reload();
            dispatch({ type: 'login-finished', ...result });
          }}
        />
      );
    case 'accounts':
      return (
        <AccountsScreen
          provider={provider}
          active={active}
          {...notice}
          onLogin={login}
          onLoginAgain={(again) =>
            dispatch({
              type: 'open',
              route: { screen: 'login', providerId: provider.id, again, standalone: false },
            })
          }
          onBack={back}
        />
      );
    case 'settings':
      return <SettingsScreen provider={provider} active={active} onSaved={reload} onBack={back} />;
    case 'launch':
      return (
        <LaunchScreen
          provider={provider}
          active={active}
          {...(route.summary ? { summary: route.summary } : {})}
          {...notice}
          onLaunch={() => dispatch({ type: 'launch', providerId: provider.id })}
          onLogin={login}
          onBack={back}
        />
      );
  }
}

function Placeholder(props: { text: string; active: boolean; onBack: () => void }) {
  const { text, active, onBack } = props;
  useInput(
    (input, key) => {
      if (input === 'q' || key.escape) onBack();
    },
    { isActive: active },
  );
  return (
    <Frame title="ccs" hints={[['q/esc', 'back']]}>
      <Text>{text}</Text>
    </Frame>
  );
}
