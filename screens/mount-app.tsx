import { render } from 'ink';
import type { TuiServices } from '../hooks/services.js';
import type { CommandContext } from '../src/commands/context.js';
import { App } from './App.js';
import type { NavState, Outcome } from './navigation.js';

export type MountApp = typeof mountApp;

/**
 * Mounts the app with Ink and resolves with what the user chose (quit or
 * launch) once it has unmounted: nothing of it then renders, reads keys or
 * listens for resize.
 */
export function mountApp(
  ctx: CommandContext,
  services: TuiServices,
  state: NavState,
): Promise<Outcome> {
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
