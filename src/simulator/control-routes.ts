/**
 * Control routes of the simulator, for tests and demos. JSON in, JSON out;
 * errors are `{"ok": false, "error": "…"}` with 400 (bad body), 404 (unknown
 * code or account) or 409 (code expired or already decided). `account` below
 * is an account's e-mail, api key or id (`acct-1`).
 *
 *   GET  /_sim/state
 *        -> {"config": {...}, "accounts": [{"id","email","phone","apiKey","faults"}],
 *            "codes": [{"userCode","status","expiresAt","intervalSec","accountId"}],
 *            "faults": [...], "counters": {"device_code","token","refresh","userinfo",…}}
 *   POST /_sim/approve  {"userCode": "ABCD-EFGH", "email"?: "a@b.c", "phone"?: "13812345678",
 *                        "apiKey"?: "sk-…"}            -> {"ok": true, "account": {...}}
 *        (no identity at all approves as demo@example.com; a phone without an e-mail
 *        is a phone-only account, masked like 138****5678; the same mask with another
 *        apiKey is another account)
 *   POST /_sim/deny     {"userCode": "ABCD-EFGH"}       -> {"ok": true}
 *   POST /_sim/config   {"codeLifetimeSec"?: 600, "intervalSec"?: 5,
 *                        "accessTokenLifetimeSec"?: 172800,
 *                        "refusalStyle"?: "oauth" | "success-false"}
 *                                                       -> {"ok": true, "config": {...}}
 *        (applies to codes and tokens issued afterwards; "success-false" answers a refused
 *        refresh as HTTP 200 {"success": false, "message": …} the way iFlow sometimes did)
 *   POST /_sim/revoke   {"account": "a@b.c"}            -> {"ok": true, "revoked": 1}
 *   POST /_sim/rotate-key {"account": "a@b.c", "apiKey"?: "sk-new"}
 *                                                       -> {"ok": true, "apiKey": "sk-…"}
 *   POST /_sim/fault    {"kind": "refresh_success_false", "times"?: 1 | null,
 *                        "account"?: "a@b.c", "data"?: {"message": "…"}}  -> {"ok": true}
 *        auth kinds: device_code_|token_|refresh_|userinfo_ + network | server_error |
 *        success_false ("token" is the device-code grant, "refresh" the refresh grant;
 *        network closes the socket, server_error answers 503). times defaults to 1;
 *        null keeps the fault until cleared. Other kinds are stored for the chat half.
 *   POST /_sim/faults/clear {"account"?: "a@b.c"}       -> {"ok": true}
 *   POST /_sim/counters/reset {}                        -> {"ok": true}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { decideUserCode } from './approval.js';
import { readJsonObject, sendJson } from './http.js';
import {
  type Fault,
  findAccount,
  revokeRefreshTokens,
  rotateApiKey,
  type SimAccount,
  type SimulatorState,
} from './state.js';

const approveBody = z.object({
  userCode: z.string().min(1),
  email: z.string().optional(),
  phone: z.string().optional(),
  apiKey: z.string().min(1).optional(),
});
const denyBody = z.object({ userCode: z.string().min(1) });
const seconds = z.number().int().positive();
const configBody = z.object({
  codeLifetimeSec: seconds.optional(),
  intervalSec: seconds.optional(),
  accessTokenLifetimeSec: seconds.optional(),
  refusalStyle: z.enum(['oauth', 'success-false']).optional(),
});
const accountBody = z.object({ account: z.string().min(1) });
const rotateBody = accountBody.extend({ apiKey: z.string().min(1).optional() });
const faultBody = z.object({
  kind: z.string().regex(/^[a-z0-9_.-]{1,64}$/),
  times: z.number().int().positive().nullable().optional(),
  account: z.string().min(1).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
const clearBody = z.object({ account: z.string().min(1).optional() });

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new ControlError(400, `${where}${issue?.message ?? 'bad body'}`);
  }
  return result.data;
}

function mustFindAccount(state: SimulatorState, ref: string): SimAccount {
  const account = findAccount(state, ref);
  if (!account) throw new ControlError(404, `No account ${ref}.`);
  return account;
}

function describeAccount(account: SimAccount) {
  return {
    id: account.id,
    email: account.email,
    phone: account.phone ?? null,
    apiKey: account.apiKey,
    faults: account.faults,
  };
}

export function snapshot(state: SimulatorState) {
  return {
    config: state.config,
    accounts: [...state.accounts.values()].map(describeAccount),
    codes: [...state.deviceCodes.values()].map((entry) => ({
      userCode: entry.userCode,
      status: entry.status,
      expiresAt: new Date(entry.expiresAt).toISOString(),
      intervalSec: entry.intervalSec,
      accountId: entry.accountId ?? null,
    })),
    faults: state.faults,
    counters: state.counters,
  };
}

type Action = (state: SimulatorState, body: Record<string, unknown>) => unknown;

const ACTIONS: Record<string, Action> = {
  approve(state, raw) {
    const body = parse(approveBody, raw);
    const decision = decideUserCode(state, body.userCode, true, body);
    if (!decision.ok) {
      throw new ControlError(decision.reason === 'unknown' ? 404 : 409, decision.message);
    }
    return { account: decision.account && describeAccount(decision.account) };
  },
  deny(state, raw) {
    const decision = decideUserCode(state, parse(denyBody, raw).userCode, false);
    if (!decision.ok) {
      throw new ControlError(decision.reason === 'unknown' ? 404 : 409, decision.message);
    }
    return {};
  },
  config(state, raw) {
    const body = parse(configBody, raw);
    state.config = { ...state.config, ...body };
    return { config: state.config };
  },
  revoke(state, raw) {
    const account = mustFindAccount(state, parse(accountBody, raw).account);
    return { revoked: revokeRefreshTokens(state, account) };
  },
  'rotate-key'(state, raw) {
    const body = parse(rotateBody, raw);
    const account = mustFindAccount(state, body.account);
    rotateApiKey(state, account, body.apiKey);
    return { apiKey: account.apiKey };
  },
  fault(state, raw) {
    const body = parse(faultBody, raw);
    const fault: Fault = {
      kind: body.kind,
      ...(body.times === null ? {} : { times: body.times ?? 1 }),
      ...(body.data ? { data: body.data } : {}),
    };
    const list = body.account ? mustFindAccount(state, body.account).faults : state.faults;
    list.push(fault);
    return {};
  },
  'faults/clear'(state, raw) {
    const body = parse(clearBody, raw);
    if (body.account) mustFindAccount(state, body.account).faults.length = 0;
    else {
      state.faults.length = 0;
      for (const account of state.accounts.values()) account.faults.length = 0;
    }
    return {};
  },
  'counters/reset'(state) {
    state.counters = {};
    return {};
  },
};

/** Serves `/_sim/<name>`; answers 404 for a name it does not know. */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  state: SimulatorState,
  name: string,
): Promise<void> {
  try {
    if (name === 'state' && req.method === 'GET') {
      sendJson(res, 200, snapshot(state));
      return;
    }
    const action = ACTIONS[name];
    if (!action || req.method !== 'POST') {
      throw new ControlError(404, `No control route ${req.method} /_sim/${name}.`);
    }
    let body: Record<string, unknown>;
    try {
      body = await readJsonObject(req);
    } catch (error) {
      throw new ControlError(400, `Body is not a JSON object: ${(error as Error).message}`);
    }
    sendJson(res, 200, { ok: true, ...(action(state, body) as object) });
  } catch (error) {
    if (!(error instanceof ControlError)) throw error;
    sendJson(res, error.status, { ok: false, error: error.message });
  }
}
