import { type Command, HELP_WORDS, parseArgs, USAGE } from '../args.js';
import { CcsError, describeError, isAbortError, UsageError, UserError } from '../errors.js';
import { isUnadoptedPreset, knownProviderIds, resolveProvider } from '../providers/registry.js';
import type { ProviderDefinition } from '../providers/types.js';
import { type AccountsView, runAccounts, runLogout, runRename, runUse } from './accounts.js';
import type { CommandContext } from './context.js';
import { mainHelp, packageVersion, providerHelp } from './help.js';
import { loadDemo, loadTui } from './modules.js';

/** Words that are ccs's own commands, never provider ids (no config read needed). */
const COMMAND_WORDS = new Set(['help', 'config', 'demo', 'simulator']);

/**
 * The provider ids `argv` may name. config.yaml is read only when the first
 * word could be a provider defined there, so `--help` never touches the home.
 */
async function providerIds(ctx: CommandContext, first: string | undefined): Promise<string[]> {
  const builtIn = knownProviderIds({ providers: {} });
  if (first === undefined || first.startsWith('-') || COMMAND_WORDS.has(first)) return builtIn;
  // Built-in ids and presets need no config; the account flags stay quick and work
  // even while config.yaml is broken.
  if (builtIn.includes(first)) return builtIn;
  const { readConfig } = await import('../config/config-file.js');
  const config = await readConfig(ctx.paths.configFile);
  return knownProviderIds({ ...config, file: ctx.paths.configFile });
}

async function provider(ctx: CommandContext, id: string): Promise<ProviderDefinition> {
  // Loaded here, not at the top: the account flags never need YAML.
  const { readConfig } = await import('../config/config-file.js');
  const config = await readConfig(ctx.paths.configFile);
  return resolveProvider(id, { ...config, file: ctx.paths.configFile }, ctx.env);
}

/**
 * What `--accounts` needs to know beyond accounts.json: whether the provider
 * takes no key (its one implicit account) or is a preset not set up yet.
 * Undefined when config.yaml cannot be read: the listing still works.
 */
async function accountsView(ctx: CommandContext, id: string): Promise<AccountsView | undefined> {
  if (id === 'iflow') return { keyless: false, unadoptedPreset: false };
  try {
    const { readConfig } = await import('../config/config-file.js');
    const config = { ...(await readConfig(ctx.paths.configFile)), file: ctx.paths.configFile };
    const resolved = resolveProvider(id, config, ctx.env);
    return {
      keyless: resolved.auth.kind === 'api-key' && resolved.auth.key === 'none',
      unadoptedPreset: isUnadoptedPreset(id, config),
    };
  } catch {
    return undefined;
  }
}

function needsTerminal(ctx: CommandContext, what: string): void {
  if (ctx.isTTY) return;
  throw new UserError(
    'needs_terminal',
    `${what} is full-screen and needs a terminal.`,
    `Edit ${ctx.paths.settingsFile('<provider>')} or ${ctx.paths.configFile} by hand, or run it in a terminal.`,
  );
}

/** Runs one parsed command and returns its exit code. Errors propagate. */
export async function runCommand(ctx: CommandContext, command: Command): Promise<number> {
  switch (command.kind) {
    case 'help':
      ctx.stdout.write(mainHelp());
      return 0;
    case 'version':
      ctx.stdout.write(`${packageVersion()}\n`);
      return 0;
    case 'provider-help': {
      // The help fits the provider's kind; with config.yaml broken, both kinds are shown.
      const resolved = await provider(ctx, command.providerId).catch(() => undefined);
      ctx.stdout.write(providerHelp(command.providerId, resolved));
      return 0;
    }
    case 'tui':
      if (!ctx.isTTY) {
        // Without a terminal a full-screen app would hang; say what exists instead.
        ctx.stderr.write(mainHelp());
        return 2;
      }
      return (await loadTui()).runTui(ctx, { screen: 'home' });
    case 'config':
      needsTerminal(ctx, '`ccs config`');
      return (await loadTui()).runTui(ctx, { screen: 'settings' });
    case 'demo':
      return (await loadDemo()).runDemo(ctx);
    case 'simulator':
      return (await import('./simulator.js')).runSimulatorCommand(ctx, command.args);
    case 'accounts':
      return runAccounts(
        ctx,
        command.providerId,
        command.json,
        await accountsView(ctx, command.providerId),
      );
    case 'use':
      return runUse(ctx, command.providerId, command.nickname);
    case 'nickname':
      return runRename(ctx, command.providerId, command.name);
    case 'logout':
      return runLogout(ctx, command.providerId);
    case 'auth': {
      const { runAuth } = await import('./auth.js');
      return runAuth(ctx, await provider(ctx, command.providerId), {
        add: command.add,
        apiKey: command.apiKey,
        ...(command.nickname !== undefined ? { nickname: command.nickname } : {}),
      });
    }
    case 'proxy':
      return (await import('./proxy.js')).runProxyCommand(
        ctx,
        await provider(ctx, command.providerId),
      );
    case 'launch':
      return (await import('./launch.js')).runLaunch(
        ctx,
        await provider(ctx, command.providerId),
        command.claudeArgs,
      );
  }
}

/**
 * Everything `ccs` does after the process is set up: parse, run, and turn any
 * error into one line on stderr and an exit code (2 usage, 1 user-fixable,
 * 130 cancelled).
 */
export async function runCli(ctx: CommandContext, argv: readonly string[]): Promise<number> {
  try {
    // `ccs help <provider>` names the provider second.
    const named = HELP_WORDS.has(argv[0] ?? '') ? argv[1] : argv[0];
    const command = parseArgs(argv, { providers: await providerIds(ctx, named) });
    ctx.logger.debug('command', { kind: command.kind });
    return await runCommand(ctx, command);
  } catch (error) {
    return reportError(ctx, error);
  }
}

export function reportError(ctx: CommandContext, error: unknown): number {
  if (error instanceof UsageError) {
    ctx.stderr.write(`ccs: ${error.message}\n${error.usage ?? USAGE}\n`);
    return error.exitCode;
  }
  // A failure the user can fix is an event; anything else is a defect worth a stack.
  if (error instanceof UserError) {
    ctx.logger.info('command failed', { code: error.code, error });
  } else {
    ctx.logger.error('command failed', {
      error,
      stack: error instanceof Error ? error.stack : undefined,
    });
  }
  if (ctx.signal.aborted || isAbortError(error)) {
    ctx.stderr.write('Cancelled.\n');
    return 130;
  }
  ctx.stderr.write(`${describeError(error)}\n`);
  return error instanceof CcsError ? error.exitCode : 1;
}
