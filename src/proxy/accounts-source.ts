import { stat } from 'node:fs/promises';
import { listAccounts } from '../accounts/registry.js';
import type { TokenFile } from '../accounts/schemas.js';
import { readTokenFile } from '../accounts/token-store.js';
import { credentialFor } from '../auth/refresh.js';
import type { CcsPaths } from '../home.js';
import type { ProviderDefinition } from '../providers/types.js';
import type { AccountSource, PoolAccount } from './account-pool.js';

async function mtimeOf(file: string): Promise<string> {
  try {
    const info = await stat(file);
    return `${info.mtimeMs}:${info.size}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}

/**
 * The provider's accounts from accounts.json, re-read only when the file's
 * mtime or size changed (an account paused, added or removed in another ccs
 * process), and checked at most every `recheckMs`. The same array is
 * returned while nothing changed.
 */
export function registryAccountSource(
  paths: CcsPaths,
  providerId: string,
  recheckMs = 1000,
): AccountSource {
  let seen: string | undefined;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let accounts: PoolAccount[] = [];
  let pending: Promise<PoolAccount[]> | undefined;

  const load = async (): Promise<PoolAccount[]> => {
    checkedAt = performance.now();
    const version = await mtimeOf(paths.accountsFile);
    if (version === seen) return accounts;
    const listed = await listAccounts(paths, providerId);
    seen = version;
    accounts = listed.map((a) => ({
      id: a.id,
      nickname: a.nickname,
      tokenPath: a.tokenPath,
      paused: a.paused,
    }));
    return accounts;
  };

  return {
    current: () => {
      if (seen !== undefined && performance.now() - checkedAt < recheckMs) {
        return Promise.resolve(accounts);
      }
      pending ??= load().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}

/** A provider that takes no key has one implicit account. */
export function keylessAccountSource(): AccountSource {
  const accounts: PoolAccount[] = [
    { id: 'local', nickname: 'local', tokenPath: '', paused: false },
  ];
  return { current: async () => accounts };
}

export type Credential =
  | { type: 'ok'; apiKey: string; version: string }
  | { type: 'needs-login'; version: string };

/**
 * Token files cached by mtime: a refresh in this or another process rewrites
 * the file, and the next request sees the new key without re-reading every time.
 */
export class CredentialStore {
  private readonly cache = new Map<
    string,
    { version: string; checkedAt: number; credential: Credential }
  >();

  constructor(
    private readonly provider: ProviderDefinition,
    private readonly resolve: (
      provider: ProviderDefinition,
      tokens: TokenFile,
    ) => string = credentialFor,
    /** A cached token file is stat'ed again only after this long. */
    private readonly recheckMs = 1000,
  ) {}

  async get(account: PoolAccount): Promise<Credential> {
    if (!account.tokenPath) return { type: 'ok', apiKey: '', version: 'none' };
    const cached = this.cache.get(account.tokenPath);
    const now = performance.now();
    if (cached && now - cached.checkedAt < this.recheckMs) return cached.credential;
    const version = await mtimeOf(account.tokenPath);
    if (cached && cached.version === version) {
      cached.checkedAt = now;
      return cached.credential;
    }

    const tokens = await readTokenFile(account.tokenPath);
    let credential: Credential;
    if (!tokens || tokens.needs_login) credential = { type: 'needs-login', version };
    else {
      const apiKey = this.resolve(this.provider, tokens);
      credential = apiKey ? { type: 'ok', apiKey, version } : { type: 'needs-login', version };
    }
    this.cache.set(account.tokenPath, { version, checkedAt: now, credential });
    return credential;
  }

  /** Forget a cached key (after a refresh the file is re-read anyway by mtime). */
  forget(account: PoolAccount): void {
    this.cache.delete(account.tokenPath);
  }
}
