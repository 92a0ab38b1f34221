import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Directories under the config home hold secrets: owner only. */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

export interface WriteOptions {
  /** File mode; defaults to 0600 because most of what ccs writes is secret. */
  mode?: number;
}

/**
 * Writes `data` to `file` so that readers see either the old or the new
 * content, never a partial one: write a temp file beside it, fsync, rename.
 * A crash or Ctrl-C mid-write leaves at most a stray temp file, which is
 * removed on the error path.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600;
  await ensureDir(path.dirname(file));
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    // open() honours the umask; chmod makes the mode exact.
    await chmod(temp, mode);
    await rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
}
