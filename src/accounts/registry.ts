import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { readJsonFile, writeJsonFile } from '../fs/json-file.js';
import { withFileLock } from '../fs/lock.js';
import type { CcsPaths } from '../home.js';
import { autoNickname, type Identity, isValidNickname, uniqueName } from './identity.js';
import {
  type AccountEntry,
  type AccountsFile,
  accountsFileSchema,
  type TokenFile,
} from './schemas.js';
import { deleteTokenFile, readTokenFile, updateTokenFile } from './token-store.js';

/** An account as the rest of the program sees it. */
export interface Account extends AccountEntry {
  id: string;
  providerId: string;
  isDefault: boolean;
  /** Absolute path of the token file. */
  tokenPath: string;
}

const EMPTY: AccountsFile = { version: 1, providers: {} };

export async function readAccountsFile(paths: CcsPaths): Promise<AccountsFile> {
  return (await readJsonFile(paths.accountsFile, accountsFileSchema)) ?? structuredClone(EMPTY);
}

/** Cancels the wait for a file lock (Ctrl-C); see withFileLock. */
export interface LockWait {
  signal?: AbortSignal;
}

/** Read-modify-write of accounts.json under its lock. */
export function updateAccountsFile<T>(
  paths: CcsPaths,
  mutate: (file: AccountsFile) => Promise<T> | T,
  wait: LockWait = {},
): Promise<T> {
  return withFileLock(
    paths.accountsFile,
    async () => {
      const file = await readAccountsFile(paths);
      const result = await mutate(file);
      await writeJsonFile(paths.accountsFile, file, 0o600);
      return result;
    },
    wait,
  );
}

function toAccounts(paths: CcsPaths, file: AccountsFile, providerId: string): Account[] {
  const provider = file.providers[providerId];
  if (!provider) return [];
  const accounts = Object.entries(provider.accounts).map(([id, entry]) => ({
    ...entry,
    id,
    providerId,
    isDefault: provider.default === id,
    tokenPath: path.resolve(paths.authDir, entry.tokenFile),
  }));
  // The default first, then the others by creation time.
  return accounts.sort((a, b) => {
    if (a.isDefault !== b.isDefault) return a.isDefault ? -1 : 1;
    return a.createdAt.localeCompare(b.createdAt);
  });
}

export async function listAccounts(paths: CcsPaths, providerId: string): Promise<Account[]> {
  return toAccounts(paths, await readAccountsFile(paths), providerId);
}

function providerEntry(file: AccountsFile, providerId: string) {
  file.providers[providerId] ??= { default: null, accounts: {} };
  return file.providers[providerId];
}

function findByNickname(file: AccountsFile, providerId: string, nickname: string) {
  const accounts = file.providers[providerId]?.accounts ?? {};
  return Object.entries(accounts).find(([, entry]) => entry.nickname === nickname);
}

function unknownNickname(file: AccountsFile, providerId: string, nickname: string): UserError {
  const known = Object.values(file.providers[providerId]?.accounts ?? {}).map((a) => a.nickname);
  return new UserError(
    'unknown_account',
    `No ${providerId} account is called "${nickname}".`,
    known.length > 0
      ? `Known accounts: ${known.join(', ')}.`
      : `Run \`ccs ${providerId} --auth\` to add one.`,
  );
}

/**
 * Picks the account id for a login. The e-mail when there is one; otherwise
 * the masked phone, with a suffix when another account already has the same
 * mask but a different API key (a different person behind the same mask).
 */
