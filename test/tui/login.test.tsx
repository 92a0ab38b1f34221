import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LoginRequest } from '../../hooks/services.js';
import { MASK } from '../../screens/ApiKeyLoginScreen.js';
import { LoginScreen } from '../../screens/LoginScreen.js';
import type { Account } from '../../src/accounts/registry.js';
import { UserError } from '../../src/errors.js';
import {
  ENTER,
  ESC,
  effectsFlushed,
  KEYED,
  makeServices,
  PROVIDER,
  renderSized,
  renderWith,
  setUpTuiTest,
  waitForFrame,
} from './helpers.js';

const bed = setUpTuiTest();

/** A login whose every step the test decides. */
function scriptedLogin() {
  const requests: LoginRequest[] = [];
  const settle: Array<{
    resolve: (v: { account: Account; created: boolean }) => void;
    reject: (e: unknown) => void;
  }> = [];
  const login = (request: LoginRequest) => {
    requests.push(request);
    return new Promise<{ account: Account; created: boolean }>((resolve, reject) => {
      settle.push({ resolve, reject });
      request.signal.addEventListener('abort', () => reject(new Error('aborted')));
    });
  };
  const code = (expiresInMs = 600_000, request = requests.at(-1)!) =>
    request.onEvent({
      type: 'code',
      authorization: {
        userCode: 'WXYZ-2345',
        verificationUri: 'http://127.0.0.1:9/device',
        verificationUriComplete: 'http://127.0.0.1:9/device?user_code=WXYZ-2345',
        expiresAt: Date.now() + expiresInMs,
        intervalSec: 5,
      },
    });
  return { login, requests, settle, code };
}

const ACCOUNT = {
  id: 'ann@example.com',
  email: 'ann@example.com',
  nickname: 'ann',
  isDefault: true,
} as Account;

afterEach(() => {
  vi.useRealTimers();
});

function setup(overrides: Parameters<typeof makeServices>[1] = {}) {
  const script = scriptedLogin();
  const services = makeServices(bed.paths, { login: script.login, ...overrides });
  const onDone = vi.fn();
  const onCancel = vi.fn();
  const app = renderWith(
    services,
    <LoginScreen provider={PROVIDER} active onDone={onDone} onCancel={onCancel} />,
  );
  return { app, services, script, onDone, onCancel };
}

