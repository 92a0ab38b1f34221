import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAccounts } from '../../src/accounts/registry.js';
import { readTokenFile } from '../../src/accounts/token-store.js';
import { createSession, runClaude, type SessionEvent } from '../../src/launch/session.js';
import { resolveProvider } from '../../src/providers/registry.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import {
  addAccount,
  FAKE_CLAUDE,
  readRecord,
  refusesConnections,
  type TempHome,
  tempHome,
  waitForFileState,
} from './harness.js';

let sim: Simulator;
let home: TempHome;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());
beforeEach(async () => {
  home = await tempHome();
});
afterEach(() => home.cleanup());

function iflow() {
  return resolveProvider(
    'iflow',
    { providers: {} },
    {
      CCS_IFLOW_AUTH_URL: sim.authUrl,
      CCS_IFLOW_API_URL: sim.apiUrl,
    },
  );
}

async function session() {
  return createSession({
    provider: iflow(),
    paths: home.paths,
    settings: { env: { ANTHROPIC_MODEL: 'qwen3-coder-plus', ANTHROPIC_MAX_TOKENS: '8192' } },
    claudeBin: FAKE_CLAUDE,
    env: { PATH: process.env.PATH ?? '' },
  });
}

describe('createSession (what the TUI launch screen holds)', () => {
  it('serves its secret only, reports requests as events, and closes idempotently', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const s = await session();
    const events: SessionEvent[] = [];
    s.onEvent((event) => events.push(event));

    const ask = (token: string) =>
      fetch(`${s.proxyUrl}/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'qwen3-coder-plus',
          max_tokens: 16,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      });
    expect((await ask(s.secret)).status).toBe(200);
    expect((await ask('guess')).status).toBe(401);
    expect(s.stats().requests).toBeGreaterThanOrEqual(1);
    expect(events.some((e) => e.source === 'proxy' && e.event.type === 'request')).toBe(true);

    const env = s.childEnv();
    expect(env.ANTHROPIC_BASE_URL).toBe(s.proxyUrl);
    expect(env.ANTHROPIC_AUTH_TOKEN).toBe(s.secret);
    expect(env.PATH).toBe(process.env.PATH ?? '');

    await Promise.all([s.close(), s.close()]);
    expect(await refusesConnections(Number(new URL(s.proxyUrl).port))).toBe(true);
  });

  it('runs the refresh loop while it serves: a due account is refreshed', async () => {
    // Two days old and expiring within the day: due as the session starts.
    const now = Date.now();
    await addAccount(sim, home.paths, 'alice@example.com', {
      expiredAt: new Date(now + 3_600_000),
      lastRefresh: new Date(now - 2 * 86_400_000),
    });
    const [account] = await listAccounts(home.paths, 'iflow');
    const before = await readTokenFile(account!.tokenPath);
    const refreshesBefore = sim.state.counters.refresh ?? 0;

    const s = await session();
    try {
      const refreshed = new Promise<SessionEvent>((resolve) =>
        s.onEvent((event) => {
          if (event.source === 'refresh' && event.event.type === 'refreshed') resolve(event);
        }),
      );
      const event = await refreshed;
      expect(event.source === 'refresh' && event.event.accountId).toBe(account!.id);
      expect(sim.state.counters.refresh).toBe(refreshesBefore + 1);

      const after = await readTokenFile(account!.tokenPath);
      expect(after?.refresh_token).not.toBe(before?.refresh_token);
      expect(Date.parse(after!.expired)).toBeGreaterThan(Date.parse(before!.expired));

      const answer = await fetch(`${s.proxyUrl}/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'qwen3-coder-plus',
          max_tokens: 16,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      });
      expect(answer.status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('runClaude forwards the signals it is given and returns 128 + n', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const s = await session();
    const record = path.join(home.dir, 'record.json');
    const signals = new EventEmitter();
    try {
      const running = runClaude(s, ['--flag'], {
        env: { PATH: process.env.PATH ?? '', FAKE_CLAUDE_WAIT: '1', FAKE_CLAUDE_RECORD: record },
        signals,
      });
      await waitForFileState(home.dir, async () => existsSync(record));
      expect(signals.listenerCount('SIGINT')).toBe(1);
      signals.emit('SIGTERM');
      expect(await running).toBe(143);
      expect((await readRecord(record)).argv).toEqual(['--flag']);
      // Nothing is left listening once claude is gone.
      expect(signals.eventNames()).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
