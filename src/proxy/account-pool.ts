import type { Clock } from '../clock.js';
import { endSentence } from '../errors.js';
import { ProxyHttpError } from './http.js';

/** An account as the pool routes to it. */
export interface PoolAccount {
  id: string;
  nickname: string;
  /** Absolute path of the token file; empty for a provider without accounts. */
  tokenPath: string;
  paused: boolean;
}

/** Where the pool gets the current account list (re-read when it changes). */
export interface AccountSource {
  current(): Promise<PoolAccount[]>;
}

export type RoutingStrategy = 'fill-first' | 'round-robin';

export interface Lease {
  readonly account: PoolAccount;
  /** Returns the slot; idempotent. */
  release(): void;
}

export interface AccountStatus {
  id: string;
  nickname: string;
  state: 'ready' | 'busy' | 'cooling' | 'paused' | 'needs-login';
  inFlight: number;
  queued: number;
  /** Epoch ms when a cooling account is usable again. */
  coolingUntil?: number;
  reason?: string;
}

export interface AccountPoolOptions {
  source: AccountSource;
  clock: Clock;
  strategy?: RoutingStrategy;
  /** Requests in flight per account; 0 means unlimited. */
  maxConcurrentPerAccount: number;
  maxQueuePerAccount?: number;
  providerName: string;
  /** The provider's id, as typed after `ccs` in the commands an error names. */
  providerId: string;
  /** Called when an account changes state (cooldown, needs login). */
  onChange?: (status: AccountStatus) => void;
}

/** Thrown by `acquire` when every account the request may use was already tried. */
export class AccountsExhaustedError extends Error {
  constructor() {
    super('Every usable account was tried.');
    this.name = 'AccountsExhaustedError';
  }
}

interface Health {
  coolingUntil: number;
  reason: string | undefined;
  /** The upstream's own words for the error behind the cooldown, if any. */
  detail: string | undefined;
  /** Consecutive rate limits without Retry-After, for the doubling back-off. */
  rateLimitStreak: number;
  needsLogin: boolean;
  inFlight: number;
  queue: Waiter[];
}

interface Waiter {
  exclude: ReadonlySet<string>;
  resolve(lease: Lease): void;
  reject(error: unknown): void;
  detach(): void;
}

type Selection =
  | { type: 'lease'; account: PoolAccount }
  | { type: 'wait'; account: PoolAccount }
  | { type: 'error'; error: Error };

export const RATE_LIMIT_BASE_MS = 1000;
export const RATE_LIMIT_MAX_MS = 30 * 60 * 1000;
export const FORBIDDEN_COOLDOWN_MS = 30 * 60 * 1000;
export const SERVER_ERROR_COOLDOWN_MS = 60 * 1000;

/**
 * Chooses an account for each upstream request and keeps per-account health:
 * cooldowns after rate limits and errors, needs-login after a refused refresh,
 * and the provider's limit of requests in flight per account with a bounded
 * queue. Time comes from the injected clock, so cooldowns are testable.
 */
export class AccountPool {
  private accounts: PoolAccount[] = [];
  private readonly health = new Map<string, Health>();
  private rotation = 0;
  private readonly maxQueue: number;

  constructor(private readonly opts: AccountPoolOptions) {
    this.maxQueue = opts.maxQueuePerAccount ?? 32;
  }

  /** A slot on an account not in `exclude`; waits in a queue when all are busy. */
  async acquire(exclude: ReadonlySet<string>, signal?: AbortSignal): Promise<Lease> {
    await this.reload();
    const selection = this.select(exclude);
    if (selection.type === 'lease') return this.lease(selection.account);
    if (selection.type === 'error') throw selection.error;
    return this.wait(selection.account, exclude, signal);
  }

  /** 429/449: Retry-After when given, else 1 s doubling up to 30 min. Returns the ms. */
  rateLimited(accountId: string, retryAfterMs?: number): number {
    const health = this.healthOf(accountId);
    let ms: number;
    if (retryAfterMs !== undefined && retryAfterMs > 0) {
      ms = Math.min(retryAfterMs, RATE_LIMIT_MAX_MS);
    } else {
      ms = Math.min(RATE_LIMIT_BASE_MS * 2 ** health.rateLimitStreak, RATE_LIMIT_MAX_MS);
      health.rateLimitStreak += 1;
    }
    this.coolDown(accountId, ms, 'rate limited');
    return ms;
  }

