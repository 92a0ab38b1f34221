import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/**
 * The one place that knows where the config home is. Everything else takes a
 * `CcsPaths` (or a home directory) as a parameter, so tests run in temp dirs.
 */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CCS_HOME?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(os.homedir(), '.ccs');
}

export interface CcsPaths {
  readonly home: string;
  readonly cliproxyDir: string;
  readonly authDir: string;
  readonly accountsFile: string;
  readonly configFile: string;
  readonly proxyKeyFile: string;
  readonly logsDir: string;
  readonly logFile: string;
  settingsFile(providerId: string): string;
  tokenFile(providerId: string, accountId: string): string;
}

/** The longest account id part of a token file name, well under the 255 of most file systems. */
const MAX_FILE_ID = 120;

/**
 * An account id as part of a file name: characters outside a safe set become
 * `_`. An id longer than MAX_FILE_ID is cut and ends in `~` and a hash of the
 * whole id, so two ids that share their first 120 characters keep apart; a
 * `~` never survives the replacement, so a cut name cannot equal a whole one.
 * Names of shorter ids are as they always were: they are on users' disks.
 */
export function fileSafe(id: string): string {
  const safe = id.replace(/[^a-zA-Z0-9@._+-]/g, '_');
  if (safe.length <= MAX_FILE_ID) return safe;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 12);
  return `${safe.slice(0, MAX_FILE_ID - hash.length - 1)}~${hash}`;
}

export function ccsPaths(home: string = resolveHome()): CcsPaths {
  const cliproxyDir = path.join(home, 'cliproxy');
  const authDir = path.join(cliproxyDir, 'auth');
  const logsDir = path.join(home, 'logs');
  return {
    home,
    cliproxyDir,
    authDir,
    accountsFile: path.join(cliproxyDir, 'accounts.json'),
    configFile: path.join(cliproxyDir, 'config.yaml'),
    proxyKeyFile: path.join(cliproxyDir, 'proxy.key'),
    logsDir,
    logFile: path.join(logsDir, 'ccs.log'),
    settingsFile: (providerId) => path.join(home, `${providerId}.settings.json`),
    tokenFile: (providerId, accountId) =>
      path.join(authDir, `${providerId}-${fileSafe(accountId)}.json`),
  };
}