async function resolveAccountId(
  paths: CcsPaths,
  accounts: Record<string, AccountEntry>,
  identity: Identity,
  apiKey: string,
): Promise<string> {
  if (identity.email) {
    // Mail servers ignore case in practice, and so does the file system of a Mac:
    // `Ann@x.io` and `ann@x.io` as two accounts would share one token file there.
    const email = identity.email.toLowerCase();
    const same = Object.entries(accounts).find(([, entry]) => entry.email.toLowerCase() === email);
    return same?.[0] ?? identity.email;
  }
  const mask = identity.phone || 'unknown';
  const sameMask = Object.entries(accounts).filter(
    ([id, entry]) => !entry.email && (id === mask || id.startsWith(`${mask}~`)),
  );
  for (const [id, entry] of sameMask) {
    const tokens = await readTokenFile(path.resolve(paths.authDir, entry.tokenFile));
    if (tokens?.api_key === apiKey) return id;
  }
  if (sameMask.length === 0) return mask;
  return uniqueName(`${mask}~`, new Set(sameMask.map(([id]) => id))).replace('~-', '~');
}

/**
 * Refuses a `--nickname` for a login before any code is requested when
 * another account already has it: finding out after the user approved in
 * the browser would throw that login away. An owner that needs login lets
 * it pass, since `--auth --nickname work` is how `work` is logged in again;
 * recordLogin still refuses it if a different identity approves.
 */
export async function assertNicknameFree(
  paths: CcsPaths,
  providerId: string,
  nickname: string,
): Promise<void> {
  if (!isValidNickname(nickname)) {
    throw new UserError('bad_nickname', `"${nickname}" is not a valid nickname.`);
  }
  const owner = (await listAccounts(paths, providerId)).find((a) => a.nickname === nickname);
  if (!owner) return;
  const tokens = await readTokenFile(owner.tokenPath);
  if (!tokens || tokens.needs_login) return;
  throw new UserError(
    'nickname_taken',
    `The nickname "${nickname}" is already used by the ${providerId} account ` +
      `${owner.email || owner.phone || owner.id}.`,
    `Choose another name with --nickname, or leave it out to log that account in again.`,
  );
}

export interface LoginRecord {
  identity: Identity;
  tokens: Pick<
    TokenFile,
    | 'access_token'
    | 'refresh_token'
    | 'api_key'
    | 'expired'
    | 'last_refresh'
    | 'token_type'
    | 'scope'
  >;
  /** Nickname asked for with `--nickname` during `--auth`. */
  nickname?: string;
  /** Used instead of the e-mail-derived nickname when the account is new. */
  defaultNickname?: string;
  now: Date;
  /** Cancels a wait for accounts.json's lock. */
  signal?: AbortSignal;
}

/**
 * Stores the result of a login: the token file and the registry entry. An
 * identity that already exists gets its tokens replaced (this is how an
 * account that needs login is repaired); it is never duplicated.
 */
export async function recordLogin(
  paths: CcsPaths,
  providerId: string,
  login: LoginRecord,
): Promise<{ account: Account; created: boolean }> {
  if (login.nickname !== undefined && !isValidNickname(login.nickname)) {
    throw new UserError('bad_nickname', `"${login.nickname}" is not a valid nickname.`);
  }
  return updateAccountsFile(
    paths,
    async (file) => {
      const provider = providerEntry(file, providerId);
      const id = await resolveAccountId(
        paths,
        provider.accounts,
        login.identity,
        login.tokens.api_key,
      );
      const existing = provider.accounts[id];
      const taken = new Set(
        Object.entries(provider.accounts)
          .filter(([other]) => other !== id)
          .map(([, entry]) => entry.nickname),
      );
      if (login.nickname && taken.has(login.nickname)) {
        throw new UserError(
          'nickname_taken',
          `The nickname "${login.nickname}" is already used by another ${providerId} account.`,
          'Choose another name with --nickname.',
        );
      }
      // An existing account keeps the file its entry names, even one named by an
      // older rule for file names (a new name would leave the old file behind),
      // unless another account shares it: the older rule cut long ids at 120.
      const shared = Object.entries(provider.accounts).some(
        ([other, entry]) => other !== id && entry.tokenFile === existing?.tokenFile,
      );
      const tokenPath =
        existing && !shared
          ? path.resolve(paths.authDir, existing.tokenFile)
          : paths.tokenFile(providerId, id);
      await updateTokenFile(
        tokenPath,
        () => ({
          ...login.tokens,
          type: providerId,
          email: login.identity.email,
          ...(login.identity.phone ? { phone: login.identity.phone } : {}),
          needs_login: false,
        }),
        { signal: login.signal },
      );
      const entry: AccountEntry = {
        ...existing,
        email: login.identity.email,
        ...(login.identity.phone ? { phone: login.identity.phone } : {}),
        nickname:
          login.nickname ??
          existing?.nickname ??
          (login.defaultNickname
            ? uniqueName(login.defaultNickname, taken)
            : autoNickname(login.identity, taken)),
        tokenFile: path.basename(tokenPath),
        createdAt: existing?.createdAt ?? login.now.toISOString(),
        lastUsedAt: existing?.lastUsedAt ?? null,
        paused: existing?.paused ?? false,
      };
      provider.accounts[id] = entry;
      if (provider.default === null) provider.default = id;
      const account = toAccounts(paths, file, providerId).find((a) => a.id === id)!;
      return { account, created: existing === undefined };
    },
    { signal: login.signal },
  );
}

