import { spawn } from 'node:child_process';
import { isSshSession } from './escapes.js';

export type SpawnLike = (
  command: string,
  args: string[],
  options: { detached: boolean; stdio: 'ignore' },
) => {
  unref(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'spawn', listener: () => void): unknown;
};

/** What became of a request to open the browser. */
export type BrowserOutcome = 'opened' | 'ssh' | { failed: string };

/** The command that opens a URL in the default browser on this platform. */
export function browserCommand(
  platform: NodeJS.Platform,
  url: string,
): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url] };
  return { command: 'xdg-open', args: [url] };
}

/**
 * Opens `url` in a browser when the session is local. Over SSH a browser
 * would open on the remote machine, where nobody is looking, so it refuses;
 * the caller shows the URL instead. Resolves once the opener has started,
 * or failed to (no xdg-open on a server, say), so the user is told which.
 */
export function openBrowser(
  url: string,
  options: { env: NodeJS.ProcessEnv; platform?: NodeJS.Platform; spawn?: SpawnLike },
): Promise<BrowserOutcome> {
  if (isSshSession(options.env)) return Promise.resolve('ssh');
  const { command, args } = browserCommand(options.platform ?? process.platform, url);
  const run = options.spawn ?? (spawn as unknown as SpawnLike);
  return new Promise((resolve) => {
    try {
      const child = run(command, args, { detached: true, stdio: 'ignore' });
      child.on('spawn', () => resolve('opened'));
      child.on('error', (error) => {
        const code = (error as NodeJS.ErrnoException).code;
        resolve({ failed: code === 'ENOENT' ? `${command} was not found` : error.message });
      });
      child.unref();
    } catch (error) {
      resolve({ failed: error instanceof Error ? error.message : String(error) });
    }
  });
}
