import { describe, expect, it, vi } from 'vitest';
import type { ListedProvider } from '../../hooks/services.js';
import { App } from '../../screens/App.js';
import { HomeScreen } from '../../screens/HomeScreen.js';
import { homeLayout } from '../../screens/home-layout.js';
import { initialNav } from '../../screens/navigation.js';
import { PRESETS } from '../../src/providers/presets.js';
import {
  ARROW_DOWN,
  configProvider,
  ENTER,
  ESC,
  KEYED,
  KEYLESS,
  makeServices,
  PROVIDER,
  renderSized,
  renderWith,
  seedAccount,
  seedApiKey,
  setUpTuiTest,
  waitForFrame,
} from './helpers.js';

const bed = setUpTuiTest();

const DEEPSEEK: ListedProvider = { ...configProvider('deepseek', PRESETS.deepseek!), preset: true };
const PROVIDERS: ListedProvider[] = [PROVIDER, KEYED, KEYLESS, DEEPSEEK];

function home(providers: ListedProvider[] = PROVIDERS) {
  const calls = {
    launch: vi.fn(),
    login: vi.fn(),
    accounts: vi.fn(),
    settings: vi.fn(),
    quit: vi.fn(),
  };
  const element = (
    <HomeScreen
      providers={providers}
      active
      onLaunch={calls.launch}
      onLogin={calls.login}
      onAccounts={calls.accounts}
      onSettings={calls.settings}
      onQuit={calls.quit}
    />
  );
  return { element, calls };
}

describe('HomeScreen with several providers', () => {
  it('shows the selected one as a card and the others, presets marked, one line each', async () => {
    await seedAccount(bed.paths, 'ann@example.com');
    await seedApiKey(bed.paths, 'corp', 'sk-corp-0001', 'work');
    const { element } = home();
    const app = renderWith(makeServices(bed.paths), element);
    const frame = await waitForFrame(app, (f) => f.includes('work ok') && f.includes('ann@'));
    // iFlow, selected: its notice, endpoint, model and account.
    expect(frame).toContain('▶ iFlow');
    expect(frame).toContain('end of its service on 2026-04-17');
    expect(frame).toContain('endpoint http://127.0.0.1:9/v1');
    expect(frame).toMatch(/★ ann +ok +ann@example\.com/);
    // The others: accounts or state, and model.
    expect(frame).toMatch(/Corp Gateway +work ok +corp-large/);
    expect(frame).toMatch(/Local LLM +no key needed +llama/);
    expect(frame).toMatch(/DeepSeek +preset, not set up yet +deepseek-chat/);
    app.unmount();
  });

  it("lines the card's accounts up in columns at 60 columns, cutting only the e-mail", async () => {
    await seedAccount(bed.paths, 'ann@example.com');
    await seedAccount(bed.paths, 'bob@example.com', 5);
    await seedAccount(bed.paths, 'christopher.long-address@subsidiary.example.com');
    const { element } = home([PROVIDER]);
    const view = renderSized(makeServices(bed.paths), element, 60, 20);
    const frame = await waitForFrame(view, 'christopher');
    const rows = frame.split('\n').filter((line) => /ann@|bob@|christopher/.test(line));
    expect(rows).toHaveLength(3);
    // One column each for the state and the e-mail, whatever the nickname's length.
    const at = (pattern: RegExp) => rows.map((line) => line.search(pattern));
    expect(new Set(at(/ok|expires/)).size).toBe(1);
    expect(new Set(at(/\S+$/)).size).toBe(1);
    expect(rows[2]).toMatch(/christopher\.long-address +ok +christopher\.\S*…$/);
    expect(rows[0]).toMatch(/★ ann +ok +ann@example\./);
    expect(rows.some((line) => /bob +expires in (5h|4h 59m) +bob@example\./.test(line))).toBe(true);
    // The long e-mail is cut to fit, not wrapped onto a line of its own.
    expect(frame.split('\n').every((line) => line.length <= 60)).toBe(true);
    expect(frame).not.toContain('subsidiary.example.com');
    view.unmount();
  });

  it('lines the other providers up in columns at 60 columns, cutting only the model', async () => {
    await seedApiKey(bed.paths, 'corp', 'sk-corp-0001', 'work');
    const openrouter = { ...configProvider('openrouter', PRESETS.openrouter!), preset: true };
    const { element } = home([PROVIDER, KEYED, KEYLESS, DEEPSEEK, openrouter]);
    const view = renderSized(makeServices(bed.paths), element, 60, 20);
    const frame = await waitForFrame(view, 'work ok');
    const rows = frame
      .split('\n')
      .filter((line) => /Corp Gateway|Local LLM|DeepSeek|OpenRouter/.test(line));
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.length).toBeLessThanOrEqual(60);
      expect(row.slice(0, 3)).toBe('   ');
      // The summary column starts at 21 and the model column at 45 on every row.
      expect(row[21]).not.toBe(' ');
      expect(row[20]).toBe(' ');
      expect(row[45]).not.toBe(' ');
      expect(row[44]).toBe(' ');
    }
    expect(frame).toMatch(/OpenRouter +preset, not set up yet +qwen\/qwen3-co…/);
    view.unmount();
  });

  it('moves the card with j/k and ↓, and every action goes to the selected provider', async () => {
    const { element, calls } = home();
    const app = renderWith(makeServices(bed.paths), element);
    await waitForFrame(app, '▶ iFlow');
    app.stdin.write('j');
    let frame = await waitForFrame(app, 'No accounts yet: press n to enter an API key.');
    expect(frame).toContain('▶ Corp Gateway');
    expect(frame).toContain('endpoint http://127.0.0.1:9/corp/v1');
    expect(frame).not.toContain('end of its service');
    app.stdin.write(ARROW_DOWN);
    frame = await waitForFrame(app, '★ local no key needed');
    expect(frame).toContain('▶ Local LLM');
    app.stdin.write('j');
    frame = await waitForFrame(app, 'Not set up yet: press n to enter its API key.');
    expect(frame).toContain('▶ DeepSeek (preset)');
    expect(frame).toContain('endpoint https://api.deepseek.com/v1');
    app.stdin.write('n');
    app.stdin.write('a');
    app.stdin.write('s');
    app.stdin.write('l');
    app.stdin.write(ENTER);
    await vi.waitFor(() => expect(calls.launch).toHaveBeenCalledTimes(2));
    expect(calls.login).toHaveBeenCalledWith('deepseek');
    expect(calls.accounts).toHaveBeenCalledWith('deepseek');
    expect(calls.settings).toHaveBeenCalledWith('deepseek');
    expect(calls.launch).toHaveBeenCalledWith('deepseek');
    app.stdin.write('k');
    await waitForFrame(app, '▶ Local LLM');
    app.unmount();
  });

  it('fits 60×20 with many providers by scrolling, the selection always in view', async () => {
    const many: ListedProvider[] = [PROVIDER, KEYED, KEYLESS, DEEPSEEK];
    for (let i = 1; i <= 14; i++) {
      many.push(
        configProvider(`extra-${i}`, {
          kind: 'api-key',
          display_name: `Extra ${i}`,
          api_url: `http://127.0.0.1:9/x${i}/v1`,
          models: [`x${i}-model`],
        }),
      );
    }
    const { element } = home(many);
    const app = renderSized(makeServices(bed.paths), element, 60, 20);
    let frame = await waitForFrame(app, '▶ iFlow');
    expect(frame).toContain('↓');
    expect(frame).not.toContain('↑');
    expect(frame).not.toContain('Extra 14');
    expect(frame.split('\n').length).toBeLessThanOrEqual(20);
    for (let i = 0; i < 17; i++) app.stdin.write('j');
    frame = await waitForFrame(app, '▶ Extra 14');
    expect(frame).toContain('↑');
    expect(frame).not.toContain('▶ iFlow');
    expect(frame).toContain('endpoint http://127.0.0.1:9/x14/v1');
    expect(frame).toContain('enter/l launch');
    expect(frame.split('\n').length).toBeLessThanOrEqual(20);
    app.unmount();
  });
});