export function setDefaultAccount(
  paths: CcsPaths,
  providerId: string,
  nickname: string,
  wait: LockWait = {},
): Promise<Account> {
  return updateAccountsFile(
    paths,
    (file) => {
      const found = findByNickname(file, providerId, nickname);
      if (!found) throw unknownNickname(file, providerId, nickname);
      providerEntry(file, providerId).default = found[0];
      return toAccounts(paths, file, providerId).find((a) => a.id === found[0])!;
    },
    wait,
  );
}

/** Renames the account called `from` (or the default when `from` is null). */
export function renameAccount(
  paths: CcsPaths,
  providerId: string,
  from: string | null,
  to: string,
  wait: LockWait = {},
): Promise<Account> {
  if (!isValidNickname(to)) {
    throw new UserError(
      'bad_nickname',
      `"${to}" is not a valid nickname: use 1-32 letters, digits, ".", "_" or "-".`,
    );
  }
  return updateAccountsFile(
    paths,
    (file) => {
      const provider = providerEntry(file, providerId);
      const id = from === null ? provider.default : findByNickname(file, providerId, from)?.[0];
      if (!id) {
        if (from !== null) throw unknownNickname(file, providerId, from);
        throw new UserError(
          'no_accounts',
          `No ${providerId} accounts yet.`,
          `Run \`ccs ${providerId} --auth\` to add one.`,
        );
      }
      const clash = findByNickname(file, providerId, to);
      if (clash && clash[0] !== id) {
        throw new UserError(
          'nickname_taken',
          `The nickname "${to}" is already used by another ${providerId} account.`,
          `Choose another name; \`ccs ${providerId} --accounts\` lists the ones in use.`,
        );
      }
      provider.accounts[id]!.nickname = to;
      return toAccounts(paths, file, providerId).find((a) => a.id === id)!;
    },
    wait,
  );
}

export function setAccountPaused(
  paths: CcsPaths,
  providerId: string,
  accountId: string,
  paused: boolean,
): Promise<void> {
  return updateAccountsFile(paths, (file) => {
    const entry = file.providers[providerId]?.accounts[accountId];
    if (entry) entry.paused = paused;
  });
}

export function touchAccount(
  paths: CcsPaths,
  providerId: string,
  accountId: string,
  now: Date,
): Promise<void> {
  return updateAccountsFile(paths, (file) => {
    const entry = file.providers[providerId]?.accounts[accountId];
    if (entry) entry.lastUsedAt = now.toISOString();
  });
}

