import { describe, expect, it, vi } from 'vitest';
import { LaunchScreen } from '../../screens/LaunchScreen.js';
import { setAccountPaused } from '../../src/accounts/registry.js';
import { UserError } from '../../src/errors.js';
import {
  ENTER,
  fakeSession,
  makeServices,
  PROVIDER,
  renderSized,
  renderWith,
  seedAccount,
  setUpTuiTest,
  waitForFrame,
} from './helpers.js';

const bed = setUpTuiTest();

function setup(session = fakeSession(), summary?: Parameters<typeof LaunchScreen>[0]['summary']) {
  const onLaunch = vi.fn();
  const onLogin = vi.fn();
  const app = renderWith(
    makeServices(bed.paths, { session }),
    <LaunchScreen
      provider={PROVIDER}
      active
      onLaunch={onLaunch}
      onLogin={onLogin}
      onBack={() => {}}
      {...(summary ? { summary } : {})}
    />,
  );
  return { app, onLaunch, onLogin };
}

describe('LaunchScreen', () => {
  it('says what will run and starts only when the proxy is up and an account is usable', async () => {
    const { app, onLaunch, onLogin } = setup();
    const frame = await waitForFrame(app, 'No usable account: press n to log in.');
    expect(frame).toContain('account   none');
    expect(frame).toContain('model     qwen3-coder-plus');
    expect(frame).toContain('endpoint  http://127.0.0.1:9/v1');
    app.stdin.write(ENTER);
    app.stdin.write('n');
    await vi.waitFor(() => expect(onLogin).toHaveBeenCalledOnce());
    expect(onLaunch).not.toHaveBeenCalled();
    app.unmount();
  });

  it('names the account that will serve when the default is paused', async () => {
    await seedAccount(bed.paths, 'ann@example.com');
    await seedAccount(bed.paths, 'bob@example.com');
    await setAccountPaused(bed.paths, 'iflow', 'ann@example.com', true);
    const { app } = setup();
    const frame = await waitForFrame(app, 'Ready: press Enter');
    expect(frame).toContain('account   bob (bob@example.com); the default, ann, is paused');
    app.unmount();
  });

  it('shows why the session could not start, and tries again on r', async () => {
    await seedAccount(bed.paths, 'ann@example.com');
    const session = fakeSession();
    let attempts = 0;
    session.prepare = async () => {
      attempts++;
      if (attempts === 1) {
        throw new UserError('claude_not_found', 'Claude Code (`claude`) was not found on PATH.');
      }
      return { proxyUrl: 'http://127.0.0.1:4999' };
    };
    const { app, onLaunch } = setup(session);
    await waitForFrame(app, 'was not found on PATH. Press r to try again.');
    // The proxy is not to blame for a missing claude.
    expect(app.lastFrame()).toMatch(/proxy\s+not started/);
    expect(app.lastFrame()).not.toMatch(/proxy\s+failed/);
    app.stdin.write(ENTER);
    app.stdin.write('r');
    await waitForFrame(app, 'Ready: press Enter to start claude.');
    expect(onLaunch).not.toHaveBeenCalled();
    app.stdin.write(ENTER);
    await vi.waitFor(() => expect(onLaunch).toHaveBeenCalledOnce());
    app.unmount();
  });

  it('shows the summary of the last run above what runs next', async () => {
    await seedAccount(bed.paths, 'ann@example.com');
    const { app } = setup(fakeSession(), {
      exitCode: 0,
      durationMs: 125_000,
      requests: 12,
      inputTokens: 3400,
      outputTokens: 560,
      errors: 0,
      failovers: 2,
    });
    const frame = await waitForFrame(app, 'claude finished.');
    expect(frame).toMatch(/duration +2m/);
    expect(frame).toMatch(/requests +12/);
    expect(frame).toMatch(/tokens in +3400/);
    expect(frame).toMatch(/failovers +2/);
    app.unmount();
  });

  it('fits the summary and what runs next in 60×20, offering only keys that work', async () => {
    await seedAccount(bed.paths, 'ann@example.com');
    const view = renderSized(
      makeServices(bed.paths, { session: fakeSession() }),
      <LaunchScreen
        provider={PROVIDER}
        active
        onLaunch={() => {}}
        onLogin={() => {}}
        onBack={() => {}}
        summary={{
          exitCode: 3,
          durationMs: 4_000,
          requests: 1,
          inputTokens: 10,
          outputTokens: 5,
          errors: 0,
          failovers: 0,
        }}
      />,
      60,
      20,
    );
    const frame = await waitForFrame(view, 'Ready: press Enter to start claude.');
    const lines = frame.split('\n');
    expect(lines).toHaveLength(19);
    expect(lines.every((line) => line.length <= 60)).toBe(true);
    for (const label of ['provider', 'account', 'model', 'endpoint', 'proxy']) {
      expect(lines.some((line) => line.startsWith(` ${label.padEnd(10)}`))).toBe(true);
    }
    expect(frame).toMatch(/exit code 3/);
    expect(frame).toMatch(/failovers 0/);
    // r only retries a failed start; it is not offered while the proxy is up.
    expect(lines.at(-1)).toContain('q/esc back');
    expect(lines.at(-1)).not.toContain('r retry');
    view.unmount();
  });
});
