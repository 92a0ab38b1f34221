import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { chatRequests } from '../../src/simulator/chat.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import {
  addAccount,
  assertBuilt,
  baseEnv,
  runCcs,
  stopAll,
  type TempHome,
  tempHome,
} from '../launch/harness.js';

/*
 * The real Claude Code (installed by global-setup.ts) through the built ccs
 * against the simulator. Each test gets an empty HOME (claude -p runs with
 * one) and a fresh config home; CLAUDE_CODE_MAX_RETRIES=1 keeps claude's own
 * retries of an error short.
 */

let sim: Simulator;
let home: TempHome;
let workDir: string;

beforeAll(async () => {
  assertBuilt();
  sim = await startSimulator();
});
afterAll(() => sim.close());
beforeEach(async () => {
  home = await tempHome();
  workDir = path.join(home.dir, 'project');
  await mkdir(workDir);
  await fetch(`${sim.url}/_sim/faults/clear`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
});
afterEach(async () => {
  await stopAll();
  await home.cleanup();
});

async function control(route: string, body: unknown): Promise<void> {
  const response = await fetch(`${sim.url}/_sim/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

async function claude(args: string[], extraEnv: Record<string, string> = {}) {
  const env = baseEnv(home, sim, {
    CCS_CLAUDE_BIN: inject('claudeBin'),
    CLAUDE_CODE_MAX_RETRIES: '1',
    ...extraEnv,
  });
  const run = runCcs(['iflow', ...args], env, { cwd: workDir });
  const { code } = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Everything the upstream was sent in the chat requests since `since`. */
function upstreamText(since: number): string {
  return JSON.stringify(
    chatRequests(sim.state)
      .slice(since)
      .map((r) => r.body.messages),
  );
}

describe('the real claude through ccs iflow', () => {
  it('completes a plain turn', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const result = await claude(['-p', 'Please answer with the word pineapple.']);
    // stderr may carry claude's own note that it does not know the model's window.
    expect(result.stderr).not.toMatch(/^ccs|error/im);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('pineapple');
  });

  it('completes a tool round trip: Bash runs, the answer quotes its output', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const since = chatRequests(sim.state).length;
    const result = await claude(['-p', 'run: echo ccs-e2e-$((6 * 7))', '--allowedTools', 'Bash']);
    expect(result.code, result.stderr).toBe(0);
    // The simulator quotes the tool result; 42 only exists if bash really ran.
    expect(result.stdout).toContain('ccs-e2e-42');
    const requests = chatRequests(sim.state).slice(since);
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(upstreamText(since)).toContain('ccs-e2e-42');
  });

  it('sends the environment system message upstream (the working directory)', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const since = chatRequests(sim.state).length;
    const result = await claude(['-p', 'Where am I?']);
    expect(result.code, result.stderr).toBe(0);
    expect(upstreamText(since)).toContain(workDir);
  });

  it('answers from the next account when one is rate limited', async () => {
    const alice = await addAccount(sim, home.paths, 'alice@example.com');
    const bob = await addAccount(sim, home.paths, 'bob@example.com');
    await control('fault', { kind: 'chat_rate_limit', account: 'alice@example.com', times: null });
    const since = chatRequests(sim.state).length;

    const result = await claude(['-p', 'Please answer with the word mango.']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('mango');
    const served = chatRequests(sim.state).slice(since);
    // alice (the default) was asked first and refused; bob answered.
    expect(served[0]?.accountId).toBe(alice.accountId);
    expect(served.at(-1)?.accountId).toBe(bob.accountId);
  });

  it('reports a stream cut in the middle as an error', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    await control('fault', { kind: 'chat_cut', times: null, data: { afterChunks: 2 } });

    // Without this claude redoes a failed stream as a non-streaming request
    // (the next test); here the error itself must reach the user.
    const result = await claude(['-p', 'Please answer with a long sentence about rivers.'], {
      CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK: '1',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/API Error/);
    expect(result.stdout).not.toContain('You said');
  });

  it("lets claude's non-streaming retry answer a turn whose stream was cut", async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    await control('fault', { kind: 'chat_cut', times: 1, data: { afterChunks: 2 } });
    const since = chatRequests(sim.state).length;

    const result = await claude(['-p', 'Please answer with the word papaya.']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('papaya');
    const kinds = chatRequests(sim.state)
      .slice(since)
      .map((request) => request.body.stream === true);
    expect(kinds).toEqual([true, false]);
  });
});