describe('homeLayout', () => {
  it('shows everything when it fits, with the rest of the rows for accounts', () => {
    expect(homeLayout(5, 0, 15, 2)).toEqual({ start: 0, end: 5, maxAccounts: 6 });
  });

  it('scrolls around the selection when it does not', () => {
    const top = homeLayout(16, 0, 15, 2);
    expect(top.start).toBe(0);
    expect(top.end).toBeLessThan(16);
    const bottom = homeLayout(16, 15, 15, 0);
    expect(bottom.end).toBe(16);
    expect(bottom.start).toBeGreaterThan(0);
    const middle = homeLayout(16, 8, 15, 0);
    expect(middle.start).toBeLessThanOrEqual(8);
    expect(middle.end).toBeGreaterThan(8);
  });
});

describe('App home', () => {
  it('keeps the selected provider when coming back from a screen it opened', async () => {
    const services = makeServices(bed.paths, { loadProviders: async () => PROVIDERS });
    const app = renderWith(
      services,
      <App services={services} initial={initialNav({ screen: 'home' })} onOutcome={() => {}} />,
    );
    await waitForFrame(app, '▶ iFlow');
    app.stdin.write('j');
    await waitForFrame(app, '▶ Corp Gateway');
    app.stdin.write('s');
    await waitForFrame(app, 'Corp Gateway settings');
    app.stdin.write(ESC);
    const frame = await waitForFrame(app, 'ccs · Home');
    expect(frame).toContain('▶ Corp Gateway');
    app.unmount();
  });
});
