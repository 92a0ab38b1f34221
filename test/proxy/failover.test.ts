import { readFile, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { beforeEach, describe, expect, it } from 'vitest';
import { listAccounts, setAccountPaused, setDefaultAccount } from '../../src/accounts/registry.js';
import { createLogger } from '../../src/log.js';
import type { RefreshResult } from '../../src/proxy/messages.js';
import type { ProxyOptions } from '../../src/proxy/server.js';
import {
  addAccount,
  call,
  completeJson,
  eventNames,
  gate,
  jsonAnswer,
  manualClock,
  nextSummary,
  openStream,
  type ReceivedRequest,
  SECRET,
  setUpProxyWithUpstream,
  sseData,
  sseHead,
  streamText,
  textChunk,
  userRequest,
} from './helpers.js';

type Behaviour = (req: ReceivedRequest, res: ServerResponse) => void | Promise<void>;

let clock: ReturnType<typeof manualClock>;
/** Scripted answers per api key, used in order; the last one repeats. */
let script: Record<string, Behaviour[]>;

const ok: Behaviour = (_req, res) => completeJson(res, 'Hi');
const status =
  (code: number, headers: Record<string, string> = {}): Behaviour =>
  (_req, res) =>
    jsonAnswer(res, code, { error: { message: `upstream said ${code}` } }, headers);
const envelope =
  (code: string, msg: string): Behaviour =>
  (_req, res) =>
    jsonAnswer(res, 200, { status: code, msg });

const bed = setUpProxyWithUpstream({
  // Registry order: ann (default, first login), bob, cy.
  accounts: [
    ['ann@example.com', 'sk-ann', new Date('2026-01-01T00:00:00Z')],
    ['bob@example.com', 'sk-bob', new Date('2026-01-02T00:00:00Z')],
    ['cy@example.com', 'sk-cy', new Date('2026-01-03T00:00:00Z')],
  ],
  upstream: (req, res) => {
    const list = script[req.apiKey ?? ''] ?? [ok];
    const next = list.length > 1 ? list.shift()! : (list[0] ?? ok);
    return next(req, res);
  },
  proxy: false,
});

beforeEach(() => {
  clock = manualClock();
  script = {};
});

/** Which account served each upstream request, by api key. */
const served = () => bed.upstream.received.map((r) => r.apiKey);

const start = (extra: Partial<ProxyOptions> = {}) => bed.start({ clock, ...extra });

describe('account order and strategy', () => {
  it('fill-first uses the default account while it is healthy', async () => {
    const p = await start();
    for (let i = 0; i < 3; i++)
      expect((await call(p, '/v1/messages', userRequest('hi'))).status).toBe(200);
    expect(served()).toEqual(['sk-ann', 'sk-ann', 'sk-ann']);
  });

  it('the default account goes first, then the registry order', async () => {
    await setDefaultAccount(bed.paths, 'iflow', 'cy');
    script['sk-cy'] = [status(429, { 'retry-after': '5' })];
    const p = await start();
    await call(p, '/v1/messages', userRequest('hi'));
    expect(served()).toEqual(['sk-cy', 'sk-ann']);
  });

  it('round-robin rotates over the healthy accounts', async () => {
    const p = await start({ strategy: 'round-robin' });
    for (let i = 0; i < 4; i++) await call(p, '/v1/messages', userRequest('hi'));
    expect(served()).toEqual(['sk-ann', 'sk-bob', 'sk-cy', 'sk-ann']);
  });

  it('skips paused accounts and notices accounts.json changes', async () => {
    const p = await start();
    await setAccountPaused(bed.paths, 'iflow', 'ann@example.com', true);
    await call(p, '/v1/messages', userRequest('hi'));
    await setAccountPaused(bed.paths, 'iflow', 'ann@example.com', false);
    await call(p, '/v1/messages', userRequest('hi'));
    expect(served()).toEqual(['sk-bob', 'sk-ann']);
  });

  it('picks up an account added while the proxy runs', async () => {
    for (const key of ['sk-ann', 'sk-bob', 'sk-cy']) script[key] = [status(403)];
    const p = await start();
    const refused = await call(p, '/v1/messages', userRequest('hi'));
    expect(refused.status).toBe(429);
    await addAccount(bed.paths, 'dee@example.com', 'sk-dee', new Date('2026-01-04T00:00:00Z'));
    const answer = await call(p, '/v1/messages', userRequest('hi'));
    expect(answer.status).toBe(200);
    expect(served().at(-1)).toBe('sk-dee');
  });
});

describe('failover rules', () => {
  it('429 with Retry-After cools that account for that long and moves on', async () => {
    script['sk-ann'] = [status(429, { 'retry-after': '20' }), ok];
    const p = await start();
    const summary = nextSummary(p);
    const answer = await call(p, '/v1/messages', userRequest('hi'));
    expect(answer.status).toBe(200);
    expect(served()).toEqual(['sk-ann', 'sk-bob']);
    expect(await summary).toMatchObject({ account: 'bob', failovers: 1, status: 200 });
    expect(p.stats().failovers).toBe(1);

    const ann = p.accounts().find((a) => a.nickname === 'ann')!;
    expect(ann.state).toBe('cooling');
    expect(ann.coolingUntil).toBe(clock.now() + 20_000);

    await call(p, '/v1/messages', userRequest('hi'));
    expect(served().at(-1)).toBe('sk-bob');
    clock.advance(20_000);
    await call(p, '/v1/messages', userRequest('hi'));
    expect(served().at(-1)).toBe('sk-ann');
  });

  it('an iFlow 449 envelope (HTTP 200) is a rate limit: 1 s, then 2 s, doubling', async () => {
    script['sk-ann'] = [envelope('449', 'rate limit')];
    const p = await start();
    await call(p, '/v1/messages', userRequest('hi'));
    expect(served()).toEqual(['sk-ann', 'sk-bob']);
    expect(p.accounts()[0]!.coolingUntil).toBe(clock.now() + 1000);
    clock.advance(1000);
    await call(p, '/v1/messages', userRequest('hi'));
    expect(p.accounts()[0]!.coolingUntil).toBe(clock.now() + 2000);
    clock.advance(2000);
    await call(p, '/v1/messages', userRequest('hi'));
    expect(p.accounts()[0]!.coolingUntil).toBe(clock.now() + 4000);
  });

  it('when every account cools, a 429 names them and retry-after is the soonest', async () => {
    script['sk-ann'] = [status(429, { 'retry-after': '30' })];
    script['sk-bob'] = [status(429, { 'retry-after': '7' })];
    script['sk-cy'] = [status(429, { 'retry-after': '600' })];
    const p = await start();
    const answer = await call(p, '/v1/messages', userRequest('hi'));
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('7');
    const { error } = answer.json();
    expect(error.type).toBe('rate_limit_error');
    expect(error.message).toMatch(/bob resets in 7 s.*ann resets in 30 s.*cy resets in 10 min/);
    expect(served()).toEqual(['sk-ann', 'sk-bob', 'sk-cy']);

    // While they cool, nothing goes upstream.
    const again = await call(p, '/v1/messages', userRequest('hi'));
    expect(again.status).toBe(429);
    expect(served()).toHaveLength(3);
  });

  it('401 refreshes once and retries the same account', async () => {
    script['sk-ann'] = [status(401), ok];
    const refreshed: string[] = [];
    const p = await start({
      refresh: async (id): Promise<RefreshResult> => {
        refreshed.push(id);
        return { type: 'refreshed' };
      },
    });
    const answer = await call(p, '/v1/messages', userRequest('hi'));
    expect(answer.status).toBe(200);
    expect(refreshed).toEqual(['ann@example.com']);
    expect(served()).toEqual(['sk-ann', 'sk-ann']);
  });

  it('a 439 envelope refused again after the refresh: needs login, next account', async () => {
    script['sk-ann'] = [envelope('439', 'token expired')];
    const refreshed: string[] = [];
    const p = await start({
      refresh: async (id) => {
        refreshed.push(id);
        return { type: 'refreshed' };
      },
    });
    const answer = await call(p, '/v1/messages', userRequest('hi'));
    expect(answer.status).toBe(200);
    expect(served()).toEqual(['sk-ann', 'sk-ann', 'sk-bob']);
    expect(refreshed).toEqual(['ann@example.com']);
    expect(p.accounts()[0]).toMatchObject({ nickname: 'ann', state: 'needs-login' });

    await call(p, '/v1/messages', userRequest('hi'));
    expect(served().at(-1)).toBe('sk-bob');
    expect(refreshed).toHaveLength(1);
  });

  it('a refused refresh marks the account as needing login without retrying it', async () => {
    script['sk-ann'] = [status(401)];
    const p = await start({ refresh: async () => ({ type: 'needs-login' }) });
    await call(p, '/v1/messages', userRequest('hi'));
    expect(served()).toEqual(['sk-ann', 'sk-bob']);
    expect(p.accounts()[0]!.state).toBe('needs-login');
  });

  it('an account that needed login is used again once it logged in again', async () => {
    script['sk-ann'] = [status(401), ok];
    const p = await start({ refresh: async () => ({ type: 'needs-login' }) });
    await call(p, '/v1/messages', userRequest('hi'));
    await call(p, '/v1/messages', userRequest('hi'));
    expect(served()).toEqual(['sk-ann', 'sk-bob', 'sk-bob']);
    // A new login rewrites ann's token file (here with a new api key).
    await addAccount(bed.paths, 'ann@example.com', 'sk-ann2');
    await call(p, '/v1/messages', userRequest('hi'));
    expect(served().at(-1)).toBe('sk-ann2');
    expect(p.accounts()[0]).toMatchObject({ nickname: 'ann', state: 'ready' });
  });

  it('a refresh that cannot reach the auth server cools the account instead', async () => {
    script['sk-ann'] = [status(401)];
    const p = await start({ refresh: async () => ({ type: 'failed' }) });
    expect((await call(p, '/v1/messages', userRequest('hi'))).status).toBe(200);
    expect(served()).toEqual(['sk-ann', 'sk-bob']);
    expect(p.accounts()[0]).toMatchObject({ state: 'cooling', reason: 'refresh failed' });
  });

  it('skips an account whose token file is damaged, and leaves the file alone', async () => {
    const file = bed.paths.tokenFile('iflow', 'ann@example.com');
    await writeFile(file, '{"not": "a token file"');
    const p = await start();
    expect((await call(p, '/v1/messages', userRequest('hi'))).status).toBe(200);
    expect(served()).toEqual(['sk-bob']);
    expect(await readFile(file, 'utf8')).toBe('{"not": "a token file"');
  });

  it('every account needing login is a 401 that says what to run', async () => {
    for (const key of ['sk-ann', 'sk-bob', 'sk-cy']) script[key] = [status(401)];
    const p = await start({ refresh: async () => ({ type: 'needs-login' }) });
    const answer = await call(p, '/v1/messages', userRequest('hi'));
    expect(answer.status).toBe(401);
    expect(answer.json().error.message).toMatch(/ccs iflow --auth/);
  });

  it('403 cools the account for 30 minutes and moves on', async () => {
    script['sk-ann'] = [status(403)];
    const p = await start();
    expect((await call(p, '/v1/messages', userRequest('hi'))).status).toBe(200);
    expect(served()).toEqual(['sk-ann', 'sk-bob']);
    expect(p.accounts()[0]!.coolingUntil).toBe(clock.now() + 30 * 60_000);
  });

  it('5xx: one retry on the next account, 1 min cooldown, then the error', async () => {
    script['sk-ann'] = [status(502)];
    script['sk-bob'] = [status(500)];
    const p = await start();
    const answer = await call(p, '/v1/messages', userRequest('hi'));
    expect(answer.status).toBe(500);
    expect(answer.json()).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(served()).toEqual(['sk-ann', 'sk-bob']);
    expect(p.accounts()[0]!.coolingUntil).toBe(clock.now() + 60_000);
    expect(p.accounts()[1]!.coolingUntil).toBe(clock.now() + 60_000);
  });

  it('a connection error fails over like a 5xx', async () => {
    script['sk-ann'] = [
      (_req, res) => {
        res.socket?.destroy();
      },
    ];
    const p = await start();
    expect((await call(p, '/v1/messages', userRequest('hi'))).status).toBe(200);
    expect(served()).toEqual(['sk-ann', 'sk-bob']);
    expect(p.accounts()[0]!.state).toBe('cooling');
  });

  it('400 goes back to the client without failover', async () => {
    script['sk-ann'] = [status(400)];
    const p = await start();
    const answer = await call(p, '/v1/messages', userRequest('hi'));
    expect(answer.status).toBe(400);
    expect(answer.json().error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringMatching(/upstream said 400/),
    });
    expect(served()).toEqual(['sk-ann']);
    expect(p.accounts()[0]!.state).toBe('ready');
  });

  it('"Model not support" is not retried on other accounts', async () => {
    script['sk-ann'] = [envelope('435', 'Model not support')];
    const p = await start();
    const answer = await call(p, '/v1/messages', userRequest('hi'));
    expect(answer.status).toBe(400);
    expect(answer.json().error.message).toMatch(/does not support/);
    expect(served()).toEqual(['sk-ann']);
  });

  it('items 50/51: upstream errors map to Anthropic statuses and types', async () => {
    const p = await start();
    const cases: Array<[number, number, string]> = [
      [500, 500, 'api_error'],
      [502, 500, 'api_error'],
      [503, 529, 'overloaded_error'],
      [504, 504, 'timeout_error'],
    ];
    for (const [upstreamStatus, expected, type] of cases) {
      for (const key of ['sk-ann', 'sk-bob', 'sk-cy']) script[key] = [status(upstreamStatus)];
      const answer = await call(p, '/v1/messages', userRequest('hi', { stream: true }));
      expect(answer.status).toBe(expected);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.json()).toMatchObject({ type: 'error', error: { type } });
      clock.advance(60_000);
    }
  });

  it('item 50: a 429 before streaming is an HTTP 429 JSON error with capped retry-after', async () => {
    for (const key of ['sk-ann', 'sk-bob', 'sk-cy']) {
      script[key] = [status(429, { 'retry-after': '3600' })];
    }
    const p = await start();
    const answer = await call(p, '/v1/messages', userRequest('hi', { stream: true }));
    expect(answer.status).toBe(429);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    // The cap (retryAfterCapSec, 60 s by default): Claude Code waits as long as told.
    expect(Number(answer.headers['retry-after'])).toBe(60);
    expect(answer.json().error.message).toMatch(/ann resets in 30 min/);
    expect(answer.text).not.toMatch(/event:/);
    const again = await call(p, '/v1/messages', userRequest('hi', { stream: true }));
    expect(again.status).toBe(429);
    expect(Number(again.headers['retry-after'])).toBe(60);
  });

  it('item 50: the retry-after cap is configurable and a single 429 passes its own value', async () => {
    for (const key of ['sk-ann', 'sk-bob', 'sk-cy']) {
      script[key] = [status(429, { 'retry-after': '25' })];
    }
    const p = await start({ retryAfterCapSec: 10 });
    const answer = await call(p, '/v1/messages', userRequest('hi'));
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('10');
  });
});

