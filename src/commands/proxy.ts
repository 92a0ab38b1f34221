import { once } from 'node:events';
import { createRefreshService, type RefreshEvent } from '../auth/refresh.js';
import { readConfig } from '../config/config-file.js';
import { UserError } from '../errors.js';
import { checkAccountsBeforeStart } from '../launch/accounts.js';
import { warmProviderModels } from '../launch/models-warmup.js';
import { loadOrCreateProxyKey } from '../launch/proxy-key.js';
import { shellQuote } from '../launch/shell.js';
import { envKey } from '../providers/registry.js';
import type { ProviderDefinition } from '../providers/types.js';
import { startProxy } from '../proxy/server.js';
import { defaultSettingsFor, readSettings } from '../settings.js';
import type { CommandContext } from './context.js';

function isAddressInUse(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
  }
  return false;
}

/**
 * What the standalone proxy says on stderr about a refresh event, or '' for
 * none (a routine refresh). A needs-login message is already one sentence
 * with its next step, so it is said as it is.
 */
export function refreshEventLine(
  provider: Pick<ProviderDefinition, 'id' | 'displayName'>,
  event: RefreshEvent,
): string {
  const account = `${provider.displayName} account ${event.nickname}`;
  switch (event.type) {
    case 'refreshed':
      return '';
    case 'needs-login':
      return `ccs: ${event.message}`;
    case 'failed':
      return `ccs: could not refresh ${account}: ${event.message}`;
  }
}

/**
 * `ccs <provider> --proxy`: the proxy alone, in the foreground, for clients
 * other than a claude that ccs starts (an IDE extension, a script). It
 * listens on `proxy.port` from config.yaml and takes the secret kept in
 * `cliproxy/proxy.key`, so the client's settings survive restarts. stdout
 * carries only the two `export` lines, which a script can read and `eval`;
 * everything else goes to stderr.
 */
export async function runProxyCommand(
  ctx: CommandContext,
  provider: ProviderDefinition,
): Promise<number> {
  const config = await readConfig(ctx.paths.configFile);
  const settings = await readSettings(ctx.paths, provider.id, defaultSettingsFor(provider), {
    signal: ctx.signal,
  });
  const secret = await loadOrCreateProxyKey(ctx.paths.proxyKeyFile);
  const refresh = createRefreshService({
    provider,
    paths: ctx.paths,
    clock: ctx.clock,
    onEvent: (event) => {
      const suffix = event.type === 'refreshed' ? '' : `: ${event.message}`;
      const line = `${provider.id} account ${event.nickname} ${event.type}${suffix}`;
      ctx.logger.info(`refresh ${line}`, { accountId: event.accountId });
      // Nothing else owns this terminal: a user watching it should know.
      const said = refreshEventLine(provider, event);
      if (said) ctx.stderr.write(`${said}\n`);
    },
  });

  let proxy: Awaited<ReturnType<typeof startProxy>>;
  try {
    proxy = await startProxy({
      provider,
      paths: ctx.paths,
      secret,
      port: config.proxyPort,
      settings,
      strategy: config.routingStrategy,
      clock: ctx.clock,
      logger: ctx.logger,
      refresh: (accountId) => refresh.refreshNow(accountId),
    });
  } catch (error) {
    if (!isAddressInUse(error)) throw error;
    throw new UserError(
      'port_in_use',
      `Port ${config.proxyPort} on 127.0.0.1 is already in use.`,
      `Stop the program using it, or set \`proxy.port\` in ${ctx.paths.configFile}.`,
      error,
    );
  }

  try {
    // Before the refresh loop starts, so what is found here is said, not raced.
    await reportAccounts(ctx, provider);
    await reportReachability(ctx, provider);
    refresh.start();
    ctx.stdout.write(
      `export ANTHROPIC_BASE_URL=${shellQuote(proxy.url)}\n` +
        `export ANTHROPIC_AUTH_TOKEN=${shellQuote(secret)}\n`,
    );
    ctx.stderr.write(
      `ccs: ${provider.displayName} proxy listening on ${proxy.url}; Ctrl-C stops it.\n`,
    );
    ctx.logger.info('standalone proxy started', { provider: provider.id, url: proxy.url });
    if (!ctx.signal.aborted) await once(ctx.signal, 'abort');
  } finally {
    await refresh.stop();
    await proxy.close();
  }
  const stats = proxy.stats();
  ctx.logger.info('standalone proxy stopped', { ...stats });
  ctx.stderr.write(`ccs: proxy stopped after ${stats.requests} requests.\n`);
  return 0;
}

/**
 * Asks the provider for its models (which also fills the list the proxy's
 * GET /v1/models answers) and says on stderr when it could not be reached,
 * naming its URL: every chat request would fail the same way.
 */
async function reportReachability(
  ctx: CommandContext,
  provider: ProviderDefinition,
): Promise<void> {
  const result = await warmProviderModels(provider, ctx.paths, { signal: ctx.signal }).catch(
    () => undefined,
  );
  if (!result?.unreachable) return;
  // Name the setting that is in force: the environment beats config.yaml.
  const variable = envKey(provider.id, 'API');
  const setting = ctx.env[variable]
    ? `the environment variable ${variable}`
    : `providers.${provider.id}.api_url in ${ctx.paths.configFile}`;
  ctx.stderr.write(
    `ccs: could not reach ${provider.displayName} (${result.problem}); check ${setting}. ` +
      'The proxy keeps running and will use it once it answers.\n',
  );
}

/**
 * Says on stderr, once at start, what would make the proxy's answers fail:
 * no account at all, or accounts that must log in again. The proxy still
 * starts, so a login in another terminal fixes it without a restart.
 */
async function reportAccounts(ctx: CommandContext, provider: ProviderDefinition): Promise<void> {
  if (provider.auth.kind === 'api-key' && provider.auth.key === 'none') return;
  const check = await checkAccountsBeforeStart(ctx, provider);
  if (check.usable.length > 0) return;
  ctx.stderr.write(
    `ccs: no ${provider.displayName} account can answer yet; ` +
      `run \`ccs ${provider.id} --auth\` in another terminal (no restart needed).\n`,
  );
}