  /**
   * `detail` is the error's own message: when every account is cooling, the
   * client is told why, not only when (an unreachable endpoint stays named).
   */
  coolDown(accountId: string, ms: number, reason: string, detail?: string): void {
    const health = this.healthOf(accountId);
    health.coolingUntil = Math.max(health.coolingUntil, this.opts.clock.now() + ms);
    health.reason = reason;
    health.detail = detail;
    this.announce(accountId);
    // Waiters queued on this account may now go elsewhere, or learn all are cooling.
    this.pump();
  }

  markNeedsLogin(accountId: string): void {
    this.healthOf(accountId).needsLogin = true;
    this.announce(accountId);
    this.pump();
  }

  /** A success ends the rate-limit streak. */
  succeeded(accountId: string): void {
    const health = this.health.get(accountId);
    if (health) health.rateLimitStreak = 0;
  }

  status(): AccountStatus[] {
    return this.accounts.map((account) => this.statusOf(account));
  }

  private async reload(): Promise<void> {
    const next = await this.opts.source.current();
    if (next === this.accounts) return;
    this.accounts = next;
    // A new account or one that was unpaused may serve waiting requests.
    this.pump();
  }

  private healthOf(accountId: string): Health {
    let health = this.health.get(accountId);
    if (!health) {
      health = {
        coolingUntil: 0,
        reason: undefined,
        detail: undefined,
        rateLimitStreak: 0,
        needsLogin: false,
        inFlight: 0,
        queue: [],
      };
      this.health.set(accountId, health);
    }
    return health;
  }

  /** Clears needs-login when the account was logged in again (a new token file). */
  clearNeedsLogin(accountId: string): void {
    const health = this.health.get(accountId);
    if (health?.needsLogin) {
      health.needsLogin = false;
      this.announce(accountId);
      this.pump();
    }
  }

  /** Accounts currently marked as needing login (to check for a new login). */
  needingLogin(): PoolAccount[] {
    return this.accounts.filter((a) => this.health.get(a.id)?.needsLogin);
  }

  private isFree(health: Health): boolean {
    const max = this.opts.maxConcurrentPerAccount;
    return max <= 0 || health.inFlight < max;
  }

  private select(exclude: ReadonlySet<string>): Selection {
    const now = this.opts.clock.now();
    const usable = this.accounts.filter(
      (a) => !a.paused && !this.healthOf(a.id).needsLogin && !exclude.has(a.id),
    );
    if (usable.length === 0) return { type: 'error', error: this.noAccountError(exclude) };

    const healthy = usable.filter((a) => this.healthOf(a.id).coolingUntil <= now);
    if (healthy.length === 0) return { type: 'error', error: this.allCoolingError(usable, now) };

    const free = healthy.filter((a) => this.isFree(this.healthOf(a.id)));
    if (free.length > 0) return { type: 'lease', account: this.pick(free) };

    let shortest: PoolAccount | undefined;
    for (const account of healthy) {
      const length = this.healthOf(account.id).queue.length;
      if (length >= this.maxQueue) continue;
      if (!shortest || length < this.healthOf(shortest.id).queue.length) shortest = account;
    }
    if (shortest) return { type: 'wait', account: shortest };
    return {
      type: 'error',
      error: new ProxyHttpError(
        529,
        'overloaded_error',
        `Every ${this.opts.providerName} account is busy and ${this.maxQueue} requests ` +
          'are already waiting for each; try again shortly.',
      ),
    };
  }

  private pick(free: PoolAccount[]): PoolAccount {
    if (this.opts.strategy !== 'round-robin' || free.length === 1) return free[0]!;
    const order = this.accounts;
    for (let step = 0; step < order.length; step++) {
      const candidate = order[(this.rotation + step) % order.length]!;
      if (free.includes(candidate)) {
        this.rotation = (order.indexOf(candidate) + 1) % order.length;
        return candidate;
      }
    }
    return free[0]!;
  }

