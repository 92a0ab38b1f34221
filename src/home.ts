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

/** Characters allowed in a token file name; everything else becomes `_`. */
export function fileSafe(id: string): string {
  return id.replace(/[^a-zA-Z0-9@._+-]/g, '_').slice(0, 120);
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
