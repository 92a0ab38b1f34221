import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { AccountsScreen } from '../../screens/AccountsScreen.js';
import { setDefaultAccount } from '../../src/accounts/registry.js';
import {
  ARROW_DOWN,
  ARROW_UP,
  BACKSPACE,
  ENTER,
  ESC,
  fakeSession,
  makeServices,
  markNeedsLogin,
  PROVIDER,
  renderSized,
  renderWith,
  seedAccount,
  setUpTuiTest,
  waitForFrame,
} from './helpers.js';

const bed = setUpTuiTest({
  accounts: [['ann@example.com'], ['bob@example.com', 5]],
});

async function registry() {
  const file = JSON.parse(await readFile(bed.paths.accountsFile, 'utf8'));
  return file.providers.iflow as {
    default: string;
    accounts: Record<string, { nickname: string; paused: boolean }>;
  };
}

function setup() {
  const session = fakeSession();
  const services = makeServices(bed.paths, { session });
  const onLogin = vi.fn();
  const onLoginAgain = vi.fn();
  const onBack = vi.fn();
  const app = renderWith(
    services,
    <AccountsScreen
      provider={PROVIDER}
      active
      onLogin={onLogin}
      onLoginAgain={onLoginAgain}
      onBack={onBack}
    />,
  );
  return { app, session, onLogin, onLoginAgain, onBack };
}

