import type { IncomingMessage, ServerResponse } from 'node:http';
import { dropConnection, readForm, sendJson, sendOAuthError } from './http.js';
import {
  accountById,
  count,
  issueDeviceCode,
  issueTokens,
  type SimAccount,
  type SimulatorState,
  takeFault,
} from './state.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

type Endpoint = 'device_code' | 'token' | 'refresh' | 'userinfo';

/** Answers with an armed fault for `endpoint`, if any; true when it did. */
function applyFault(
  state: SimulatorState,
  res: ServerResponse,
  endpoint: Endpoint,
  account?: SimAccount,
): boolean {
  if (takeFault(state, `${endpoint}_network`, account)) {
    dropConnection(res);
    return true;
  }
  if (takeFault(state, `${endpoint}_server_error`, account)) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
    return true;
  }
  const fault = takeFault(state, `${endpoint}_success_false`, account);
  if (fault) {
    const message =
      typeof fault.data?.message === 'string'
        ? fault.data.message
        : 'Server busy, try again later.';
    sendJson(res, 200, { success: false, code: '500', message });
    return true;
  }
  return false;
}

/** RFC 8628 §3.1-3.2. */
export async function handleDeviceCode(
  req: IncomingMessage,
  res: ServerResponse,
  state: SimulatorState,
  baseUrl: string,
): Promise<void> {
  count(state, 'device_code');
  const form = await readForm(req);
  if (applyFault(state, res, 'device_code')) return;
  if (!form) {
    sendOAuthError(res, 400, 'invalid_request', 'Use application/x-www-form-urlencoded.');
    return;
  }
  const clientId = form.get('client_id');
  if (!clientId) {
    sendOAuthError(res, 400, 'invalid_request', 'client_id is required.');
    return;
  }
  if (clientId !== state.config.clientId) {
    sendOAuthError(res, 401, 'invalid_client', 'Unknown client_id.');
    return;
  }

  const entry = issueDeviceCode(state, clientId, form.get('scope') ?? '');
  const verificationUri = `${baseUrl}/device`;
  sendJson(res, 200, {
    device_code: entry.deviceCode,
    user_code: entry.userCode,
    verification_uri: verificationUri,
    verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(entry.userCode)}`,
    expires_in: Math.round((entry.expiresAt - entry.issuedAt) / 1000),
    interval: entry.intervalSec,
  });
}

/** RFC 6749 §5.2 error, or iFlow's HTTP-200 envelope when so configured. */
function refuse(state: SimulatorState, res: ServerResponse, error: string, why: string): void {
  if (state.config.refusalStyle === 'success-false') {
    sendJson(res, 200, { success: false, code: error, message: why });
  } else {
    sendOAuthError(res, 400, error, why);
  }
}

/** RFC 8628 §3.4-3.5: one poll of the device-code grant. */
function deviceCodeGrant(state: SimulatorState, res: ServerResponse, form: URLSearchParams) {
  count(state, 'token');
  if (applyFault(state, res, 'token')) return;
  const entry = state.deviceCodes.get(form.get('device_code') ?? '');
  if (!entry || entry.status === 'consumed') {
    sendOAuthError(res, 400, 'invalid_grant', 'Unknown or already used device_code.');
    return;
  }
  if (entry.clientId !== form.get('client_id')) {
    sendOAuthError(res, 400, 'invalid_grant', 'device_code was issued to another client.');
    return;
  }

  const now = state.clock.now();
  if (now >= entry.expiresAt) {
    sendOAuthError(res, 400, 'expired_token', 'The device code has expired.');
    return;
  }
  const tooSoon =
    entry.lastPollAt !== undefined && now - entry.lastPollAt < entry.intervalSec * 1000;
  entry.lastPollAt = now;
  if (tooSoon) {
    sendOAuthError(res, 400, 'slow_down', `Poll at most every ${entry.intervalSec} s.`);
    return;
  }
  if (entry.status === 'denied') {
    sendOAuthError(res, 400, 'access_denied', 'The user denied the request.');
    return;
  }
  const account = entry.accountId ? accountById(state, entry.accountId) : undefined;
  if (entry.status === 'pending' || !account) {
    sendOAuthError(res, 400, 'authorization_pending');
    return;
  }
  entry.status = 'consumed';
  sendJson(res, 200, issueTokens(state, account, entry.scope));
}

/** RFC 6749 §6 with rotation: each refresh token works once. */
function refreshGrant(state: SimulatorState, res: ServerResponse, form: URLSearchParams) {
  count(state, 'refresh');
  const record = state.refreshTokens.get(form.get('refresh_token') ?? '');
  const account = record ? accountById(state, record.accountId) : undefined;
  if (applyFault(state, res, 'refresh', account)) return;
  if (!record || !account) {
    refuse(state, res, 'invalid_grant', 'Unknown refresh token.');
    return;
  }
  if (record.status !== 'active') {
    refuse(state, res, 'invalid_grant', `The refresh token was ${record.status}.`);
    return;
  }
  record.status = 'used';
  sendJson(res, 200, issueTokens(state, account, form.get('scope') ?? ''));
}

export async function handleToken(
  req: IncomingMessage,
  res: ServerResponse,
  state: SimulatorState,
): Promise<void> {
  const form = await readForm(req);
  if (!form) {
    sendOAuthError(res, 400, 'invalid_request', 'Use application/x-www-form-urlencoded.');
    return;
  }
  const clientId = form.get('client_id');
  if (!clientId || clientId !== state.config.clientId) {
    sendOAuthError(res, 401, 'invalid_client', 'Unknown or missing client_id.');
    return;
  }
  const grantType = form.get('grant_type');
  if (grantType === DEVICE_CODE_GRANT) return deviceCodeGrant(state, res, form);
  if (grantType === 'refresh_token') return refreshGrant(state, res, form);
  sendOAuthError(res, 400, 'unsupported_grant_type', `grant_type ${grantType ?? '(none)'}`);
}

/** iFlow's user info: `GET /api/oauth/getUserInfo?accessToken=…`. */
export function handleUserInfo(url: URL, res: ServerResponse, state: SimulatorState): void {
  count(state, 'userinfo');
  const record = state.accessTokens.get(url.searchParams.get('accessToken') ?? '');
  const account = record ? accountById(state, record.accountId) : undefined;
  if (applyFault(state, res, 'userinfo', account)) return;
  if (!record || !account || state.clock.now() >= record.expiresAt) {
    sendJson(res, 200, { success: false, code: '401', message: 'Invalid or expired accessToken.' });
    return;
  }
  sendJson(res, 200, {
    success: true,
    data: { apiKey: account.apiKey, email: account.email, phone: account.phone ?? '' },
  });
}
