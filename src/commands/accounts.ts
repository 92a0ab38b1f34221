import { identityLabel } from '../accounts/identity.js';
import {
  listAccounts,
  removeAllAccounts,
  renameAccount,
  setDefaultAccount,
} from '../accounts/registry.js';
import { type AccountStatus, accountStatuses } from './account-state.js';
import type { CommandContext } from './context.js';

/*
 * The account flags: plain reads and writes of accounts.json and the token
 * files, offline and quick. Nothing here may import React, Ink, the proxy or
 * the OAuth client.
 */

function stateNote(status: AccountStatus): string {
  if (status.state === 'needs-login') return ' - needs login';
  if (status.state === 'paused') return ' - paused';
  return '';
}

/** What the listing says beyond the registry (see run.ts's accountsView). */
export interface AccountsView {
  /** A local server with no key: one implicit account, `local`. */
  keyless: boolean;
  /** A shipped preset that config.yaml does not define yet. */
  unadoptedPreset: boolean;
}

/** The implicit account of a provider that takes no key; never stored. */
export const LOCAL_ACCOUNT = 'local';

/** `ccs <provider> --accounts [--json]`. */
export async function runAccounts(
  ctx: CommandContext,
  providerId: string,
  json: boolean,
  view?: AccountsView,
): Promise<number> {
  if (view?.keyless) {
    if (json) {
      const document = {
        provider: providerId,
        default: LOCAL_ACCOUNT,
        // The documented fields, so a script reads every provider the same way.
        accounts: [
          {
            nickname: LOCAL_ACCOUNT,
            email: null,
            phone: null,
            default: true,
            state: 'ok',
            expires: null,
            createdAt: null,
            lastUsedAt: null,
            keyless: true,
          },
        ],
      };
      ctx.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      ctx.stdout.write(
        `Accounts for ${providerId}:\n  [default] ${LOCAL_ACCOUNT} (no key needed)\n`,
      );
    }
    return 0;
  }
  const accounts = await listAccounts(ctx.paths, providerId);
  const statuses = await accountStatuses(accounts, ctx.clock.now());

  if (json) {
    const document = {
      provider: providerId,
      default: accounts.find((a) => a.isDefault)?.nickname ?? null,
      accounts: statuses.map(({ account, state, expires, apiKey }) => ({
        nickname: account.nickname,
        email: account.email || null,
        // An API-key account's `phone` is only its key's fingerprint label.
        phone: apiKey ? null : (account.phone ?? null),
        default: account.isDefault,
        state,
        expires,
        createdAt: account.createdAt,
        lastUsedAt: account.lastUsedAt,
      })),
    };
    ctx.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return 0;
  }

  if (accounts.length === 0 && view?.unadoptedPreset) {
    ctx.stdout.write(
      `${providerId} is a preset that is not set up yet. ` +
        `Run \`ccs ${providerId} --auth\` to add it and its first account.\n`,
    );
    return 0;
  }
  if (accounts.length === 0) {
    ctx.stdout.write(
      `No ${providerId} accounts yet. Run \`ccs ${providerId} --auth\` to add one.\n`,
    );
    return 0;
  }
  const lines = statuses.map((status) => {
    const { account } = status;
    const marker = account.isDefault ? '[default] ' : '';
    const label = status.apiKey ? `API key ${identityLabel(account)}` : identityLabel(account);
    return `  ${marker}${account.nickname} (${label})${stateNote(status)}`;
  });
  ctx.stdout.write(`Accounts for ${providerId}:\n${lines.join('\n')}\n`);
  return 0;
}

/** `ccs <provider> --use <nickname>`. */
export async function runUse(
  ctx: CommandContext,
  providerId: string,
  nickname: string,
): Promise<number> {
  const account = await setDefaultAccount(ctx.paths, providerId, nickname, {
    signal: ctx.signal,
  });
  ctx.logger.info('default account changed', { provider: providerId, nickname });
  ctx.stdout.write(
    `The default ${providerId} account is now ${account.nickname} (${identityLabel(account)}).\n`,
  );
  return 0;
}

/** `ccs <provider> --nickname <name>`: renames the default account. */
export async function runRename(
  ctx: CommandContext,
  providerId: string,
  name: string,
): Promise<number> {
  const account = await renameAccount(ctx.paths, providerId, null, name, { signal: ctx.signal });
  ctx.logger.info('default account renamed', { provider: providerId, nickname: name });
  ctx.stdout.write(
    `Renamed the default ${providerId} account (${identityLabel(account)}) to ${name}.\n`,
  );
  return 0;
}

/** `ccs <provider> --logout`: every token file and registry entry of the provider. */
export async function runLogout(ctx: CommandContext, providerId: string): Promise<number> {
  const removed = await removeAllAccounts(ctx.paths, providerId, { signal: ctx.signal });
  ctx.logger.info('logged out', { provider: providerId, ...removed });
  const files = removed.strayFiles === 1 ? 'file' : 'files';
  const stray = `${removed.strayFiles} stray ${providerId} token ${files} (no account named them)`;
  if (removed.accounts === 0) {
    ctx.stdout.write(
      removed.strayFiles > 0
        ? `No ${providerId} accounts to remove; deleted ${stray}.\n`
        : `No ${providerId} accounts to remove.\n`,
    );
    return 0;
  }
  const noun = removed.accounts === 1 ? 'account' : 'accounts';
  const also = removed.strayFiles > 0 ? `, and ${stray}` : '';
  ctx.stdout.write(
    `Logged out: removed ${removed.accounts} ${providerId} ${noun} and their tokens${also}.\n`,
  );
  return 0;
}