describe('AccountsScreen', () => {
  it('lists the accounts with the default marked and their state', async () => {
    const { app } = setup();
    const frame = await waitForFrame(app, 'bob');
    expect(frame).toMatch(/▶ \[default\] ann +ok +ann@example.com/);
    expect(frame).toMatch(/bob +expires in (5h|4h 59m) +bob@example.com/);
    // The columns line up: the states start in one column, the e-mails in another.
    const lines = frame.split('\n');
    const ann = lines.find((l) => l.includes('ann@'))!;
    const bob = lines.find((l) => l.includes('bob@'))!;
    expect(ann.indexOf('ok')).toBe(bob.indexOf('expires'));
    expect(ann.indexOf('ann@')).toBe(bob.indexOf('bob@'));
    app.unmount();
  });

  it('moves with arrows and j/k, and Enter makes the default at once', async () => {
    const { app } = setup();
    await waitForFrame(app, 'bob');
    app.stdin.write(ARROW_DOWN);
    await waitForFrame(app, (f) => /▶\s+bob/.test(f));
    app.stdin.write('k');
    await waitForFrame(app, (f) => /▶ \[default\] ann/.test(f));
    app.stdin.write('j');
    await waitForFrame(app, (f) => /▶\s+bob/.test(f));
    app.stdin.write(ENTER);
    await waitForFrame(app, 'bob is now the default.');
    expect((await registry()).default).toBe('bob@example.com');
    await waitForFrame(app, (f) => /▶ \[default\] bob/.test(f));
    app.unmount();
  });

  it('renames inline, refusing an invalid name before it reaches the file', async () => {
    const { app } = setup();
    await waitForFrame(app, 'bob');
    app.stdin.write('r');
    const field = await waitForFrame(app, 'New name for ann: ann');
    expect(field).toContain('enter accept');
    expect(field).not.toContain('p pause');
    app.stdin.write('!');
    await waitForFrame(app, 'Use 1-32 letters, digits');
    app.stdin.write(ENTER);
    await waitForFrame(app, 'New name for ann: ann!');
    expect((await registry()).accounts['ann@example.com']!.nickname).toBe('ann');
    app.stdin.write(BACKSPACE);
    await waitForFrame(app, (f) => !f.includes('Use 1-32'));
    app.stdin.write('-work');
    await waitForFrame(app, 'New name for ann: ann-work');
    app.stdin.write(ENTER);
    await waitForFrame(app, 'Renamed to ann-work.');
    expect((await registry()).accounts['ann@example.com']!.nickname).toBe('ann-work');
    app.unmount();
  });

  it('refuses a nickname another account has', async () => {
    const { app } = setup();
    await waitForFrame(app, 'bob');
    app.stdin.write('r');
    await waitForFrame(app, 'New name for ann');
    for (let i = 0; i < 3; i++) app.stdin.write(BACKSPACE);
    app.stdin.write('bob');
    await waitForFrame(app, '"bob" is already taken.');
    app.stdin.write(ESC);
    await waitForFrame(app, (f) => !f.includes('New name'));
    app.unmount();
  });

  it('pauses and resumes with p', async () => {
    const { app } = setup();
    await waitForFrame(app, 'bob');
    app.stdin.write('p');
    await waitForFrame(app, 'ann paused.');
    expect((await registry()).accounts['ann@example.com']!.paused).toBe(true);
    await waitForFrame(app, (f) => /ann +paused +ann@example.com/.test(f));
    app.stdin.write('p');
    await waitForFrame(app, 'ann resumed.');
    expect((await registry()).accounts['ann@example.com']!.paused).toBe(false);
    app.unmount();
  });

  it('removes an account only after y', async () => {
    const { app } = setup();
    await waitForFrame(app, 'bob');
    app.stdin.write(ARROW_DOWN);
    await waitForFrame(app, (f) => /▶\s+bob/.test(f));
    app.stdin.write('d');
    const asking = await waitForFrame(app, 'Remove bob and delete its tokens? (y/n)');
    // The key bar says what y and n do, not the list's keys.
    expect(asking).toContain('y remove');
    expect(asking).not.toContain('r rename');
    app.stdin.write('n');
    await waitForFrame(app, (f) => !f.includes('Remove bob'));
    expect(Object.keys((await registry()).accounts)).toHaveLength(2);
    app.stdin.write('d');
    await waitForFrame(app, 'Remove bob');
    app.stdin.write('y');
    await waitForFrame(app, 'bob removed.');
    expect(Object.keys((await registry()).accounts)).toEqual(['ann@example.com']);
    app.unmount();
  });

  it('shows changes another ccs process makes to accounts.json', async () => {
    const { app } = setup();
    await waitForFrame(app, (f) => /\[default\] ann/.test(f));
    await setDefaultAccount(bed.paths, 'iflow', 'bob');
    await waitForFrame(app, (f) => /\[default\] bob/.test(f));
    app.unmount();
  });

  it('shows a cooldown the proxy reports', async () => {
    const { app, session } = setup();
    await waitForFrame(app, 'bob');
    session.notify({ type: 'cooling', accountId: 'ann@example.com', until: Date.now() + 120_000 });
    await waitForFrame(app, (f) => /ann +cooling (2m|1m) +ann@example.com/.test(f));
    app.unmount();
  });

  it('adds with a, goes back with q and Esc', async () => {
    const { app, onLogin, onBack } = setup();
    await waitForFrame(app, 'bob');
    app.stdin.write('a');
    await vi.waitFor(() => expect(onLogin).toHaveBeenCalledTimes(1));
    app.stdin.write('q');
    await vi.waitFor(() => expect(onBack).toHaveBeenCalledTimes(1));
    app.stdin.write(ESC);
    await vi.waitFor(() => expect(onBack).toHaveBeenCalledTimes(2));
    app.stdin.write(ARROW_UP);
    app.unmount();
  });

  it('logs in again with l only the selected account, and only when it needs login', async () => {
    await markNeedsLogin(bed.paths, 'bob@example.com');
    const { app, onLogin, onLoginAgain } = setup();
    // ann is fine: l is neither offered nor acted on.
    const ann = await waitForFrame(app, (f) => /▶ \[default\] ann +ok/.test(f));
    expect(ann).toMatch(/bob +needs login +bob@example\.com/);
    expect(ann).not.toContain('l log in again');
    app.stdin.write('l');
    app.stdin.write('j');
    const bob = await waitForFrame(app, (f) => /▶\s+bob/.test(f));
    expect(bob).toContain('l log in again');
    app.stdin.write('l');
    await vi.waitFor(() => expect(onLoginAgain).toHaveBeenCalledOnce());
    expect(onLoginAgain).toHaveBeenCalledWith({
      accountId: 'bob@example.com',
      nickname: 'bob',
      label: 'bob@example.com',
    });
    expect(onLogin).not.toHaveBeenCalled();
    app.unmount();
  });

  it('scrolls a list longer than a 60×20 terminal, keeping the cursor in view', async () => {
    for (let i = 1; i <= 20; i++) await seedAccount(bed.paths, `user${i}@example.com`);
    const view = renderSized(
      makeServices(bed.paths),
      <AccountsScreen
        provider={PROVIDER}
        active
        onLogin={() => {}}
        onLoginAgain={() => {}}
        onBack={() => {}}
      />,
      60,
      20,
    );
    const first = await waitForFrame(view, '↓ 9 more');
    expect(first.split('\n')).toHaveLength(19);
    expect(first).not.toContain('↑');
    view.stdin.write('j'.repeat(21));
    const last = await waitForFrame(view, (f) => /▶ +user20 /.test(f));
    expect(last).toContain('↑ 9 more');
    expect(last).not.toContain('↓');
    expect(last.split('\n')).toHaveLength(19);
    view.unmount();
  });

  it('offers only a and back while there is no account', async () => {
    await bed.emptyHome();
    const { app } = setup();
    const frame = await waitForFrame(app, 'No accounts yet: press a to log in.');
    expect(frame).toContain('a add');
    expect(frame).not.toContain('enter default');
    expect(frame).not.toContain('d remove');
    app.unmount();
  });
});
