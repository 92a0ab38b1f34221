import { createContext, useContext } from 'react';
import type { Account } from '../src/accounts/registry.js';
import type { Clock } from '../src/clock.js';
import type { CcsPaths } from '../src/home.js';
import type { Logger } from '../src/log.js';
import type { ModelDefinition, ProviderDefinition } from '../src/providers/types.js';
import type { BrowserOutcome } from '../src/terminal/browser.js';

/**
 * What the screens' hooks need from the world outside React. The real
 * implementation (`default-services.ts`) binds these to the services in
 * src/; tests pass their own, so no module is mocked.
 */

export interface DeviceAuthorizationView {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresAt: number;
  intervalSec: number;
}

export type PollStatusView =
  | { type: 'waiting' }
  | { type: 'slow_down'; intervalSec: number }
  | { type: 'retrying'; reason: string; inMs: number };

export type LoginEventView =
  | { type: 'code'; authorization: DeviceAuthorizationView }
  | { type: 'status'; status: PollStatusView }
  | { type: 'user-info' };

export interface LoginRequest {
  provider: ProviderDefinition;
  nickname?: string;
  signal: AbortSignal;
  onEvent: (event: LoginEventView) => void;
}

/** A provider as the home screen lists it. */
export interface ListedProvider extends ProviderDefinition {
  /** A shipped preset that config.yaml does not define yet. */
  preset?: boolean;
}

export interface ApiKeyRequest {
  provider: ProviderDefinition;
  apiKey: string;
  nickname?: string;
}

/** Figures of the proxy behind a launched `claude`. */
export interface SessionStatsView {
  requests: number;
  errors: number;
  failovers: number;
  inputTokens: number;
  outputTokens: number;
}

/** Something the proxy or the refresh loop reported about an account. */
export type AccountNotice =
  | { type: 'cooling'; accountId: string; until: number }
  | { type: 'needs-login'; accountId: string; nickname: string }
  | { type: 'refreshed'; accountId: string };

/**
 * The launch issue's session (proxy + refresh loop) as the TUI sees it. One
 * exists per provider for as long as the app runs, created on first launch.
 */
export interface SessionHolder {
  /** Starts the session if needed and describes it. */
  prepare(provider: ProviderDefinition): Promise<{ proxyUrl: string }>;
  /** Runs claude with the terminal inherited; resolves with its exit code. */
  runClaude(providerId: string, args: readonly string[]): Promise<number>;
  stats(providerId: string): SessionStatsView | undefined;
  /** Account notices from every session; returns the unsubscribe. */
  subscribe(listener: (notice: AccountNotice) => void): () => void;
  closeAll(): Promise<void>;
}

export interface TuiServices {
  paths: CcsPaths;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  logger: Logger;
  /** Providers to show: built in, configured, then presets, with overrides applied. */
  loadProviders(): Promise<ListedProvider[]>;
  login(request: LoginRequest): Promise<{ account: Account; created: boolean }>;
  /** Stores an API key as an account of an `api-key` provider. */
  saveApiKey(request: ApiKeyRequest): Promise<{ account: Account; created: boolean }>;
  /** The models a provider offers (its `GET /models`, else its definition's list). */
  listModels?(provider: ProviderDefinition, signal: AbortSignal): Promise<ModelDefinition[]>;
  session: SessionHolder;
  /** Writes escape sequences straight to the terminal (OSC 52), past Ink. */
  writeRaw(data: string): void;
  /** Opens a browser when local; says why not over SSH or when it cannot. */
  openBrowser(url: string): Promise<BrowserOutcome>;
  isSsh: boolean;
  hyperlinks: boolean;
  color: boolean;
}

export const ServicesContext = createContext<TuiServices | null>(null);

export function useServices(): TuiServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices() needs a <ServicesContext.Provider> above it.');
  return services;
}
