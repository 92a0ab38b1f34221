import { type FSWatcher, watch } from 'node:fs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { identityLabel } from '../src/accounts/identity.js';
import {
  listAccounts,
  removeAccount,
  renameAccount,
  setAccountPaused,
  setDefaultAccount,
} from '../src/accounts/registry.js';
import { readTokenFile } from '../src/accounts/token-store.js';
import { describeError } from '../src/errors.js';
import { ensureDir } from '../src/fs/atomic.js';
import { type AccountView, accountState } from './account-state.js';
import { type TuiServices, useServices } from './services.js';

async function loadAccounts(
  services: TuiServices,
  providerId: string,
  cooling: ReadonlyMap<string, number>,
): Promise<AccountView[]> {
  const accounts = await listAccounts(services.paths, providerId);
  const now = services.clock.now();
  return Promise.all(
    accounts.map(async (account) => {
      const tokens = await readTokenFile(account.tokenPath).catch(() => undefined);
      return {
        id: account.id,
        nickname: account.nickname,
        label: identityLabel(account),
        isDefault: account.isDefault,
        paused: account.paused,
        state: accountState(account, tokens, now, cooling.get(account.id)),
      };
    }),
  );
}

/**
 * A provider's accounts, kept current: re-read on mount, whenever a file
 * under cliproxy/ changes (another ccs process, a refresh) and when the
 * session reports a cooldown. The actions write through the registry.
 */
export function useAccounts(providerId: string) {
  const services = useServices();
  const [accounts, setAccounts] = useState<AccountView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cooling = useRef(new Map<string, number>());
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const next = await loadAccounts(services, providerId, cooling.current);
      // A slower, older read must not overwrite a newer one.
      if (mine !== generation.current) return;
      setAccounts(next);
      setError(null);
    } catch (failure) {
      if (mine === generation.current) setError(describeError(failure));
    }
  }, [services, providerId]);

  useEffect(() => {
    let closed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const watchers: FSWatcher[] = [];
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 40);
    };
    void reload();
    void (async () => {
      for (const dir of [services.paths.cliproxyDir, services.paths.authDir]) {
        try {
          await ensureDir(dir);
          if (closed) return;
          const watcher = watch(dir, schedule);
          // A watch can fail later (the directory removed by hand); the list
          // then stays as last read, which is no reason to crash the app.
          watcher.on('error', (failure) => {
            services.logger.warn('stopped watching for account changes', {
              dir,
              error: String(failure),
            });
            watcher.close();
          });
          watchers.push(watcher);
        } catch (failure) {
          services.logger.warn('cannot watch for account changes', { dir, error: String(failure) });
        }
      }
    })();
    const unsubscribe = services.session.subscribe((notice) => {
      if (notice.type === 'cooling') cooling.current.set(notice.accountId, notice.until);
      schedule();
    });
    return () => {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      unsubscribe();
    };
  }, [services, reload]);

  const run = useCallback(
    async (action: () => Promise<unknown>): Promise<boolean> => {
      try {
        await action();
        await reload();
        return true;
      } catch (failure) {
        setError(describeError(failure));
        return false;
      }
    },
    [reload],
  );

  const { paths } = services;
  return {
    accounts,
    error,
    reload,
    setDefault: (nickname: string) => run(() => setDefaultAccount(paths, providerId, nickname)),
    rename: (from: string, to: string) => run(() => renameAccount(paths, providerId, from, to)),
    setPaused: (id: string, paused: boolean) =>
      run(() => setAccountPaused(paths, providerId, id, paused)),
    remove: (id: string) => run(() => removeAccount(paths, providerId, id)),
  };
}
