/**
 * Escape sequences and environment checks for terminal features that work
 * over SSH: OSC 8 hyperlinks, OSC 52 clipboard writes, and telling whether
 * the session is remote (so `o` does not open a browser on the wrong machine).
 */

const OSC = '\u001B]';
const ST = '\u001B\\';
const BEL = '\u0007';

/** True when this process runs inside an SSH session. */
export function isSshSession(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.SSH_CONNECTION || env.SSH_TTY || env.SSH_CLIENT);
}

/**
 * Terminals that do not know OSC 8 ignore it, so links are on unless the
 * terminal is dumb or the user turned them off with `CCS_NO_HYPERLINKS`.
 */
export function supportsHyperlinks(env: NodeJS.ProcessEnv): boolean {
  if (env.CCS_NO_HYPERLINKS) return false;
  return env.TERM !== 'dumb';
}

/** `text` as a clickable link to `url` (OSC 8). */
export function hyperlink(url: string, text: string = url): string {
  return `${OSC}8;;${url}${ST}${text}${OSC}8;;${ST}`;
}

/**
 * The OSC 52 sequence that asks the terminal to put `text` on the system
 * clipboard. It travels through SSH like any other output; inside tmux it is
 * wrapped in a passthrough so tmux hands it to the outer terminal.
 */
export function clipboardSequence(text: string, env: NodeJS.ProcessEnv): string {
  const payload = Buffer.from(text, 'utf8').toString('base64');
  const sequence = `${OSC}52;c;${payload}${BEL}`;
  if (!env.TMUX) return sequence;
  // tmux passthrough: ESC P tmux; <sequence with each ESC doubled> ESC \
  return `\u001BPtmux;${sequence.replaceAll('\u001B', '\u001B\u001B')}${ST}`;
}