describe('the commit point', () => {
  it('an error envelope as the first bytes of a stream fails over invisibly', async () => {
    script['sk-ann'] = [
      (_req, res) => {
        sseHead(res);
        res.end(sseData({ status: '449', msg: 'busy' }));
      },
    ];
    script['sk-bob'] = [(_req, res) => streamText(res, ['from ', 'bob'])];
    const p = await start();
    const frames = await (await openStream(p, userRequest('hi', { stream: true }))).rest();
    expect(served()).toEqual(['sk-ann', 'sk-bob']);
    const names = eventNames(frames.filter((f) => f.event !== 'ping'));
    expect(names.filter((n) => n === 'message_start')).toHaveLength(1);
    expect(names).not.toContain('error');
    expect(names.at(-1)).toBe('message_stop');
  });

  it('a JSON body answered to a stream request is before the commit point too', async () => {
    script['sk-ann'] = [envelope('449', 'busy')];
    const p = await start();
    const frames = await (await openStream(p, userRequest('hi', { stream: true }))).rest();
    expect(served()).toEqual(['sk-ann', 'sk-bob']);
    expect(eventNames(frames).at(-1)).toBe('message_stop');
  });

  it('an empty 200 answer fails over', async () => {
    script['sk-ann'] = [
      (_req, res) => {
        sseHead(res);
        res.end();
      },
    ];
    const p = await start();
    const stream = await openStream(p, userRequest('hi', { stream: true }));
    const frames = await stream.rest();
    expect(stream.status).toBe(200);
    expect(served()).toEqual(['sk-ann', 'sk-bob']);
    expect(eventNames(frames).at(-1)).toBe('message_stop');
  });

  it('after the commit point there is no failover, only an error event', async () => {
    script['sk-ann'] = [
      (_req, res) => {
        sseHead(res);
        res.write(sseData(textChunk('partial')));
        res.end(sseData({ error: { message: 'quota exceeded', code: 429 } }));
      },
    ];
    const p = await start();
    const frames = await (await openStream(p, userRequest('hi', { stream: true }))).rest();
    expect(served()).toEqual(['sk-ann']);
    expect(frames.at(-1)!.event).toBe('error');
  });
});

