import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  createTerminalScreen,
  ENTER_ALT_SCREEN,
  HIDE_CURSOR,
  LEAVE_ALT_SCREEN,
  SHOW_CURSOR,
} from '../../src/terminal/screen.js';

/** A TTY input with the libuv handle a real tty.ReadStream has. */
function fakeStdin(initiallyRaw = false) {
  const handle = { reading: true, starts: 0, stops: 0 };
  const stdin = {
    isTTY: true,
    isRaw: initiallyRaw,
    paused: false,
    rawCalls: [] as boolean[],
    _handle: {
      get reading() {
        return handle.reading;
      },
      set reading(value: boolean) {
        handle.reading = value;
      },
      readStop() {
        handle.stops++;
      },
      readStart() {
        handle.starts++;
      },
    },
    setRawMode(mode: boolean) {
      stdin.rawCalls.push(mode);
      stdin.isRaw = mode;
    },
    pause() {
      stdin.paused = true;
    },
    resume() {
      stdin.paused = false;
    },
  };
  return { stdin, handle };
}

function fakeOut() {
  const out = {
    text: '',
    write(data: string) {
      out.text += data;
      return true;
    },
  };
  return out;
}

function setup(initiallyRaw = false) {
  const { stdin, handle } = fakeStdin(initiallyRaw);
  const stdout = fakeOut();
  const stderr = fakeOut();
  const hooks = new EventEmitter();
  const exits: number[] = [];
  const screen = createTerminalScreen({
    stdin,
    stdout,
    stderr,
    processHooks: hooks,
    exit: (code) => exits.push(code),
    describe: (error) => `failed: ${(error as Error).message}`,
  });
  return { screen, stdin, handle, stdout, stderr, hooks, exits };
}

describe('createTerminalScreen', () => {
  it('enters the alternate screen with the cursor hidden and arms the exit handlers', () => {
    const { screen, stdout, hooks } = setup();
    screen.enter();
    expect(stdout.text.startsWith(`${ENTER_ALT_SCREEN}${HIDE_CURSOR}`)).toBe(true);
    expect(screen.state).toBe('active');
    for (const event of ['exit', 'SIGHUP', 'uncaughtException', 'unhandledRejection']) {
      expect(hooks.listenerCount(event)).toBe(1);
    }
  });

  it('restores everything on quit: cursor, main screen, raw mode as found, stdin stopped', () => {
    const { screen, stdin, handle, stdout, hooks } = setup();
    screen.enter();
    stdin.setRawMode(true); // as Ink does while mounted
    stdout.text = '';
    screen.restore();
    expect(stdout.text).toBe(`${SHOW_CURSOR}${LEAVE_ALT_SCREEN}`);
    expect(stdin.isRaw).toBe(false);
    expect(stdin.paused).toBe(true);
    expect(handle.stops).toBe(1);
    expect(hooks.listenerCount('exit')).toBe(0);
    expect(screen.state).toBe('restored');
  });

  it('is idempotent: a second restore writes nothing', () => {
    const { screen, stdout } = setup();
    screen.enter();
    screen.restore();
    const before = stdout.text;
    screen.restore();
    expect(stdout.text).toBe(before);
  });

  it('keeps raw mode on when it was on before the app started', () => {
    const { screen, stdin } = setup(true);
    screen.enter();
    screen.restore();
    expect(stdin.isRaw).toBe(true);
  });

  it('restores on process exit (the path Ctrl-C and a normal quit end on)', () => {
    const { screen, stdout, hooks } = setup();
    screen.enter();
    hooks.emit('exit', 0);
    expect(stdout.text.endsWith(`${SHOW_CURSOR}${LEAVE_ALT_SCREEN}`)).toBe(true);
    expect(screen.state).toBe('restored');
  });

  it('restores and exits 129 on SIGHUP', () => {
    const { screen, stdout, hooks, exits } = setup();
    screen.enter();
    hooks.emit('SIGHUP', 'SIGHUP');
    expect(stdout.text.endsWith(LEAVE_ALT_SCREEN)).toBe(true);
    expect(exits).toEqual([129]);
  });

  it('restores before reporting an uncaught exception, then exits 1', () => {
    const { screen, stdout, stderr, hooks, exits } = setup();
    screen.enter();
    hooks.emit('uncaughtException', new Error('boom'));
    expect(stdout.text.endsWith(LEAVE_ALT_SCREEN)).toBe(true);
    expect(stderr.text).toBe('failed: boom\n');
    expect(exits).toEqual([1]);
  });

  it('suspends for another program: main screen, cooked mode, no reading at all', () => {
    const { screen, stdin, handle, stdout } = setup();
    screen.enter();
    stdin.setRawMode(true);
    stdout.text = '';
    screen.suspend();
    expect(screen.state).toBe('suspended');
    expect(stdout.text).toBe(`${SHOW_CURSOR}${LEAVE_ALT_SCREEN}`);
    expect(stdin.isRaw).toBe(false);
    expect(stdin.paused).toBe(true);
    expect(handle.reading).toBe(false);
    expect(handle.stops).toBe(1);
  });

  it('leaves a SIGHUP during the hand-off to the launcher, which forwards it', () => {
    const { screen, hooks, exits } = setup();
    screen.enter();
    screen.suspend();
    hooks.emit('SIGHUP', 'SIGHUP');
    expect(exits).toEqual([]);
    expect(screen.state).toBe('suspended');
  });

  it('resumes: alternate screen again and the handle reading again', () => {
    const { screen, handle, stdout } = setup();
    screen.enter();
    screen.suspend();
    stdout.text = '';
    screen.resume();
    expect(screen.state).toBe('active');
    expect(stdout.text.startsWith(`${ENTER_ALT_SCREEN}${HIDE_CURSOR}`)).toBe(true);
    expect(handle.reading).toBe(true);
    expect(handle.starts).toBe(1);
  });

  it('restores from the suspended state without touching the terminal again', () => {
    const { screen, stdout, hooks } = setup();
    screen.enter();
    screen.suspend();
    stdout.text = '';
    screen.restore();
    expect(stdout.text).toBe('');
    expect(hooks.listenerCount('SIGHUP')).toBe(0);
  });

  it('finishes restoring when the terminal is gone (writes throw)', () => {
    const { stdin } = fakeStdin();
    const hooks = new EventEmitter();
    const exits: number[] = [];
    const screen = createTerminalScreen({
      stdin,
      stdout: {
        write: () => {
          throw new Error('EIO');
        },
      },
      stderr: fakeOut(),
      processHooks: hooks,
      exit: (code) => exits.push(code),
    });
    screen.enter();
    stdin.setRawMode(true);
    hooks.emit('SIGHUP', 'SIGHUP');
    expect(stdin.isRaw).toBe(false);
    expect(exits).toEqual([129]);
  });
});
