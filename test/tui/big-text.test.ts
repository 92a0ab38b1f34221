import { describe, expect, it } from 'vitest';
import { accountState, describeState, EXPIRING_WITHIN_MS } from '../../hooks/account-state.js';
import { formatClock } from '../../hooks/use-countdown.js';
import { bigTextWidth, canDraw, drawBigText } from '../../screens/components/big-font.js';

describe('block font', () => {
  it('draws every letter, digit and the dash in five rows of five columns', () => {
    const all = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-';
    expect(canDraw(all)).toBe(true);
    for (const char of all) {
      const lines = drawBigText(char, 1, '#');
      expect(lines).toHaveLength(5);
      expect(lines.every((line) => line.length <= 5)).toBe(true);
    }
  });

  it('tells glyphs apart (no two characters share a drawing)', () => {
    const seen = new Map<string, string>();
    for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-') {
      const key = drawBigText(char, 1, '#').join('|');
      expect(seen.get(key), `${char} looks like ${seen.get(key)}`).toBeUndefined();
      seen.set(key, char);
    }
  });

  it('lays a code out with a gap between glyphs', () => {
    expect(bigTextWidth('ABCD-EFGH')).toBe(9 * 5 + 8);
    const lines = drawBigText('AB', 1, '#');
    expect(lines[0]).toBe(' ###  #### '.trimEnd());
  });

  it('refuses characters the font lacks', () => {
    expect(canDraw('AB_C')).toBe(false);
  });
});

describe('countdown text', () => {
  it('rounds up so 00:00 shows only at expiry', () => {
    expect(formatClock(600_000)).toBe('10:00');
    expect(formatClock(1)).toBe('00:01');
    expect(formatClock(0)).toBe('00:00');
  });
});

describe('account state', () => {
  const now = Date.parse('2026-03-01T00:00:00Z');
  const tokens = (ms: number, needs_login?: boolean) => ({
    expired: new Date(now + ms).toISOString(),
    ...(needs_login === undefined ? {} : { needs_login }),
  });

  it('says ok, expires in …, needs login, cooling and paused', () => {
    expect(accountState({ paused: false }, tokens(72 * 3_600_000), now)).toEqual({ kind: 'ok' });
    const soon = accountState({ paused: false }, tokens(3 * 3_600_000), now);
    expect(describeState(soon, now)).toBe('expires in 3h');
    const dead = accountState({ paused: false }, tokens(EXPIRING_WITHIN_MS * 2, true), now);
    expect(describeState(dead, now)).toBe('needs login');
    const cooling = accountState({ paused: false }, tokens(72 * 3_600_000), now, now + 90_000);
    expect(describeState(cooling, now)).toBe('cooling 1m');
    const paused = accountState({ paused: true }, tokens(72 * 3_600_000, true), now);
    expect(describeState(paused, now)).toBe('paused');
  });

  it('shows an expired access token as renewable, not as a dead account', () => {
    const state = accountState({ paused: false }, tokens(-1000), now);
    expect(describeState(state, now)).toBe('expired, renews on use');
  });

  it('needs a login when the token file is missing', () => {
    expect(accountState({ paused: false }, undefined, now)).toEqual({ kind: 'needs-login' });
  });
});
