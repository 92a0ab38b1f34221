import { randomBytes } from 'node:crypto';
import { link, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { CorruptFileError } from '../errors.js';
import { ensureDir } from '../fs/atomic.js';
import { newSecret } from './secret.js';

const KEY_PATTERN = /^[A-Za-z0-9._~+/=-]{16,512}$/;

async function readKey(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = text.trim();
  if (!KEY_PATTERN.test(key)) {
    throw new CorruptFileError(file, 'expected one line holding the proxy secret');
  }
  return key;
}

/**
 * The standalone proxy's secret, kept in `cliproxy/proxy.key` (0600) so an
 * IDE configured with it keeps working across restarts. Created once: the
 * new key is written to a temp file and hard-linked into place, which fails
 * if another ccs created the file first, in which case that one is used.
 */
export async function loadOrCreateProxyKey(file: string): Promise<string> {
  const existing = await readKey(file);
  if (existing) return existing;

  await ensureDir(path.dirname(file));
  const key = newSecret();
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${key}\n`);
    await handle.sync();
    await handle.close();
    await link(temp, file);
    return key;
  } catch (error) {
    await handle.close().catch(() => {});
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readKey(file);
    if (!winner) throw error;
    return winner;
  } finally {
    await rm(temp, { force: true });
  }
}