/** Removes one account and its token file; the next one becomes default. */
export function removeAccount(
  paths: CcsPaths,
  providerId: string,
  accountId: string,
): Promise<void> {
  return updateAccountsFile(paths, async (file) => {
    const provider = file.providers[providerId];
    const entry = provider?.accounts[accountId];
    if (!provider || !entry) return;
    await deleteTokenFile(path.resolve(paths.authDir, entry.tokenFile));
    delete provider.accounts[accountId];
    if (provider.default === accountId) {
      const next = toAccounts(paths, file, providerId)[0];
      provider.default = next?.id ?? null;
    }
  });
}

/**
 * Token files of `providerId` that no registry entry names, e.g. left by a
 * login that was killed between writing its token file and accounts.json.
 * A file counts only when its own `type` says it is this provider's, so a
 * provider whose id merely starts the same (`iflow-work`) keeps its files.
 */
async function strayTokenFiles(
  paths: CcsPaths,
  file: AccountsFile,
  providerId: string,
): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(paths.authDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const named = new Set(
    Object.values(file.providers).flatMap((p) => Object.values(p.accounts).map((a) => a.tokenFile)),
  );
  const stray: string[] = [];
  for (const name of names) {
    if (!name.startsWith(`${providerId}-`) || !name.endsWith('.json') || named.has(name)) continue;
    const full = path.join(paths.authDir, name);
    const type = await readFile(full, 'utf8')
      .then((text) => (JSON.parse(text) as { type?: unknown } | null)?.type)
      .catch(() => undefined);
    if (type === providerId) stray.push(full);
  }
  return stray;
}

export interface LogoutResult {
  /** Registry entries removed, each with its token file. */
  accounts: number;
  /** Token files of this provider that no entry named. */
  strayFiles: number;
}

/** `--logout`: every token file and registry entry of the provider. */
export function removeAllAccounts(
  paths: CcsPaths,
  providerId: string,
  wait: LockWait = {},
): Promise<LogoutResult> {
  return updateAccountsFile(
    paths,
    async (file) => {
      const entries = Object.values(file.providers[providerId]?.accounts ?? {});
      for (const entry of entries) {
        await deleteTokenFile(path.resolve(paths.authDir, entry.tokenFile));
      }
      delete file.providers[providerId];
      const stray = await strayTokenFiles(paths, file, providerId);
      for (const tokenFile of stray) await deleteTokenFile(tokenFile);
      return { accounts: entries.length, strayFiles: stray.length };
    },
    wait,
  );
}

/** The `token_type` of an API-key account's token file. */
export const API_KEY_TOKEN_TYPE = 'api-key';

/** Token files of API-key accounts never expire; the refresh loop leaves them alone. */
export const NEVER_EXPIRES = '9999-12-31T23:59:59.000Z';

/**
 * Stores an API key as an account of an `api-key` provider. The account id
 * is a fingerprint of the key, so entering the same key twice updates the
 * same account; the key itself appears only in the 0600 token file.
 */
export async function recordApiKey(
  paths: CcsPaths,
  providerId: string,
  entry: { apiKey: string; nickname?: string; now: Date; signal?: AbortSignal },
): Promise<{ account: Account; created: boolean }> {
  const { createHash } = await import('node:crypto');
  const fingerprint = createHash('sha256').update(entry.apiKey).digest('hex').slice(0, 12);
  const lastFour = entry.apiKey.replace(/[^A-Za-z0-9]/g, '').slice(-4) || 'key';
  return recordLogin(paths, providerId, {
    identity: { email: '', phone: `key-${fingerprint}` },
    tokens: {
      access_token: '',
      refresh_token: '',
      api_key: entry.apiKey,
      expired: NEVER_EXPIRES,
      last_refresh: entry.now.toISOString(),
      token_type: API_KEY_TOKEN_TYPE,
      scope: '',
    },
    ...(entry.nickname ? { nickname: entry.nickname } : {}),
    defaultNickname: `key-${lastFour}`,
    now: entry.now,
    signal: entry.signal,
  });
}
