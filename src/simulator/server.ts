import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from '../clock.js';
import { getLogger } from '../log.js';
import { handleChat } from './chat.js';
import { handleControl } from './control-routes.js';
import { showDevicePage, submitDevicePage } from './device-page.js';
import { BodyTooLargeError, sendJson } from './http.js';
import { handleDeviceCode, handleToken, handleUserInfo } from './oauth-routes.js';
import { createSimulatorState, type SimulatorState } from './state.js';

export type ChatHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  state: SimulatorState,
) => Promise<void>;

let chatOverride: ChatHandler | undefined;

/**
 * Replaces the chat half (chat.ts) for every simulator in this process, or
 * restores it with `undefined`. For tests of the routing itself.
 */
export function registerChatHandler(handler: ChatHandler | undefined): void {
  chatOverride = handler;
}

export interface SimulatorOptions {
  port?: number;
  clock?: Clock;
  codeLifetimeSec?: number;
  intervalSec?: number;
  accessTokenLifetimeSec?: number;
  /** Seed of the generator behind codes, tokens and api keys. */
  seed?: number;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Base of the OAuth endpoints (the same as `url`). */
  authUrl: string;
  /** Base of the chat API, `url + '/v1'`. */
  apiUrl: string;
  state: SimulatorState;
  close(): Promise<void>;
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  state: SimulatorState,
  baseUrl: string,
): Promise<void> {
  const url = new URL(req.url ?? '/', baseUrl);
  const method = req.method ?? 'GET';
  const path = url.pathname;

  if (path.startsWith('/_sim/')) return handleControl(req, res, state, path.slice(6));
  if (method === 'POST' && path === '/oauth/device/code') {
    return handleDeviceCode(req, res, state, baseUrl);
  }
  if (method === 'POST' && path === '/oauth/token') return handleToken(req, res, state);
  if (method === 'GET' && path === '/api/oauth/getUserInfo') {
    return handleUserInfo(url, res, state);
  }
  if (path === '/device' && method === 'GET') return showDevicePage(url, res);
  if (path === '/device' && method === 'POST') return submitDevicePage(req, res, state);
  if (method === 'POST' && path === '/v1/chat/completions') {
    return (chatOverride ?? handleChat)(req, res, state);
  }
  if (method === 'GET' && path === '/') {
    res.writeHead(302, { location: '/device' }).end();
    return;
  }
  sendJson(res, 404, { error: 'not_found', error_description: `${method} ${path}` });
}

/** Starts the iFlow-compatible simulator on 127.0.0.1 (an ephemeral port by default). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const state = createSimulatorState({
    clock: options.clock ?? systemClock,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    config: {
      ...(options.codeLifetimeSec ? { codeLifetimeSec: options.codeLifetimeSec } : {}),
      ...(options.intervalSec ? { intervalSec: options.intervalSec } : {}),
      ...(options.accessTokenLifetimeSec
        ? { accessTokenLifetimeSec: options.accessTokenLifetimeSec }
        : {}),
    },
  });
  let baseUrl = '';

  const server = createServer((req, res) => {
    route(req, res, state, baseUrl).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, { error: 'invalid_request', error_description: error.message });
        return;
      }
      getLogger().error('simulator: request failed', { error, url: req.url });
      sendJson(res, 500, { error: 'server_error' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    authUrl: baseUrl,
    apiUrl: `${baseUrl}/v1`,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
