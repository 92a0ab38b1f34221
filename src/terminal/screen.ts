/**
 * Owns the terminal modes a full-screen app changes: the alternate screen,
 * raw mode, the cursor and the flow of stdin. Ink 6 has no alternate-screen
 * or suspend API, so this module does it, and puts the terminal back exactly
 * on every way out: a normal quit, Ctrl-C, a thrown error, an unhandled
 * rejection and SIGHUP (an SSH connection dropping).
 */

export const ENTER_ALT_SCREEN = '\u001B[?1049h';
export const LEAVE_ALT_SCREEN = '\u001B[?1049l';
export const HIDE_CURSOR = '\u001B[?25l';
export const SHOW_CURSOR = '\u001B[?25h';
export const CLEAR_SCREEN = '\u001B[2J\u001B[H';

/** The parts of a TTY read stream this module touches. */
export interface TerminalInput {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  pause(): unknown;
  resume(): unknown;
}

/**
 * The libuv handle under a tty.ReadStream. `pause()` alone does not stop it
 * reading: it keeps pulling bytes into the stream's buffer until the
 * high-water mark, which would steal keystrokes from the program we handed
 * the terminal to. Stopping the handle is the only way to leave the bytes
 * in the kernel for that program; `reading` is Node's own flag for it.
 */
interface ReadHandle {
  reading?: boolean;
  readStop(): unknown;
  readStart(): unknown;
}

function readHandle(stdin: TerminalInput): ReadHandle | undefined {
  const handle = (stdin as { _handle?: Partial<ReadHandle> })._handle;
  return handle && typeof handle.readStop === 'function' && typeof handle.readStart === 'function'
    ? (handle as ReadHandle)
    : undefined;
}

export interface TerminalOutput {
  write(data: string): unknown;
}

/** The process-level hooks; `process` in production, a fake in tests. */
export interface ProcessHooks {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

export type ScreenState = 'idle' | 'active' | 'suspended' | 'restored';

export interface TerminalScreen {
  readonly state: ScreenState;
  /** Alternate screen on, cursor hidden, screen cleared; exit handlers armed. */
  enter(): void;
  /** Hands the terminal to another program: alt screen left, raw off, stdin paused. */
  suspend(): void;
  /** Takes the terminal back after `suspend`. */
  resume(): void;
  /** Puts the terminal back as it was and disarms the handlers; safe to call twice. */
  restore(): void;
}

export interface TerminalScreenOptions {
  stdin: TerminalInput;
  stdout: TerminalOutput;
  /** Where fatal errors are reported after the terminal is restored. */
  stderr: TerminalOutput;
  processHooks?: ProcessHooks;
  /** Ends the process after a fatal signal or error; `process.exit` by default. */
  exit?: (code: number) => void;
  /** Turns an uncaught error into the line printed after restoring. */
  describe?: (error: unknown) => string;
}

/** Exit codes for the signals that end the app: 128 + signal number. */
const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129 };

export function createTerminalScreen(options: TerminalScreenOptions): TerminalScreen {
  const { stdin, stdout, stderr } = options;
  const hooks: ProcessHooks = options.processHooks ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const describe =
    options.describe ??
    ((error: unknown) => (error instanceof Error ? error.stack : String(error)));
  const wasRaw = stdin.isRaw === true;
  let state: ScreenState = 'idle';
  let readingStopped = false;

  // Writes can fail once the terminal is gone (EIO after SIGHUP); restoring
  // must still finish every other step.
  const write = (data: string) => {
    try {
      stdout.write(data);
    } catch {
      // The terminal is gone; nothing left to restore on it.
    }
  };
  const setRaw = (mode: boolean) => {
    try {
      if (stdin.isTTY && stdin.setRawMode) stdin.setRawMode(mode);
    } catch {
      // Same: a closed TTY cannot change mode.
    }
  };

  const onExit = () => restore();
  const onSignal = (signal: unknown) => {
    // While another program owns the terminal the signal is its business:
    // the launcher forwards it, and the app ends when that program does.
    if (state === 'suspended') return;
    restore();
    exit(SIGNAL_EXIT[String(signal)] ?? 1);
  };
  const onFatal = (error: unknown) => {
    restore();
    try {
      stderr.write(`${describe(error)}\n`);
    } catch {
      // stderr gone as well.
    }
    exit(1);
  };
  const handlers: Array<[string, (...args: unknown[]) => void]> = [
    ['exit', onExit],
    // SIGINT and SIGTERM reach the app through the command's AbortSignal
    // and unwind normally; SIGHUP has no such path, so it is handled here.
    ['SIGHUP', onSignal],
    ['uncaughtException', onFatal],
    ['unhandledRejection', onFatal],
  ];

  function leaveModes() {
    write(`${SHOW_CURSOR}${LEAVE_ALT_SCREEN}`);
    setRaw(wasRaw);
    stdin.pause();
    const handle = readHandle(stdin);
    if (handle?.reading) {
      handle.reading = false;
      handle.readStop();
      readingStopped = true;
    }
  }

  function enter() {
    if (state !== 'idle') return;
    for (const [event, handler] of handlers) hooks.on(event, handler);
    write(`${ENTER_ALT_SCREEN}${HIDE_CURSOR}${CLEAR_SCREEN}`);
    state = 'active';
  }

  function suspend() {
    if (state !== 'active') return;
    leaveModes();
    state = 'suspended';
  }

  function resume() {
    if (state !== 'suspended') return;
    write(`${ENTER_ALT_SCREEN}${HIDE_CURSOR}${CLEAR_SCREEN}`);
    // The stream still believes a read is pending, so it will not ask the
    // handle again by itself; restart it. Raw mode is Ink's to switch on.
    const handle = readHandle(stdin);
    if (readingStopped && handle && !handle.reading) {
      handle.reading = true;
      handle.readStart();
    }
    readingStopped = false;
    state = 'active';
  }

  function restore() {
    if (state === 'idle' || state === 'restored') return;
    for (const [event, handler] of handlers) hooks.off(event, handler);
    if (state === 'active') leaveModes();
    state = 'restored';
  }

  return {
    get state() {
      return state;
    },
    enter,
    suspend,
    resume,
    restore,
  };
}