describe('one request in flight per account', () => {
  it('a second request takes another free account', async () => {
    const release = gate();
    script['sk-ann'] = [
      async (_req, res) => {
        await release.wait;
        completeJson(res, 'slow');
      },
      ok,
    ];
    const p = await start();
    const first = call(p, '/v1/messages', userRequest('one'));
    await waitFor(() => bed.upstream.received.length === 1);
    const second = await call(p, '/v1/messages', userRequest('two'));
    expect(second.status).toBe(200);
    release.open();
    expect((await first).status).toBe(200);
    expect(served()).toEqual(['sk-ann', 'sk-bob']);
  });

  it('with one free account, requests queue and never overlap upstream', async () => {
    await setAccountPaused(bed.paths, 'iflow', 'bob@example.com', true);
    await setAccountPaused(bed.paths, 'iflow', 'cy@example.com', true);
    let inFlight = 0;
    let most = 0;
    const release = gate();
    script['sk-ann'] = [
      async (_req, res) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await release.wait;
        inFlight--;
        completeJson(res, 'ok');
      },
    ];
    const p = await start();
    const answers = [1, 2, 3].map((n) => call(p, '/v1/messages', userRequest(`n${n}`)));
    await waitFor(() => bed.upstream.received.length === 1);
    expect(p.accounts()[0]).toMatchObject({ state: 'busy', inFlight: 1, queued: 2 });
    release.open();
    for (const answer of await Promise.all(answers)) expect(answer.status).toBe(200);
    expect(most).toBe(1);
    expect(served()).toEqual(['sk-ann', 'sk-ann', 'sk-ann']);
  });
});

