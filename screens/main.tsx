import { createTuiServices } from '../hooks/default-services.js';
import type { TuiServices } from '../hooks/services.js';
import type { CommandContext } from '../src/commands/context.js';
import { describeError } from '../src/errors.js';
import { createTerminalScreen, type TerminalScreen } from '../src/terminal/screen.js';
import type { MountApp } from './mount-app.js';
import { initialNav, type LaunchSummary, type NavState } from './navigation.js';

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
  services: TuiServices = createTuiServices(ctx, {
    include: initial.screen === 'login' ? [initial.providerId] : [],
  }),
): Promise<number> {
  const screen = createTerminalScreen({
    stdin: ctx.stdin,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    describe: describeError,
  });
  const mountApp = await loadRenderer();
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
        { screen: 'home', providerId: outcome.providerId },
      ]);
    }
  } finally {
    // The terminal first: the user gets the shell back even if closing the
    // proxy takes a moment or fails.
    screen.restore();
    if (message) ctx.stdout.write(`${message}\n`);
    await services.session.closeAll();
  }
}

/** Variables that make Ink believe it runs in CI (npm's is-in-ci). */
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/**
 * Loads Ink and the app. Ink decides once, when it is first imported, whether
 * it runs in CI, and in CI it draws nothing until exit. Someone with CI set in
 * their shell who opens ccs on a terminal still wants to see it, so those
 * variables are hidden for the import and put back right after (claude is
 * started later with the environment as the user had it).
 */
async function loadRenderer(): Promise<MountApp> {
  const saved = CI_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const [name] of saved) delete process.env[name];
  const fetchProperty = hideFetch();
  try {
    return (await import('./mount-app.js')).mountApp;
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
    if (fetchProperty) Object.defineProperty(globalThis, 'fetch', fetchProperty);
  }
}

/**
 * Ink's layout engine (Yoga, compiled to WebAssembly) loads its binary, a
 * data: URL inlined in its code, with `fetch` whenever a global `fetch`
 * exists. In Node that first call builds the whole built-in fetch (undici):
 * tens of milliseconds before the first frame. Without the global, Yoga
 * decodes the same bytes itself. The global is hidden for the import and
 * put back as it was, for the code that does fetch (the login).
 */
function hideFetch(): PropertyDescriptor | undefined {
  const property = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (!property?.configurable) return undefined;
  Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true });
  return property;
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
