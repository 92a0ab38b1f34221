import { listAccounts } from '../accounts/registry.js';
import { readConfig } from '../config/config-file.js';
import { BugError, UserError } from '../errors.js';
import { checkAccountsBeforeStart } from '../launch/accounts.js';
import { findClaude } from '../launch/claude.js';
import { createSession, runClaude } from '../launch/session.js';
import type { ProviderDefinition } from '../providers/types.js';
import { defaultSettingsFor, readSettings } from '../settings.js';
import { runApiKeyAuth } from './api-key.js';
import { runTextLogin } from './auth.js';
import type { CommandContext } from './context.js';

/**
 * Logs in before the launch, as `ccs <provider> --auth` would (the device
 * code in text, or the hidden API-key prompt), then the launch goes on.
 */
async function loginForLaunch(ctx: CommandContext, provider: ProviderDefinition): Promise<void> {
  ctx.logger.info('no usable account: logging in before launch', { provider: provider.id });
  if (provider.auth.kind === 'api-key') {
    const code = await runApiKeyAuth(ctx, provider, undefined);
    if (code !== 0) throw new BugError(`API-key login for ${provider.id} ended with ${code}`);
    return;
  }
  await runTextLogin(ctx, provider, undefined);
}

function noAccountError(provider: ProviderDefinition, what: string): UserError {
  if (provider.auth.kind !== 'device-code') {
    return new UserError(
      'no_account',
      what,
      `Run \`ccs ${provider.id} --auth --api-key < key.txt\`, or run this in a terminal ` +
        'to type the key.',
    );
  }
  return new UserError(
    'no_account',
    `${what} Logging in needs a terminal.`,
    `Run \`ccs ${provider.id} --auth\` in a terminal first.`,
  );
}

/**
 * `ccs <provider> [claude arguments…]`: starts a session (proxy + refresh
 * loop), runs claude through it with the terminal inherited, closes the
 * session and exits with claude's code. The arguments reach claude as given.
 */
export async function runLaunch(
  ctx: CommandContext,
  provider: ProviderDefinition,
  claudeArgs: string[],
): Promise<number> {
  const claudeBin = await findClaude(ctx.env);
  const config = await readConfig(ctx.paths.configFile);
  const settings = await readSettings(ctx.paths, provider.id, defaultSettingsFor(provider), {
    signal: ctx.signal,
  });

  // A local server that takes no key has one implicit account and nothing to log in.
  const keyless = provider.auth.kind === 'api-key' && provider.auth.key === 'none';
  if (!keyless) await ensureUsableAccount(ctx, provider);
  if (ctx.signal.aborted) return 130;

  const session = await createSession({
    provider,
    paths: ctx.paths,
    settings,
    logger: ctx.logger,
    clock: ctx.clock,
    claudeBin,
    env: ctx.env,
    strategy: config.routingStrategy,
  });
  try {
    // A Ctrl-C or SIGTERM while the proxy was starting: claude was not wanted any more.
    if (ctx.signal.aborted) return 130;
    ctx.logger.info('launching claude', { bin: claudeBin, args: claudeArgs.length });
    return await runClaude(session, claudeArgs, { env: ctx.env, logger: ctx.logger });
  } finally {
    await session.close();
  }
}

/**
 * Finds accounts that need a new login before claude starts (an expired
 * token gets one refresh attempt) and says so in one line: once claude owns
 * the terminal nothing else may print, and the session's refresh loop, which
 * starts afterwards, only logs. With no usable account, logs in first on a
 * terminal, or stops without one.
 */
async function ensureUsableAccount(
  ctx: CommandContext,
  provider: ProviderDefinition,
): Promise<void> {
  if ((await listAccounts(ctx.paths, provider.id)).length === 0) {
    if (!ctx.isTTY) throw noAccountError(provider, `No ${provider.displayName} account yet.`);
    await loginForLaunch(ctx, provider);
    return;
  }

  const check = await checkAccountsBeforeStart(ctx, provider);
  if (check.usable.length > 0) return;
  if (check.needsLogin.length === 0) {
    throw new UserError(
      'all_paused',
      `Every ${provider.displayName} account is paused.`,
      'Resume one in the account picker (`ccs`), or add one with ' +
        `\`ccs ${provider.id} --auth --add\`.`,
    );
  }
  const names = check.needsLogin.map((account) => account.nickname).join(', ');
  const what = `No ${provider.displayName} account can be used: ${names} must log in again.`;
  if (!ctx.isTTY) throw noAccountError(provider, what);
  ctx.stderr.write(`${what}\n`);
  await loginForLaunch(ctx, provider);
}