describe('the bounded queue', () => {
  it('past 32 waiting requests per account the proxy answers 529 overloaded_error', async () => {
    await setAccountPaused(bed.paths, 'iflow', 'bob@example.com', true);
    await setAccountPaused(bed.paths, 'iflow', 'cy@example.com', true);
    const release = gate();
    script['sk-ann'] = [
      async (_req, res) => {
        await release.wait;
        completeJson(res, 'ok');
      },
    ];
    const p = await start();
    const first = call(p, '/v1/messages', userRequest('first'));
    await waitFor(() => bed.upstream.received.length === 1);
    const queued = Array.from({ length: 32 }, (_, n) =>
      call(p, '/v1/messages', userRequest(`q${n}`)),
    );
    await waitFor(() => p.accounts()[0]!.queued === 32);
    const refused = await call(p, '/v1/messages', userRequest('one too many'));
    expect(refused.status).toBe(529);
    expect(refused.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(refused.json().error.message).toMatch(/32 requests are already waiting/);

    release.open();
    for (const answer of await Promise.all([first, ...queued])) expect(answer.status).toBe(200);
    expect(bed.upstream.received).toHaveLength(33);
  });
});

describe('lastUsedAt', () => {
  it('records when an account answered, at most once a minute', async () => {
    const p = await start();
    await call(p, '/v1/messages', userRequest('hi'));
    await bed.stop();
    const [ann] = await listAccounts(bed.paths, 'iflow');
    expect(ann?.lastUsedAt).toBe(new Date(clock.now()).toISOString());
  });
});

describe('logging', () => {
  it('writes one line per request with nickname and status, and no secret', async () => {
    const file = `${bed.paths.logsDir}/ccs.log`;
    script['sk-ann'] = [status(429, { 'retry-after': '2' })];
    const p = await start({ logger: createLogger({ file, level: 'info' }) });
    const summary = nextSummary(p);
    await call(p, '/v1/messages', userRequest('a secret prompt'), {
      authorization: `Bearer ${SECRET}`,
    });
    await summary;
    const log = await readFile(file, 'utf8');
    const lines = log.split('\n').filter((line) => line.includes('proxy request'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/"account":"bob"/);
    expect(lines[0]).toMatch(/"failovers":1/);
    expect(lines[0]).toMatch(/"status":200/);
    const line = JSON.parse(lines[0]!.slice(lines[0]!.indexOf('{')));
    expect(line).toMatchObject({ model: 'qwen3-coder-plus', inputTokens: 10, outputTokens: 2 });
    expect(typeof line.durationMs).toBe('number');
    for (const secret of ['sk-ann', 'sk-bob', SECRET, 'a secret prompt']) {
      expect(log).not.toContain(secret);
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
