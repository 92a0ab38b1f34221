import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type LoginEvent, loginWithDeviceCode } from '../../src/auth/login.js';
import { type CcsPaths, ccsPaths } from '../../src/home.js';
import { iflowProvider } from '../../src/providers/iflow.js';
import type { ProviderDefinition } from '../../src/providers/types.js';
import type { Simulator } from '../../src/simulator/server.js';
import type { FakeClock } from './fake-clock.js';

export function simProvider(sim: Simulator): ProviderDefinition {
  return iflowProvider(sim.authUrl, sim.apiUrl);
}

/** POSTs to a `/_sim/` control route and returns its JSON; throws unless ok. */
export async function control(
  sim: Simulator,
  name: string,
  body: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(`${sim.url}/_sim/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok || json.ok !== true) {
    throw new Error(`/_sim/${name} failed: ${response.status} ${JSON.stringify(json)}`);
  }
  return json;
}

export interface SimSnapshot {
  accounts: { id: string; email: string; phone: string | null; apiKey: string }[];
  codes: { userCode: string; status: string }[];
  counters: Record<string, number>;
}

export async function simState(sim: Simulator): Promise<SimSnapshot> {
  const response = await fetch(`${sim.url}/_sim/state`);
  return (await response.json()) as SimSnapshot;
}

export async function tempHome(): Promise<{ paths: CcsPaths; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'ccs-auth-'));
  return { paths: ccsPaths(home), cleanup: () => rm(home, { recursive: true, force: true }) };
}

/** Waits for the code under test to go to sleep, then moves the clock on. */
export async function tick(clock: FakeClock, ms: number): Promise<void> {
  await clock.waitForSleepers();
  clock.advance(ms);
}

/**
 * Logs in through the real device flow, approving the code through the
 * control route once the client has made its first poll (manual clock).
 */
export async function loginThroughSim(
  sim: Simulator,
  clock: FakeClock,
  paths: CcsPaths,
  identity: Record<string, string>,
  nickname?: string,
) {
  const events: LoginEvent[] = [];
  let userCode = '';
  const result = loginWithDeviceCode({
    provider: simProvider(sim),
    paths,
    clock,
    ...(nickname ? { nickname } : {}),
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'code') userCode = event.authorization.userCode;
    },
  });
  await tick(clock, 5000);
  await clock.waitForSleepers();
  await control(sim, 'approve', { userCode, ...identity });
  clock.advance(5000);
  return { ...(await result), events };
}
