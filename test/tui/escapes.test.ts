import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { browserCommand, openBrowser, type SpawnLike } from '../../src/terminal/browser.js';
import {
  clipboardSequence,
  hyperlink,
  isSshSession,
  supportsHyperlinks,
} from '../../src/terminal/escapes.js';

describe('terminal escapes', () => {
  it('wraps a link in OSC 8', () => {
    expect(hyperlink('http://127.0.0.1:1/device', 'open')).toBe(
      '\u001B]8;;http://127.0.0.1:1/device\u001B\\open\u001B]8;;\u001B\\',
    );
  });

  it('writes the clipboard with OSC 52 and base64', () => {
    expect(clipboardSequence('ABCD-EFGH', {})).toBe(
      `\u001B]52;c;${Buffer.from('ABCD-EFGH').toString('base64')}\u0007`,
    );
  });

  it('passes OSC 52 through tmux with the escapes doubled', () => {
    const sequence = clipboardSequence('X', { TMUX: '/tmp/tmux-0/default,1,0' });
    expect(sequence.startsWith('\u001BPtmux;\u001B\u001B]52;c;')).toBe(true);
    expect(sequence.endsWith('\u001B\\')).toBe(true);
  });

  it('knows an SSH session by SSH_CONNECTION or SSH_TTY', () => {
    expect(isSshSession({})).toBe(false);
    expect(isSshSession({ SSH_CONNECTION: '10.0.0.2 5000 10.0.0.1 22' })).toBe(true);
    expect(isSshSession({ SSH_TTY: '/dev/pts/3' })).toBe(true);
  });

  it('turns links off for dumb terminals and on request', () => {
    expect(supportsHyperlinks({ TERM: 'xterm-256color' })).toBe(true);
    expect(supportsHyperlinks({ TERM: 'dumb' })).toBe(false);
    expect(supportsHyperlinks({ CCS_NO_HYPERLINKS: '1' })).toBe(false);
  });
});

describe('openBrowser', () => {
  /** A spawn that records the call and then starts, or fails with `error`. */
  function recorder(error?: NodeJS.ErrnoException) {
    const calls: Array<{ command: string; args: string[] }> = [];
    const spawn: SpawnLike = (command, args) => {
      calls.push({ command, args });
      const child = new EventEmitter();
      queueMicrotask(() => (error ? child.emit('error', error) : child.emit('spawn')));
      return Object.assign(child, { unref: () => {} });
    };
    return { calls, spawn };
  }

  it('opens the URL with the platform command when local', async () => {
    const { calls, spawn } = recorder();
    expect(await openBrowser('http://x/device', { env: {}, platform: 'linux', spawn })).toBe(
      'opened',
    );
    expect(calls).toEqual([{ command: 'xdg-open', args: ['http://x/device'] }]);
    expect(browserCommand('darwin', 'u')).toEqual({ command: 'open', args: ['u'] });
  });

  it('says the opener is missing instead of claiming success', async () => {
    const missing = Object.assign(new Error('spawn xdg-open ENOENT'), { code: 'ENOENT' });
    const { spawn } = recorder(missing);
    expect(await openBrowser('http://x', { env: {}, platform: 'linux', spawn })).toEqual({
      failed: 'xdg-open was not found',
    });
  });

  it('refuses over SSH, where the browser would open on the wrong machine', async () => {
    const { calls, spawn } = recorder();
    expect(await openBrowser('http://x', { env: { SSH_TTY: '/dev/pts/1' }, spawn })).toBe('ssh');
    expect(calls).toEqual([]);
  });
});