describe('LoginScreen', () => {
  it('shows the code big and plain, the link, the time left and what the server said', async () => {
    const { app, script } = setup();
    await waitForFrame(app, 'Asking iFlow for a code');
    script.code();
    const frame = await waitForFrame(app, 'Code: WXYZ-2345');
    expect(frame).toContain('█   █'); // W in block letters
    expect(frame).toContain('http://127.0.0.1:9/device');
    expect(frame).toContain('Expires in 10:00');
    expect(frame).toContain('Waiting for approval in the browser');

    script.requests[0]!.onEvent({ type: 'status', status: { type: 'slow_down', intervalSec: 10 } });
    await waitForFrame(app, 'asked us to slow down: checking every 10s');
    script.requests[0]!.onEvent({
      type: 'status',
      status: { type: 'retrying', reason: 'HTTP 503', inMs: 3000 },
    });
    await waitForFrame(app, 'Could not reach the server (HTTP 503); retrying in 3s');
    app.unmount();
  });

  it('copies the code with OSC 52 on c, and opens the browser on o', async () => {
    const { app, script, services } = setup();
    await waitForFrame(app, 'Asking');
    script.code();
    await waitForFrame(app, 'Code: WXYZ-2345');
    app.stdin.write('c');
    await waitForFrame(app, 'Code copied to the clipboard.');
    expect(services.raw).toEqual([
      `\u001B]52;c;${Buffer.from('WXYZ-2345').toString('base64')}\u0007`,
    ]);
    app.stdin.write('o');
    await waitForFrame(app, 'Opened the browser.');
    expect(services.opened).toEqual(['http://127.0.0.1:9/device?user_code=WXYZ-2345']);
    app.unmount();
  });

  it('says so when no browser could be started', async () => {
    const { app, script } = setup({
      openBrowser: async () => ({ failed: 'xdg-open was not found' }),
    });
    await waitForFrame(app, 'Asking');
    script.code();
    await waitForFrame(app, 'Code: WXYZ-2345');
    app.stdin.write('o');
    await waitForFrame(
      app,
      'Could not open a browser (xdg-open was not found): open the link on any device.',
    );
    app.unmount();
  });

  it('does not offer the browser over SSH', async () => {
    const { app, script, services } = setup({
      isSsh: true,
      openBrowser: async () => 'ssh',
    });
    await waitForFrame(app, 'Asking');
    script.code();
    const frame = await waitForFrame(app, 'Code: WXYZ-2345');
    expect(frame).not.toContain('open browser');
    app.stdin.write('o');
    await waitForFrame(app, 'over SSH ccs does not start a browser');
    expect(services.raw).toEqual([]);
    app.unmount();
  });

  it('cancels on Esc: the poll is aborted at once', async () => {
    const { app, script, onCancel } = setup();
    await waitForFrame(app, 'Asking');
    script.code();
    await waitForFrame(app, 'Code: WXYZ-2345');
    app.stdin.write(ESC);
    await vi.waitFor(() => expect(onCancel).toHaveBeenCalledOnce());
    expect(script.requests[0]!.signal.aborted).toBe(true);
    app.unmount();
  });

  it('says the code expired and gets a new one on r', async () => {
    const { app, script } = setup();
    await waitForFrame(app, 'Asking');
    script.code();
    await waitForFrame(app, 'Code: WXYZ-2345');
    script.settle[0]!.reject(
      new UserError('expired_token', 'Device code expired before authorization.'),
    );
    await waitForFrame(app, 'Device code expired before authorization. Press r for a new code.');
    app.stdin.write('r');
    await waitForFrame(app, 'Asking iFlow for a code');
    expect(script.requests).toHaveLength(2);
    app.unmount();
  });

  it('says so when the login was denied, and q gives up', async () => {
    const { app, script, onDone } = setup();
    await waitForFrame(app, 'Asking');
    script.settle[0]!.reject(new UserError('access_denied', 'You refused the request.'));
    await waitForFrame(app, 'The login was denied: You refused the request.');
    app.stdin.write('q');
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledWith({ ok: false }));
    app.unmount();
  });

  it('names the account on success and is done at once, without waiting for a key', async () => {
    const { app, script, onDone } = setup();
    await waitForFrame(app, 'Asking');
    script.code();
    script.requests[0]!.onEvent({ type: 'user-info' });
    await waitForFrame(app, 'Approved; fetching the account details');
    script.settle[0]!.resolve({ account: ACCOUNT, created: true });
    await vi.waitFor(() =>
      expect(onDone).toHaveBeenCalledWith({
        ok: true,
        message: 'Logged in to iFlow as ann (ann@example.com).',
      }),
    );
    // No key is waited for, and one pressed anyway does nothing more.
    app.stdin.write(ENTER);
    await effectsFlushed();
    expect(onDone).toHaveBeenCalledOnce();
    expect(app.lastFrame()).not.toContain('continue');
    app.unmount();
  });

  it('names the account being logged in again, and warns when another one approved', async () => {
    const script = scriptedLogin();
    const services = makeServices(bed.paths, { login: script.login });
    const onDone = vi.fn();
    const again = { accountId: 'work@company.com', nickname: 'work', label: 'work@company.com' };
    const view = renderSized(
      services,
      <LoginScreen provider={PROVIDER} again={again} active onDone={onDone} onCancel={() => {}} />,
      60,
      20,
    );
    await waitForFrame(view, 'Logging in again as work (work@company.com)');
    script.code();
    const frame = await waitForFrame(view, 'Code: WXYZ-2345');
    // Wrapped at 60 columns, and the screen still fits 20 rows.
    expect(frame.replace(/\s+/g, ' ')).toContain(
      'Logging in again as work (work@company.com): approve as that user.',
    );
    expect(frame.split('\n').length).toBeLessThanOrEqual(20);
    expect(script.requests[0]!.nickname).toBeUndefined();
    // ann approved in the browser: stored as ann, and work is still to do.
    script.settle[0]!.resolve({ account: ACCOUNT, created: true });
    await vi.waitFor(() =>
      expect(onDone).toHaveBeenCalledWith({
        ok: true,
        message:
          'Logged in to iFlow as ann (ann@example.com). That is not work, which still needs login.',
      }),
    );
    view.unmount();
  });

  it('saves an API key and is done at once, naming the account', async () => {
    const services = makeServices(bed.paths);
    const onDone = vi.fn();
    const app = renderWith(
      services,
      <LoginScreen provider={KEYED} active onDone={onDone} onCancel={() => {}} />,
    );
    await waitForFrame(app, 'Enter the API key for Corp Gateway');
    app.stdin.write('sk-corp-1234');
    await waitForFrame(app, `API key: ${MASK.repeat(12)}`);
    app.stdin.write(ENTER);
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledOnce());
    const [result] = onDone.mock.calls[0]!;
    expect(result).toMatchObject({ ok: true });
    expect(result.message).toMatch(/^Saved the Corp Gateway API key as [\w.-]+\.$/);
    expect(services.savedKeys).toEqual(['sk-corp-1234']);
    app.unmount();
  });
});

