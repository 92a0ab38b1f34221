import { identityLabel } from '../accounts/identity.js';
import { listAccounts } from '../accounts/registry.js';
import { providerUsage } from '../args.js';
import type { DeviceAuthorization } from '../auth/device-code.js';
import type { Clock } from '../clock.js';
import { UsageError, UserError } from '../errors.js';
import type { ProviderDefinition } from '../providers/types.js';
import { runApiKeyAuth } from './api-key.js';
import type { CommandContext } from './context.js';
import { loadTui } from './modules.js';
import { confirm } from './prompt.js';

export interface AuthRequest {
  /** `--add`: log in another account without asking. */
  add: boolean;
  /** `--api-key`: read an API key from stdin (API-key providers only). */
  apiKey?: boolean;
  /** `--nickname` given with `--auth`. */
  nickname?: string;
}

/**
 * `ccs <provider> --auth`. With accounts already there it asks first on a
 * terminal and refuses without one, before any code is requested. A
 * device-code login is the TUI's full-screen login screen on a terminal and
 * the text flow below without one (`ccs <provider> "prompt"` uses it too); an
 * API-key provider reads its key from standard input.
 */
export async function runAuth(
  ctx: CommandContext,
  provider: ProviderDefinition,
  request: AuthRequest,
): Promise<number> {
  const keyed = provider.auth.kind === 'api-key';
  if (request.apiKey && !keyed) {
    throw new UsageError(
      `${provider.displayName} logs in with a device code; --api-key is for API-key providers.`,
      providerUsage(provider.id, provider.auth.kind),
    );
  }
  if (provider.auth.kind === 'api-key' && provider.auth.key === 'none') {
    return runApiKeyAuth(ctx, provider, request.nickname);
  }

  const existing = await listAccounts(ctx.paths, provider.id);
  if (existing.length > 0 && !request.add) {
    const names = existing.map((a) => a.nickname).join(', ');
    if (!ctx.isTTY) {
      throw new UserError(
        'accounts_exist',
        `${provider.displayName} already has ` +
          `${existing.length === 1 ? 'an account' : 'accounts'} (${names}).`,
        `Run \`ccs ${provider.id} --auth --add\` to add another one.`,
      );
    }
    const yes = await confirm(ctx.stdin, ctx.stdout, 'Add another account? (y/N) ', ctx.signal);
    if (!yes) {
      ctx.stdout.write('Nothing changed.\n');
      return 0;
    }
  }

  // The key is read from stdin (hidden on a terminal): no device code, no TUI.
  if (keyed) return runApiKeyAuth(ctx, provider, request.nickname);

  if (ctx.isTTY) {
    const { runTui } = await loadTui();
    return runTui(ctx, {
      screen: 'login',
      providerId: provider.id,
      standalone: true,
      ...(request.nickname !== undefined ? { nickname: request.nickname } : {}),
    });
  }
  return runTextLogin(ctx, provider, request.nickname);
}

/** `m:ss`, rounded up so the display reaches 0:00 only at expiry. */
export function formatRemaining(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export function instructions(provider: ProviderDefinition, auth: DeviceAuthorization): string {
  return [
    `Authenticate with ${provider.displayName}:`,
    `1. Open ${auth.verificationUri}`,
    `2. Enter code: ${auth.userCode}`,
    '3. Authorize CCS CLI access',
    '',
    'Waiting for authorization...',
    '',
  ].join('\n');
}

const CLEAR_LINE = '\r\x1b[2K';

/**
 * Shows the time left until `expiresAt`: rewritten in place each second on a
 * terminal, a new line each whole minute otherwise (logs and CI stay short).
 */
export async function showCountdown(
  out: NodeJS.WritableStream,
  clock: Clock,
  expiresAt: number,
  tty: boolean,
  signal: AbortSignal,
): Promise<void> {
  const step = tty ? 1000 : 60_000;
  while (!signal.aborted) {
    const left = expiresAt - clock.now();
    const text = `Code expires in ${formatRemaining(left)}`;
    // Without a terminal, expiry itself is said by the error line, not a 0:00 line.
    if (left <= 0 && !tty) return;
    out.write(tty ? `${CLEAR_LINE}${text}` : `${text}\n`);
    if (left <= 0) return;
    try {
      // Wake when the rounded-up display changes: the next whole step of time left.
      await clock.sleep(left % step || step, signal);
    } catch {
      return;
    }
  }
}

/** The login as plain text: the block from issue 2, a countdown, then one result line. */
export async function runTextLogin(
  ctx: CommandContext,
  provider: ProviderDefinition,
  nickname: string | undefined,
): Promise<number> {
  // The OAuth client loads only here, never on the other account flags.
  const { loginWithDeviceCode } = await import('../auth/login.js');
  const stopCountdown = new AbortController();
  let countdown: Promise<void> | undefined;
  // On a terminal the countdown line has no newline yet; clear it before other output.
  const closeLine = () => {
    if (ctx.isTTY && countdown) ctx.stdout.write(CLEAR_LINE);
  };

  try {
    const { account } = await loginWithDeviceCode({
      provider,
      paths: ctx.paths,
      signal: ctx.signal,
      clock: ctx.clock,
      ...(nickname !== undefined ? { nickname } : {}),
      onEvent: (event) => {
        if (event.type === 'code') {
          ctx.stdout.write(instructions(provider, event.authorization));
          countdown = showCountdown(
            ctx.stdout,
            ctx.clock,
            event.authorization.expiresAt,
            ctx.isTTY,
            stopCountdown.signal,
          );
          return;
        }
        if (event.type === 'status' && event.status.type === 'retrying') {
          // Said on stderr so that stdout keeps the documented shape.
          closeLine();
          const seconds = Math.ceil(event.status.inMs / 1000);
          ctx.stderr.write(`${event.status.reason}; trying again in ${seconds}s.\n`);
        }
        ctx.logger.debug('login event', { event: event.type });
      },
    });
    stopCountdown.abort();
    await countdown;
    closeLine();
    ctx.stdout.write(
      `Logged in to ${provider.displayName} as ${account.nickname} (${identityLabel(account)}).\n`,
    );
    ctx.logger.info('logged in', { provider: provider.id, nickname: account.nickname });
    return 0;
  } finally {
    stopCountdown.abort();
    await countdown;
    closeLine();
  }
}
