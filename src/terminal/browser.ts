import { spawn } from 'node:child_process';
import { isSshSession } from './escapes.js';

export type SpawnLike = (
  command: string,
  args: string[],
  options: { detached: boolean; stdio: 'ignore' },
) => { unref(): void; on(event: 'error', listener: (error: Error) => void): unknown };

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
 * would open on the remote machine, where nobody is looking, so it refuses
 * and returns false; the caller shows the URL instead.
 */
export function openBrowser(
  url: string,
  options: { env: NodeJS.ProcessEnv; platform?: NodeJS.Platform; spawn?: SpawnLike },
): boolean {
  if (isSshSession(options.env)) return false;
  const { command, args } = browserCommand(options.platform ?? process.platform, url);
  const run = options.spawn ?? (spawn as unknown as SpawnLike);
  try {
    const child = run(command, args, { detached: true, stdio: 'ignore' });
    // A missing xdg-open is not worth crashing over; the URL is on screen.
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}