  private noAccountError(exclude: ReadonlySet<string>): Error {
    if (exclude.size > 0) return new AccountsExhaustedError();
    const name = this.opts.providerName;
    if (this.accounts.length === 0) {
      return new ProxyHttpError(
        401,
        'authentication_error',
        `No ${name} account is logged in. Run \`ccs ${this.opts.providerId} --auth\` to add one.`,
      );
    }
    const needLogin = this.accounts.filter((a) => this.healthOf(a.id).needsLogin);
    const paused = this.accounts.filter((a) => a.paused);
    const parts: string[] = [];
    if (needLogin.length > 0) {
      parts.push(`${needLogin.map((a) => a.nickname).join(', ')} must log in again`);
    }
    if (paused.length > 0) parts.push(`${paused.map((a) => a.nickname).join(', ')} paused`);
    return new ProxyHttpError(
      401,
      'authentication_error',
      `No usable ${name} account: ${parts.join('; ')}. ` +
        `Run \`ccs ${this.opts.providerId} --auth\` or unpause an account in \`ccs\`.`,
    );
  }

  private allCoolingError(usable: PoolAccount[], now: number): ProxyHttpError {
    const sorted = [...usable].sort(
      (a, b) => this.healthOf(a.id).coolingUntil - this.healthOf(b.id).coolingUntil,
    );
    const soonestMs = this.healthOf(sorted[0]!.id).coolingUntil - now;
    const list = sorted
      .map((a) => {
        const until = this.healthOf(a.id).coolingUntil;
        const clock = new Date(until).toISOString().slice(11, 19);
        return `${a.nickname} resets in ${formatWait(until - now)} (${clock} UTC)`;
      })
      .join(', ');
    const details = [...new Set(sorted.map((a) => this.healthOf(a.id).detail))]
      .filter((detail) => detail !== undefined)
      .map(endSentence);
    const why =
      details.length === 0
        ? ''
        : ` ${details.length === 1 ? 'Last error' : 'Errors'}: ${details.join(' ')}`;
    return new ProxyHttpError(
      429,
      'rate_limit_error',
      `All ${this.opts.providerName} accounts are cooling down: ${list}.${why}`,
      Math.max(1, Math.ceil(soonestMs / 1000)),
    );
  }

  private lease(account: PoolAccount): Lease {
    const health = this.healthOf(account.id);
    health.inFlight += 1;
    let released = false;
    return {
      account,
      release: () => {
        if (released) return;
        released = true;
        health.inFlight -= 1;
        this.pump();
      },
    };
  }

  private wait(
    account: PoolAccount,
    exclude: ReadonlySet<string>,
    signal: AbortSignal | undefined,
  ): Promise<Lease> {
    return new Promise<Lease>((resolve, reject) => {
      const queue = this.healthOf(account.id).queue;
      const onAbort = () => {
        waiter.detach();
        reject(signal?.reason ?? new Error('aborted'));
      };
      const waiter: Waiter = {
        exclude,
        resolve,
        reject,
        detach: () => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
    });
  }

  /** Hands free slots to waiting requests, oldest first per account. */
  private pump(): void {
    for (const account of this.accounts) {
      const queue = this.healthOf(account.id).queue;
      for (const waiter of [...queue]) {
        const selection = this.select(waiter.exclude);
        if (selection.type === 'wait') continue;
        waiter.detach();
        if (selection.type === 'lease') waiter.resolve(this.lease(selection.account));
        else waiter.reject(selection.error);
      }
    }
  }

  private statusOf(account: PoolAccount): AccountStatus {
    const health = this.healthOf(account.id);
    const now = this.opts.clock.now();
    let state: AccountStatus['state'] = 'ready';
    if (account.paused) state = 'paused';
    else if (health.needsLogin) state = 'needs-login';
    else if (health.coolingUntil > now) state = 'cooling';
    else if (!this.isFree(health)) state = 'busy';
    return {
      id: account.id,
      nickname: account.nickname,
      state,
      inFlight: health.inFlight,
      queued: health.queue.length,
      ...(state === 'cooling' ? { coolingUntil: health.coolingUntil } : {}),
      ...(health.reason && state === 'cooling' ? { reason: health.reason } : {}),
    };
  }

  private announce(accountId: string): void {
    const account = this.accounts.find((a) => a.id === accountId);
    if (account) this.opts.onChange?.(this.statusOf(account));
  }
}

/** "12 s", "3 min", "1 h 5 min": how long until an account resets. */
export function formatWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
