import type { Clock } from '../clock.js';
import { IFLOW_CLIENT_ID } from '../providers/iflow.js';
import { createRandom, maskPhone, newToken, newUserCode } from './ids.js';

/**
 * A switchable misbehaviour. `kind` names it (the auth kinds are listed in
 * AUTH_FAULT_KINDS; the chat half defines its own), `times` is how many more
 * requests it hits (absent: until cleared), `data` carries kind-specific
 * details such as a status code or a message.
 */
export interface Fault {
  kind: string;
  times?: number;
  data?: Record<string, unknown>;
}

/**
 * Auth faults: `<endpoint>_<effect>`. Endpoints: `device_code` (POST
 * /oauth/device/code), `token` (device-code grant), `refresh` (refresh grant),
 * `userinfo`. Effects: `network` (socket closed without an answer),
 * `server_error` (HTTP 503), `success_false` (HTTP 200 `{success:false}`).
 */
export const AUTH_FAULT_KINDS = ['device_code', 'token', 'refresh', 'userinfo'].flatMap(
  (endpoint) => ['network', 'server_error', 'success_false'].map((e) => `${endpoint}_${e}`),
);

export interface SimAccount {
  /** Stable for the account's life; the api key may rotate, this does not. */
  id: string;
  apiKey: string;
  /** Empty for a phone-only account. */
  email: string;
  /** Masked, `138****5678`. */
  phone?: string;
  faults: Fault[];
}

export type DeviceCodeStatus = 'pending' | 'approved' | 'denied' | 'consumed';

export interface DeviceCodeEntry {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scope: string;
  issuedAt: number;
  expiresAt: number;
  /** The polling interval the server enforces for this code, in seconds. */
  intervalSec: number;
  lastPollAt?: number;
  status: DeviceCodeStatus;
  /** Set on approval. */
  accountId?: string;
}

export interface SimConfig {
  clientId: string;
  codeLifetimeSec: number;
  intervalSec: number;
  accessTokenLifetimeSec: number;
  /**
   * How a refused refresh is answered: RFC 6749 `400 invalid_grant`, or the
   * HTTP 200 `{"success":false,"message":…}` iFlow sometimes sent.
   */
  refusalStyle: 'oauth' | 'success-false';
}

export interface TokenRecord {
  accountId: string;
  expiresAt: number;
}

export interface RefreshTokenRecord {
  accountId: string;
  status: 'active' | 'used' | 'revoked';
}

export interface SimulatorState {
  readonly clock: Clock;
  readonly random: () => number;
  config: SimConfig;
  /** Keyed by api key (what the chat API authenticates with). */
  accounts: Map<string, SimAccount>;
  /** Keyed by device code. */
  deviceCodes: Map<string, DeviceCodeEntry>;
  accessTokens: Map<string, TokenRecord>;
  refreshTokens: Map<string, RefreshTokenRecord>;
  /** Faults not tied to one account. */
  faults: Fault[];
  /** Requests served, by name (`device_code`, `token`, `refresh`, `userinfo`, …). */
  counters: Record<string, number>;
  nextAccountNumber: number;
}

export interface StateOptions {
  clock: Clock;
  seed?: number;
  config?: Partial<SimConfig>;
}

export const DEFAULT_SIM_CONFIG: SimConfig = {
  clientId: IFLOW_CLIENT_ID,
  codeLifetimeSec: 600,
  intervalSec: 5,
  // Two days, so the "24 h before expiry" refresh rule is the one that applies.
  accessTokenLifetimeSec: 2 * 24 * 3600,
  refusalStyle: 'oauth',
};

export function createSimulatorState(options: StateOptions): SimulatorState {
  return {
    clock: options.clock,
    random: createRandom(options.seed ?? 20260417),
    config: { ...DEFAULT_SIM_CONFIG, ...options.config },
    accounts: new Map(),
    deviceCodes: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    faults: [],
    counters: {},
    nextAccountNumber: 1,
  };
}

export function count(state: SimulatorState, name: string): void {
  state.counters[name] = (state.counters[name] ?? 0) + 1;
}

export function accountById(state: SimulatorState, id: string): SimAccount | undefined {
  for (const account of state.accounts.values()) if (account.id === id) return account;
  return undefined;
}

/** An account named by its api key, e-mail or id (control routes accept any). */
export function findAccount(state: SimulatorState, ref: string): SimAccount | undefined {
  const byKey = state.accounts.get(ref);
  if (byKey) return byKey;
  for (const account of state.accounts.values()) {
    if (account.id === ref || (account.email !== '' && account.email === ref)) return account;
  }
  return undefined;
}

