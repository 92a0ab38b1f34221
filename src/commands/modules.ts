import type { Account } from '../accounts/registry.js';
import type { Clock } from '../clock.js';
import type { CcsPaths } from '../home.js';
import type { ProviderDefinition } from '../providers/types.js';
import type { CommandContext } from './context.js';

/*
 * The modules the CLI hands over to, typed by the shared contracts (#5, #2)
 * and loaded only when a command needs them, so `--accounts` and friends
 * never load React, Ink, the proxy or the OAuth client.
 */

export type TuiStart =
  | { screen: 'home' }
  | { screen: 'settings' }
  | { screen: 'login'; providerId: string; standalone: true; nickname?: string };

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Epoch ms. */
  expiresAt: number;
  intervalSec: number;
}

export type PollStatus =
  | { type: 'waiting' }
  | { type: 'slow_down'; intervalSec: number }
  | { type: 'retrying'; reason: string; inMs: number };

export type LoginEvent =
  | { type: 'code'; authorization: DeviceAuthorization }
  | { type: 'status'; status: PollStatus }
  | { type: 'user-info' };

export interface LoginOptions {
  provider: ProviderDefinition;
  paths: CcsPaths;
  nickname?: string;
  signal?: AbortSignal;
  clock?: Clock;
  fetch?: typeof fetch;
  onEvent: (event: LoginEvent) => void;
}

interface LoginModule {
  loginWithDeviceCode(options: LoginOptions): Promise<{ account: Account; created: boolean }>;
}
interface TuiModule {
  runTui(ctx: CommandContext, initial: TuiStart): Promise<number>;
}
interface SimulatorModule {
  runSimulatorCommand(ctx: CommandContext, args: string[]): Promise<number>;
}
interface DemoModule {
  runDemo(ctx: CommandContext): Promise<number>;
}

// A specifier held in a variable keeps tsc from resolving the module at compile
// time; import() still resolves it relative to this file.
async function load<T>(specifier: string): Promise<T> {
  return (await import(specifier)) as T;
}

export const loadLogin = () => load<LoginModule>('../auth/login.js');
export const loadTui = () => load<TuiModule>('../../screens/main.js');
export const loadSimulator = () => load<SimulatorModule>('./simulator.js');
export const loadDemo = () => load<DemoModule>('./demo.js');
