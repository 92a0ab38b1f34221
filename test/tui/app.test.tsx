import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import type { LoginRequest } from '../../hooks/services.js';
import { App } from '../../screens/App.js';
import { HomeScreen } from '../../screens/HomeScreen.js';
import { initialNav, type Outcome } from '../../screens/navigation.js';
import {
  CTRL_C,
  ENTER,
  ESC,
  fakeSession,
  KEYED,
  makeServices,
  markNeedsLogin,
  PROVIDER,
  renderSized,
  seedAccount,
  setUpTuiTest,
  waitForFrame,
} from './helpers.js';

const bed = setUpTuiTest();

function app(route = initialNav({ screen: 'home' })) {
  const outcomes: Outcome[] = [];
  const session = fakeSession();
  const services = makeServices(bed.paths, { session });
  const instance = render(
    <App services={services} initial={route} onOutcome={(o) => outcomes.push(o)} />,
  );
  return { instance, outcomes, services, session };
}

describe('App', () => {
  it('opens on home with the provider, its notice, endpoint, model and accounts', async () => {
    await seedAccount(bed.paths, 'ann@example.com');
    const { instance } = app();
    const frame = await waitForFrame(instance, (f) => /★ ann +ok +ann@example\.com/.test(f));
    expect(frame).toContain('iFlow');
    expect(frame).toContain('end of its service on 2026-04-17');
    expect(frame).toContain('endpoint http://127.0.0.1:9/v1');
    expect(frame).toContain('model qwen3-coder-plus');
    expect(frame).toContain('★ ann');
    expect(frame).toContain('enter/l launch');
    instance.unmount();
  });

  it('goes to accounts, settings, login and back with q and Esc', async () => {
    const { instance, services } = app();
    await waitForFrame(instance, 'No accounts yet: press n to log in.');
    instance.stdin.write('a');
    await waitForFrame(instance, 'iFlow accounts');
    instance.stdin.write('q');
    await waitForFrame(instance, 'ccs · Home');
    instance.stdin.write('s');
    await waitForFrame(instance, 'iFlow settings');
    instance.stdin.write(ESC);
    await waitForFrame(instance, 'ccs · Home');
    instance.stdin.write('n');
    await waitForFrame(instance, 'Log in to iFlow');
    expect(services.logins).toHaveLength(1);
    instance.stdin.write(ESC);
    await waitForFrame(instance, 'ccs · Home');
    expect(services.logins[0]!.signal.aborted).toBe(true);
    instance.unmount();
  });

  it('shows every key on ?, and closes it with ? or Esc without losing the screen', async () => {
    const { instance } = app();
    await waitForFrame(instance, 'ccs · Home');
    instance.stdin.write('s');
    await waitForFrame(instance, 'iFlow settings');
    instance.stdin.write('?');
    const help = await waitForFrame(instance, 'ccs · Keys');
    expect(help).toContain('ctrl+s');
    expect(help).toContain('copy the code (OSC 52)');
    instance.stdin.write(ESC);
    await waitForFrame(instance, 'iFlow settings');
    instance.stdin.write('?');
    await waitForFrame(instance, 'ccs · Keys');
    instance.stdin.write('?');
    await waitForFrame(instance, 'iFlow settings');
    instance.unmount();
  });

  it('lays the key list out at 60×20 without splitting a key from what it does', async () => {
    const services = makeServices(bed.paths);
    const view = renderSized(
      services,
      <App services={services} initial={initialNav({ screen: 'home' })} onOutcome={() => {}} />,
      60,
      20,
    );
    await waitForFrame(view, 'ccs · Home');
    view.stdin.write('?');
    const frame = await waitForFrame(view, 'ccs · Keys');
    const lines = frame.split('\n');
    expect(lines).toHaveLength(19);
    expect(lines.every((line) => line.length <= 60)).toBe(true);
    expect(frame).toContain('o open the browser (not over SSH)');
    expect(frame).toContain('↑↓/jk move');
    expect(frame).toContain('p pause');
    view.unmount();
  });

  it('gives ? to a text field that has focus', async () => {
    await seedAccount(bed.paths, 'ann@example.com');
    const { instance } = app(initialNav({ screen: 'accounts', providerId: 'iflow' }));
    await waitForFrame(instance, 'ann');
    instance.stdin.write('r');
    await waitForFrame(instance, 'New name for ann');
    instance.stdin.write('?');
    const frame = await waitForFrame(instance, 'New name for ann: ann?');
    expect(frame).not.toContain('ccs · Keys');
    // So the key bar does not offer it, and shows the field's keys instead.
    expect(frame).not.toContain('? keys');
    expect(frame).toContain('enter accept');
    instance.unmount();
  });

  it('returns from a login in the account picker to it, naming the new account', async () => {
    await seedAccount(bed.paths, 'ann@example.com');
    let approve = () => {};
    const approved = new Promise<void>((resolve) => {
      approve = resolve;
    });
    // The account is stored as a real login stores it, once the test approves.
    const login = () => approved.then(() => seedAccount(bed.paths, 'bob@example.com'));
    const services = makeServices(bed.paths, { login });
    const instance = render(
      <App services={services} initial={initialNav({ screen: 'home' })} onOutcome={() => {}} />,
    );
    await waitForFrame(instance, (f) => /ann +ok +ann@example\.com/.test(f));
    instance.stdin.write('a');
    await waitForFrame(instance, 'iFlow accounts');
    instance.stdin.write('a');
    await waitForFrame(instance, 'Log in to iFlow');

    approve();
    const picker = await waitForFrame(
      instance,
      (f) => f.includes('iFlow accounts') && /bob +ok +bob@example\.com/.test(f),
    );
    expect(picker).toContain('Logged in to iFlow as bob (bob@example.com).');
    expect(picker).toMatch(/\[default\] ann +ok +ann@example\.com/);

    // The message lasts until the user goes elsewhere.
    instance.stdin.write('q');
    const home = await waitForFrame(instance, 'ccs · Home');
    expect(home).not.toContain('Logged in to iFlow');
    instance.unmount();
  });

  it('logs the selected account in again with l, repairing it under its own nickname', async () => {
    await seedAccount(bed.paths, 'ann@example.com');
    await seedAccount(bed.paths, 'work@company.com');
    await markNeedsLogin(bed.paths, 'work@company.com');
    let approve = () => {};
    const approved = new Promise<void>((resolve) => {
      approve = resolve;
    });
    const requests: LoginRequest[] = [];
    // The user approves as work, stored as a real login stores it.
    const login = (request: LoginRequest) => {
      requests.push(request);
      return approved.then(() => seedAccount(bed.paths, 'work@company.com'));
    };
    const services = makeServices(bed.paths, { login });
    const instance = render(
      <App services={services} initial={initialNav({ screen: 'home' })} onOutcome={() => {}} />,
    );
    await waitForFrame(instance, (f) => /work +needs login +work@company\.com/.test(f));
    instance.stdin.write('a');
    await waitForFrame(instance, (f) => f.includes('iFlow accounts') && f.includes('work'));
    instance.stdin.write('j');
    await waitForFrame(instance, (f) => /▶\s+work/.test(f));
    instance.stdin.write('l');
    const screen = await waitForFrame(instance, 'Log in to iFlow');
    expect(screen).toContain('Logging in again as work (work@company.com): approve as that user.');
    // Not passed on: the login refuses a nickname any account has, its own too.
    expect(requests).toHaveLength(1);
    expect(requests[0]!.nickname).toBeUndefined();

    approve();
    const picker = await waitForFrame(
      instance,
      (f) => f.includes('iFlow accounts') && /work +ok +work@company\.com/.test(f),
    );
    expect(picker).toContain('Logged in to iFlow as work (work@company.com).');
    expect(picker.match(/work@company\.com/g)).toHaveLength(2);
    instance.unmount();
  });

  it('returns from an API-key login to home, which says what was saved', async () => {
    const services = makeServices(bed.paths, { loadProviders: async () => [KEYED] });
    const instance = render(
      <App services={services} initial={initialNav({ screen: 'home' })} onOutcome={() => {}} />,
    );
    await waitForFrame(instance, 'No accounts yet: press n to enter an API key.');
    instance.stdin.write('n');
    await waitForFrame(instance, 'Enter the API key for Corp Gateway');
    instance.stdin.write('sk-corp-1234');
    await waitForFrame(instance, 'API key: ••••');
    instance.stdin.write(ENTER);
    const home = await waitForFrame(instance, (f) => f.includes('ccs · Home') && f.includes('★'));
    expect(home).toMatch(/Saved the Corp Gateway API key as [\w.-]+\./);
    instance.stdin.write('a');
    const accounts = await waitForFrame(instance, 'Corp Gateway accounts');
    expect(accounts).not.toContain('Saved the');
    instance.unmount();
  });

  it('quits with 0 on q at home, and 130 on Ctrl-C anywhere', async () => {
    const first = app();
    await waitForFrame(first.instance, 'ccs · Home');
    first.instance.stdin.write('q');
    await vi.waitFor(() => expect(first.outcomes).toEqual([{ type: 'quit', code: 0 }]));

    const second = app(initialNav({ screen: 'settings', providerId: 'iflow' }));
    await waitForFrame(second.instance, 'iFlow settings');
    second.instance.stdin.write(CTRL_C);
    await vi.waitFor(() => expect(second.outcomes).toEqual([{ type: 'quit', code: 130 }]));
  });

  it('asks to launch from the launch screen once the session is up', async () => {
    await seedAccount(bed.paths, 'ann@example.com');
    const { instance, outcomes, session } = app();
    await waitForFrame(instance, (f) => /ann +ok +ann@example\.com/.test(f));
    instance.stdin.write(ENTER);
    const frame = await waitForFrame(instance, 'Ready: press Enter to start claude.');
    expect(frame).toContain('account   ann (ann@example.com)');
    expect(frame).toContain('proxy     http://127.0.0.1:4999');
    expect(session.prepared).toEqual(['iflow']);
    instance.stdin.write(ENTER);
    await vi.waitFor(() => expect(outcomes).toEqual([{ type: 'launch', providerId: 'iflow' }]));
  });
});

describe('HomeScreen layout', () => {
  const home = (
    <HomeScreen
      providers={[PROVIDER]}
      active
      onLaunch={() => {}}
      onLogin={() => {}}
      onAccounts={() => {}}
      onSettings={() => {}}
      onQuit={() => {}}
    />
  );

  it('fits 60×20 with the key bar on the last row it uses, and re-lays out on resize', async () => {
    const view = renderSized(makeServices(bed.paths), home, 60, 20);
    let frame = await waitForFrame(view, 'No accounts yet');
    let lines = frame.split('\n');
    expect(lines).toHaveLength(19);
    expect(lines.every((line) => line.length <= 60)).toBe(true);
    expect(lines.at(-1)).toContain('? keys');

    view.stdout.resize(100, 30);
    frame = await waitForFrame(view, (f) => f.split('\n').length === 29);
    lines = frame.split('\n');
    expect(lines.at(-1)).toContain('s settings');
    view.unmount();
  });
});
