import type { CommandContext } from './context.js';

/*
 * The TUI's entry points, typed by shared contract #5 and loaded only when a
 * command needs them, so nothing else ever loads React or Ink. The other
 * commands' modules are imported by literal dynamic import in run.ts.
 */

export type TuiStart =
  | { screen: 'home' }
  | { screen: 'settings' }
  | { screen: 'login'; providerId: string; standalone: true; nickname?: string };

interface TuiModule {
  runTui(ctx: CommandContext, initial: TuiStart): Promise<number>;
}
interface DemoModule {
  runDemo(ctx: CommandContext): Promise<number>;
}

// A specifier held in a variable keeps tsc from resolving the module at compile
// time; import() still resolves it relative to this file.
async function load<T>(specifier: string): Promise<T> {
  return (await import(specifier)) as T;
}

export const loadTui = () => load<TuiModule>('../../screens/main.js');
export const loadDemo = () => load<DemoModule>('./demo.js');
