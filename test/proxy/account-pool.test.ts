import { describe, expect, it } from 'vitest';
import {
  AccountPool,
  type AccountSource,
  type PoolAccount,
  RATE_LIMIT_MAX_MS,
} from '../../src/proxy/account-pool.js';
import { ProxyHttpError } from '../../src/proxy/http.js';
import { manualClock } from './helpers.js';

function account(nickname: string, paused = false): PoolAccount {
  return { id: `${nickname}@example.com`, nickname, tokenPath: '', paused };
}

function pool(accounts: PoolAccount[], extra: { maxQueuePerAccount?: number } = {}) {
  const clock = manualClock();
  const source: AccountSource = { current: async () => accounts };
  const made = new AccountPool({
    source,
    clock,
    maxConcurrentPerAccount: 1,
    providerName: 'iFlow',
    providerId: 'iflow',
    ...extra,
  });
  return { pool: made, clock };
}

const none = new Set<string>();

describe('AccountPool', () => {
  it('doubles the rate-limit cooldown from 1 s up to 30 min, and a success resets it', () => {
    const { pool: p } = pool([account('ann')]);
    const waits = Array.from({ length: 13 }, () => p.rateLimited('ann@example.com'));
    expect(waits.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(waits.at(-1)).toBe(RATE_LIMIT_MAX_MS);
    p.succeeded('ann@example.com');
    expect(p.rateLimited('ann@example.com')).toBe(1000);
  });

  it('caps a huge Retry-After at 30 min', () => {
    const { pool: p } = pool([account('ann')]);
    expect(p.rateLimited('ann@example.com', 5 * 3600_000)).toBe(RATE_LIMIT_MAX_MS);
  });

  it('answers 529 overloaded when every queue is full', async () => {
    const { pool: p } = pool([account('ann')], { maxQueuePerAccount: 1 });
    const held = await p.acquire(none);
    const queued = p.acquire(none);
    const refused = await p.acquire(none).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProxyHttpError);
    expect(refused).toMatchObject({ status: 529, errorType: 'overloaded_error' });
    held.release();
    const next = await queued;
    expect(next.account.nickname).toBe('ann');
    next.release();
  });

  it('a waiting request that is aborted leaves the queue', async () => {
    const { pool: p } = pool([account('ann')]);
    const held = await p.acquire(none);
    const controller = new AbortController();
    const waiting = p.acquire(none, controller.signal);
    await new Promise((resolve) => setImmediate(resolve));
    expect(p.status()[0]!.queued).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toBeDefined();
    expect(p.status()[0]!.queued).toBe(0);
    held.release();
  });

  it('a queued request moves on when its account starts cooling', async () => {
    const { pool: p } = pool([account('ann')]);
    const held = await p.acquire(none);
    const waiting = p.acquire(none);
    p.rateLimited('ann@example.com', 5000);
    await expect(waiting).rejects.toMatchObject({ status: 429, retryAfterSec: 5 });
    held.release();
  });

  it('a freed account serves a request queued on another one', async () => {
    const { pool: p } = pool([account('ann'), account('bob')]);
    const a = await p.acquire(none);
    const b = await p.acquire(none);
    const waiting = p.acquire(none);
    b.release();
    expect((await waiting).account.nickname).toBe('bob');
    a.release();
  });

  it('skips paused accounts and says so when none is left', async () => {
    const { pool: p } = pool([account('ann', true)]);
    const refused = await p.acquire(none).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 401 });
    expect((refused as Error).message).toMatch(/ann paused/);
  });

  it('reports each account state for the TUI', async () => {
    const { pool: p, clock } = pool([account('ann'), account('bob'), account('cy', true)]);
    const lease = await p.acquire(none);
    p.coolDown('bob@example.com', 60_000, 'server');
    expect(p.status().map((s) => s.state)).toEqual(['busy', 'cooling', 'paused']);
    clock.advance(60_000);
    lease.release();
    expect(p.status().map((s) => s.state)).toEqual(['ready', 'ready', 'paused']);
  });
});
