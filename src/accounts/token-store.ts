import { rm } from 'node:fs/promises';
import { readJsonFile, writeJsonFile } from '../fs/json-file.js';
import { withFileLock } from '../fs/lock.js';
import { type TokenFile, tokenFileSchema } from './schemas.js';

/** Reads one token file; `undefined` when it does not exist. */
export function readTokenFile(file: string): Promise<TokenFile | undefined> {
  return readJsonFile(file, tokenFileSchema);
}

/** Writes a token file atomically with mode 0600 (caller holds the lock). */
export function writeTokenFile(file: string, tokens: TokenFile): Promise<void> {
  return writeJsonFile(file, tokens, 0o600);
}

/**
 * Read-modify-write of a token file under its lock, so a refresh in one
 * process and a login in another never lose each other's write. `update`
 * sees the current content (re-read inside the lock) and returns the new one,
 * or `undefined` to leave the file alone.
 */
export function updateTokenFile(
  file: string,
  update: (
    current: TokenFile | undefined,
  ) => Promise<TokenFile | undefined> | TokenFile | undefined,
  options: { signal?: AbortSignal } = {},
): Promise<TokenFile | undefined> {
  return withFileLock(
    file,
    async () => {
      const current = await readTokenFile(file);
      const next = await update(current);
      if (next) await writeTokenFile(file, next);
      return next ?? current;
    },
    options,
  );
}

export async function deleteTokenFile(file: string): Promise<void> {
  await rm(file, { force: true });
}
