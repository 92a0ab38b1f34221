import { describe, expect, it } from 'vitest';
import { initialNav, type NavState, navigationReducer } from '../../screens/navigation.js';

const home = initialNav({ screen: 'home' });

function run(state: NavState, ...actions: Parameters<typeof navigationReducer>[1][]) {
  return actions.reduce(navigationReducer, state);
}

describe('navigationReducer', () => {
  it('opens screens on top of each other and goes back in order', () => {
    const state = run(
      home,
      { type: 'open', route: { screen: 'accounts', providerId: 'iflow' } },
      { type: 'open', route: { screen: 'login', providerId: 'iflow', standalone: false } },
    );
    expect(state.route.screen).toBe('login');
    const back = run(state, { type: 'back' });
    expect(back.route).toEqual({ screen: 'accounts', providerId: 'iflow' });
    expect(run(back, { type: 'back' }).route).toEqual({ screen: 'home' });
  });

  it('quits with 0 when backing out of the screen the app opened on', () => {
    expect(run(home, { type: 'back' }).outcome).toEqual({ type: 'quit', code: 0 });
    const settings = initialNav({ screen: 'settings', providerId: 'iflow' });
    expect(run(settings, { type: 'back' }).outcome).toEqual({ type: 'quit', code: 0 });
  });

  it('treats backing out of a standalone login as a cancellation (130)', () => {
    const login = initialNav({ screen: 'login', providerId: 'iflow', standalone: true });
    expect(run(login, { type: 'back' }).outcome).toEqual({ type: 'quit', code: 130 });
  });

  it('ends a standalone login with 0 and the message, or 1 when it failed', () => {
    const login = initialNav({ screen: 'login', providerId: 'iflow', standalone: true });
    const done = run(login, { type: 'login-finished', ok: true, message: 'Logged in.' });
    expect(done.outcome).toEqual({ type: 'quit', code: 0, message: 'Logged in.' });
    expect(run(login, { type: 'login-finished', ok: false }).outcome).toEqual({
      type: 'quit',
      code: 1,
    });
  });

  it('returns from a login opened inside the app to where it was opened, with the message', () => {
    const login = run(
      home,
      { type: 'open', route: { screen: 'accounts', providerId: 'iflow' } },
      { type: 'open', route: { screen: 'login', providerId: 'iflow', standalone: false } },
    );
    const done = run(login, { type: 'login-finished', ok: true, message: 'Logged in as ann.' });
    expect(done.route).toEqual({ screen: 'accounts', providerId: 'iflow' });
    expect(done.outcome).toBeNull();
    expect(done.notice).toBe('Logged in as ann.');

    // Given up after a failure: back, with nothing to say.
    const failed = run(login, { type: 'login-finished', ok: false });
    expect(failed.route.screen).toBe('accounts');
    expect(failed.notice).toBeNull();
  });

  it('keeps the notice until the next navigation, not when home reports its selection', () => {
    const done = run(
      home,
      { type: 'open', route: { screen: 'login', providerId: 'iflow', standalone: false } },
      { type: 'login-finished', ok: true, message: 'Logged in as ann.' },
      { type: 'select', providerId: 'iflow' },
      { type: 'toggle-help' },
      { type: 'toggle-help' },
    );
    expect(done.route).toEqual({ screen: 'home', providerId: 'iflow' });
    expect(done.notice).toBe('Logged in as ann.');
    const opened = run(done, { type: 'open', route: { screen: 'accounts', providerId: 'iflow' } });
    expect(opened.notice).toBeNull();
    const accounts = { ...opened, notice: 'Logged in as bob.' };
    expect(run(accounts, { type: 'back' }).notice).toBeNull();
  });

  it('leaves a login that finished behind the key list, which stays open', () => {
    const state = run(
      home,
      { type: 'open', route: { screen: 'login', providerId: 'iflow', standalone: false } },
      { type: 'toggle-help' },
      { type: 'login-finished', ok: true, message: 'Logged in as ann.' },
    );
    expect(state.route).toEqual({ screen: 'home' });
    expect(state.helpOpen).toBe(true);
    expect(state.notice).toBe('Logged in as ann.');
  });

  it('ignores login-finished on any other screen', () => {
    expect(run(home, { type: 'login-finished', ok: true })).toBe(home);
  });

  it('toggles help, and back closes help before leaving the screen', () => {
    const open = run(home, { type: 'toggle-help' });
    expect(open.helpOpen).toBe(true);
    const closed = run(open, { type: 'back' });
    expect(closed.helpOpen).toBe(false);
    expect(closed.outcome).toBeNull();
  });

  it('records a launch as an outcome and then ignores everything', () => {
    const launched = run(home, { type: 'launch', providerId: 'iflow' });
    expect(launched.outcome).toEqual({ type: 'launch', providerId: 'iflow' });
    expect(run(launched, { type: 'back' }, { type: 'quit', code: 3 })).toBe(launched);
  });

  it('quits with the code given, 0 by default', () => {
    expect(run(home, { type: 'quit' }).outcome).toEqual({ type: 'quit', code: 0 });
    expect(run(home, { type: 'quit', code: 130 }).outcome).toEqual({ type: 'quit', code: 130 });
  });
});