describe('LoginScreen layout', () => {
  async function shown(columns: number, rows: number) {
    const script = scriptedLogin();
    const services = makeServices(bed.paths, { login: script.login });
    const view = renderSized(
      services,
      <LoginScreen provider={PROVIDER} active onDone={() => {}} onCancel={() => {}} />,
      columns,
      rows,
    );
    await waitForFrame(view, 'Asking');
    script.code();
    return view;
  }

  it('adds a QR code of the complete URL beside the code when there is room', async () => {
    const view = await shown(100, 30);
    const frame = await waitForFrame(view, '█▀▀▀▀▀█');
    expect(frame).toContain('Code: WXYZ-2345');
    expect(frame.split('\n').every((line) => line.length <= 100)).toBe(true);
    view.unmount();
  });

  it('keeps the QR code whole beside a status line too long for its column', async () => {
    const script = scriptedLogin();
    const view = renderSized(
      makeServices(bed.paths, { login: script.login }),
      <LoginScreen provider={PROVIDER} active onDone={() => {}} onCancel={() => {}} />,
      100,
      30,
    );
    await waitForFrame(view, 'Asking');
    script.code();
    await waitForFrame(view, '█▀▀▀▀▀█');
    script.requests[0]!.onEvent({
      type: 'status',
      status: { type: 'retrying', reason: 'connect ECONNREFUSED 127.0.0.1:9', inMs: 12_000 },
    });
    const frame = await waitForFrame(view, 'retrying in 12s');
    const lines = frame.split('\n');
    expect(lines.every((line) => line.length <= 100)).toBe(true);
    // The top row holds two finder patterns: the code was not squeezed and wrapped.
    const top = lines.find((line) => line.includes('█▀▀▀▀▀█')) ?? '';
    expect(top.split('█▀▀▀▀▀█')).toHaveLength(3);
    // And every one of its rows (two modules each) is on a line of its own.
    const left = top.indexOf('█▀▀▀▀▀█');
    const size = top.lastIndexOf('█▀▀▀▀▀█') + 7 - left;
    const rows = lines.filter((line) => /[█▀▄]/.test(line.slice(left, left + size)));
    expect(rows).toHaveLength(Math.ceil(size / 2));
    view.unmount();
  });

  it('keeps the block letters and leaves the QR code out at 60×20', async () => {
    const view = await shown(60, 20);
    const frame = await waitForFrame(view, 'Code: WXYZ-2345');
    await effectsFlushed();
    expect(view.lastFrame()).not.toContain('█▀▀▀▀▀█');
    expect(frame).toContain('█   █');
    expect(frame.split('\n')).toHaveLength(19);
    view.unmount();
  });
});

describe('LoginScreen countdown', () => {
  it('reads 00:01 a millisecond before expiry, expired at it, and clears its timer', async () => {
    // setImmediate stays real: React runs effects on it, and the countdown's
    // timer is set in an effect.
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    const { app, script } = setup();
    await effectsFlushed();
    script.code(3_000);
    await effectsFlushed();
    expect(app.lastFrame()).toContain('Expires in 00:03');

    await vi.advanceTimersByTimeAsync(2_999);
    await effectsFlushed();
    expect(app.lastFrame()).toContain('Expires in 00:01');
    expect(vi.getTimerCount()).toBeGreaterThan(0);

    await vi.advanceTimersByTimeAsync(1);
    await effectsFlushed();
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('Code expired');
    expect(frame).toContain('Device code expired before authorization.');

    // Before unmount the spinner's interval is pending; after it, nothing is.
    app.unmount();
    await effectsFlushed();
    expect(vi.getTimerCount()).toBe(0);
  });
});