export interface IdentityInput {
  email?: string;
  phone?: string;
  apiKey?: string;
}

/**
 * The account an approval logs in as, created on first use. An explicit api
 * key picks (or creates) exactly that account; otherwise the e-mail decides,
 * and a phone-only identity matches an e-mail-less account with the same mask.
 */
export function accountFor(state: SimulatorState, input: IdentityInput): SimAccount {
  const email = input.email?.trim() ?? '';
  const phone = input.phone?.trim() ? maskPhone(input.phone) : undefined;
  const apiKey = input.apiKey?.trim();

  let account = apiKey ? state.accounts.get(apiKey) : undefined;
  if (!account && !apiKey) {
    account = [...state.accounts.values()].find((a) =>
      email ? a.email === email : a.email === '' && a.phone === phone,
    );
  }
  if (account) {
    if (phone) account.phone = phone;
    return account;
  }

  const created: SimAccount = {
    id: `acct-${state.nextAccountNumber++}`,
    apiKey: apiKey || newToken(state.random, 'sk-sim-'),
    email,
    ...(phone ? { phone } : {}),
    faults: [],
  };
  state.accounts.set(created.apiKey, created);
  return created;
}

/** Gives an account a new api key; chat requests with the old one fail. */
export function rotateApiKey(state: SimulatorState, account: SimAccount, apiKey?: string): void {
  state.accounts.delete(account.apiKey);
  account.apiKey = apiKey || newToken(state.random, 'sk-sim-');
  state.accounts.set(account.apiKey, account);
}

export function issueDeviceCode(
  state: SimulatorState,
  clientId: string,
  scope: string,
): DeviceCodeEntry {
  const now = state.clock.now();
  // Forget codes that expired long ago, so a simulator left running stays small.
  for (const [deviceCode, entry] of state.deviceCodes) {
    if (entry.expiresAt < now - 3600_000) state.deviceCodes.delete(deviceCode);
  }
  let userCode = newUserCode(state.random);
  const taken = new Set([...state.deviceCodes.values()].map((c) => c.userCode));
  while (taken.has(userCode)) userCode = newUserCode(state.random);
  const entry: DeviceCodeEntry = {
    deviceCode: newToken(state.random, 'dc-', 40),
    userCode,
    clientId,
    scope,
    issuedAt: now,
    expiresAt: now + state.config.codeLifetimeSec * 1000,
    intervalSec: state.config.intervalSec,
    status: 'pending',
  };
  state.deviceCodes.set(entry.deviceCode, entry);
  return entry;
}

export function codeByUserCode(
  state: SimulatorState,
  userCode: string,
): DeviceCodeEntry | undefined {
  for (const entry of state.deviceCodes.values()) if (entry.userCode === userCode) return entry;
  return undefined;
}

export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: 'bearer';
  scope: string;
}

export function issueTokens(
  state: SimulatorState,
  account: SimAccount,
  scope: string,
): IssuedTokens {
  const lifetime = state.config.accessTokenLifetimeSec;
  const accessToken = newToken(state.random, 'at-');
  const refreshToken = newToken(state.random, 'rt-');
  state.accessTokens.set(accessToken, {
    accountId: account.id,
    expiresAt: state.clock.now() + lifetime * 1000,
  });
  state.refreshTokens.set(refreshToken, { accountId: account.id, status: 'active' });
  return {
    access_token: accessToken,
    refresh_token: refreshToken,
    expires_in: lifetime,
    token_type: 'bearer',
    scope,
  };
}

/** Revokes every active refresh token of the account; returns how many. */
export function revokeRefreshTokens(state: SimulatorState, account: SimAccount): number {
  let revoked = 0;
  for (const record of state.refreshTokens.values()) {
    if (record.accountId === account.id && record.status === 'active') {
      record.status = 'revoked';
      revoked++;
    }
  }
  return revoked;
}

/**
 * Consumes one use of the first armed fault of `kind`, looking at the
 * account's faults first. Returns the fault, or undefined when none is armed.
 */
export function takeFault(
  state: SimulatorState,
  kind: string,
  account?: SimAccount,
): Fault | undefined {
  for (const list of account ? [account.faults, state.faults] : [state.faults]) {
    const index = list.findIndex((fault) => fault.kind === kind);
    if (index === -1) continue;
    const fault = list[index]!;
    if (fault.times !== undefined) {
      fault.times--;
      if (fault.times <= 0) list.splice(index, 1);
    }
    return fault;
  }
  return undefined;
}
