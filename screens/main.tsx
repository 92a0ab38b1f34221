import { render } from 'ink';
import { createTuiServices } from '../hooks/default-services.js';
import type { TuiServices } from '../hooks/services.js';
import type { CommandContext } from '../src/commands/context.js';
import { describeError } from '../src/errors.js';
import { createTerminalScreen, type TerminalScreen } from '../src/terminal/screen.js';
import { App } from './App.js';
import { initialNav, type LaunchSummary, type NavState, type Outcome } from './navigation.js';

/** Where the TUI opens (contract #5). */
export type TuiStart =
  | { screen: 'home' }
  | { screen: 'settings' }
  | { screen: 'login'; providerId: string; standalone: true; nickname?: string };

const DEFAULT_PROVIDER = 'iflow';

function startState(initial: TuiStart): NavState {
  if (initial.screen === 'home') return initialNav({ screen: 'home' });
  if (initial.screen === 'settings') {
    return initialNav({ screen: 'settings', providerId: DEFAULT_PROVIDER });
  }
  return initialNav({
    screen: 'login',
    providerId: initial.providerId,
    standalone: true,
    ...(initial.nickname ? { nickname: initial.nickname } : {}),
  });
}

/**
 * Runs the full-screen app until the user quits; resolves with the exit code.
 * The app is mounted with Ink on the alternate screen. To launch `claude` it
 * is unmounted (nothing renders, reads keys or listens for resize), the
 * terminal is handed over, and the app is mounted again with the summary,
 * while the session's proxy keeps serving in this process throughout.
 */
export async function runTui(
  ctx: CommandContext,
  initial: TuiStart,
  services: TuiServices = createTuiServices(ctx),
): Promise<number> {
  const screen = createTerminalScreen({
    stdin: ctx.stdin,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    describe: describeError,
  });
  screen.enter();
  let message: string | undefined;
  try {
    let state = startState(initial);
    for (;;) {
      const outcome = await mountApp(ctx, services, state);
      if (outcome.type === 'quit') {
        message = outcome.message;
        return outcome.code;
      }
      const summary = await handOff(screen, services, outcome.providerId, () => ctx.clock.now());
      state = initialNav({ screen: 'launch', providerId: outcome.providerId, summary }, [
        { screen: 'home' },
      ]);
    }
  } finally {
    await services.session.closeAll();
    screen.restore();
    if (message) ctx.stdout.write(`${message}\n`);
  }
}

function mountApp(ctx: CommandContext, services: TuiServices, state: NavState): Promise<Outcome> {
  let outcome: Outcome | undefined;
  const instance = render(
    <App services={services} initial={state} onOutcome={(o) => (outcome = o)} />,
    {
      stdin: ctx.stdin,
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      // Ctrl-C is a key like any other here, so the app can restore the
      // terminal on its way out; console output would tear the screen.
      exitOnCtrlC: false,
      patchConsole: false,
      incrementalRendering: false,
    },
  );
  // SIGTERM (or SIGINT sent by kill) reaches us through the command's signal.
  const onAbort = () => {
    outcome ??= { type: 'quit', code: 130 };
    instance.unmount();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) onAbort();
  const quit: Outcome = { type: 'quit', code: 0 };
  return instance
    .waitUntilExit()
    .then(() => outcome ?? quit)
    .finally(() => ctx.signal.removeEventListener('abort', onAbort));
}

/** Gives the terminal to `claude` and measures the run. */
async function handOff(
  screen: TerminalScreen,
  services: TuiServices,
  providerId: string,
  now: () => number,
): Promise<LaunchSummary> {
  const before = services.session.stats(providerId);
  const started = now();
  screen.suspend();
  let exitCode = 1;
  let error: string | undefined;
  try {
    exitCode = await services.session.runClaude(providerId, []);
  } catch (failure) {
    error = describeError(failure);
  } finally {
    screen.resume();
  }
  const after = services.session.stats(providerId);
  const delta = (key: keyof NonNullable<typeof after>) =>
    (after?.[key] ?? 0) - (before?.[key] ?? 0);
  return {
    exitCode,
    durationMs: now() - started,
    requests: delta('requests'),
    inputTokens: delta('inputTokens'),
    outputTokens: delta('outputTokens'),
    errors: delta('errors'),
    failovers: delta('failovers'),
    ...(error ? { error } : {}),
  };
}
