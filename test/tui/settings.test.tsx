import { readFile, writeFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { describe, expect, it, vi } from 'vitest';
import { SettingsScreen } from '../../screens/SettingsScreen.js';
import { ensureDir } from '../../src/fs/atomic.js';
import {
  ARROW_DOWN,
  BACKSPACE,
  CTRL_S,
  ENTER,
  ESC,
  effectsFlushed,
  makeServices,
  PROVIDER,
  renderSized,
  renderWith,
  setUpTuiTest,
  waitForFrame,
} from './helpers.js';

const bed = setUpTuiTest();

const settingsFile = () => bed.paths.settingsFile('iflow');
const readEnv = async () => JSON.parse(await readFile(settingsFile(), 'utf8')).env;

function setup() {
  const onBack = vi.fn();
  const app = renderWith(
    makeServices(bed.paths),
    <SettingsScreen provider={PROVIDER} active onBack={onBack} />,
  );
  return { app, onBack };
}

async function press(app: ReturnType<typeof setup>['app'], key: string, times = 1) {
  for (let i = 0; i < times; i++) {
    app.stdin.write(key);
    await effectsFlushed();
  }
}

describe('SettingsScreen', () => {
  it('validates max tokens inline, keeps invalid input out of the file, saves with Ctrl+S', async () => {
    const { app } = setup();
    await waitForFrame(app, 'Max tokens      8192');
    await press(app, ARROW_DOWN, 4);
    await waitForFrame(app, '▶ Max tokens');
    await press(app, ENTER);
    await waitForFrame(app, 'Max tokens: 8192');
    await press(app, BACKSPACE, 4);
    await press(app, '99999');
    await waitForFrame(app, 'Enter a number from 1 to 8192.');
    await press(app, ENTER);
    await waitForFrame(app, 'Max tokens: 99999');
    await press(app, BACKSPACE, 5);
    await press(app, '4096');
    await waitForFrame(app, (f) => f.includes('Max tokens: 4096') && !f.includes('Enter a'));
    await press(app, ENTER);
    await waitForFrame(app, 'iFlow settings (unsaved)');
    expect((await readEnv()).ANTHROPIC_MAX_TOKENS).toBe('8192');
    await press(app, CTRL_S);
    await waitForFrame(app, 'Saved.');
    expect((await readEnv()).ANTHROPIC_MAX_TOKENS).toBe('4096');
    await waitForFrame(app, (f) => !f.includes('(unsaved)'));
    app.unmount();
  });

  it('picks the model from the provider list', async () => {
    const { app } = setup();
    await waitForFrame(app, '▶ Model');
    await press(app, ENTER);
    const list = await waitForFrame(app, 'Model: choose with');
    // Ids in one column, display names lined up after the longest id; the
    // key bar is the list's.
    const at = (id: string) => list.split('\n').find((line) => line.includes(`${id} `)) ?? '';
    const column = at('glm-4.6').indexOf('GLM 4.6');
    expect(column).toBeGreaterThan(30);
    expect(at('qwen3-max').indexOf('Qwen3 Max')).toBe(column);
    expect(list).toContain('t type a name');
    await press(app, ARROW_DOWN);
    await press(app, ENTER);
    await waitForFrame(app, 'Model           qwen3-max');
    await press(app, CTRL_S);
    await waitForFrame(app, 'Saved.');
    expect((await readEnv()).ANTHROPIC_MODEL).toBe('qwen3-max');
    app.unmount();
  });

  it('takes a typed model for the opus slot, and clears it back to the default', async () => {
    const { app } = setup();
    await waitForFrame(app, '▶ Model');
    await press(app, ARROW_DOWN);
    await waitForFrame(app, '▶ Opus model');
    await press(app, ENTER);
    await waitForFrame(app, 'Opus model: choose with');
    await press(app, 't');
    await waitForFrame(app, 'Enter a model name.');
    await press(app, 'my model');
    await waitForFrame(app, 'A model name has no spaces.');
    await press(app, BACKSPACE, 6);
    await press(app, '-model');
    await waitForFrame(app, (f) => f.includes('Opus model: my-model') && !f.includes('no spaces'));
    await press(app, ENTER);
    await waitForFrame(app, 'Opus model      my-model');
    await press(app, CTRL_S);
    await waitForFrame(app, 'Saved.');
    expect((await readEnv()).ANTHROPIC_DEFAULT_OPUS_MODEL).toBe('my-model');

    await press(app, ENTER);
    await waitForFrame(app, 'Opus model: choose with');
    await press(app, 'j', 16);
    await waitForFrame(app, '▶ use the default');
    await press(app, ENTER);
    await waitForFrame(app, 'Opus model      (default) same as Model');
    await press(app, CTRL_S);
    await waitForFrame(app, 'Saved.');
    expect((await readEnv()).ANTHROPIC_DEFAULT_OPUS_MODEL).toBeUndefined();
    app.unmount();
  });

  it('adds and deletes extra env entries, refusing a bad name', async () => {
    const { app } = setup();
    await waitForFrame(app, '+ env entry');
    await press(app, ARROW_DOWN, 6);
    await waitForFrame(app, '▶ + env entry');
    await press(app, ENTER);
    await press(app, '1BAD=x');
    await waitForFrame(app, '"1BAD" is not a variable name.');
    await press(app, BACKSPACE, 6);
    await press(app, 'FOO=bar baz');
    await waitForFrame(app, 'New env entry: FOO=bar baz');
    await press(app, ENTER);
    await waitForFrame(app, 'FOO             bar baz');
    await press(app, CTRL_S);
    await waitForFrame(app, 'Saved.');
    expect((await readEnv()).FOO).toBe('bar baz');
    await waitForFrame(app, '▶ FOO');
    await press(app, 'd');
    await waitForFrame(app, (f) => !f.includes('FOO'));
    await press(app, CTRL_S);
    await waitForFrame(app, 'Saved.');
    expect((await readEnv()).FOO).toBeUndefined();
    app.unmount();
  });

  it('switches routing and sets the port, keeping config.yaml keys it does not manage', async () => {
    await ensureDir(bed.paths.cliproxyDir);
    await writeFile(
      bed.paths.configFile,
      'proxy:\n  port: 9000\n  extra: 1\ncustom:\n  keep: me\n',
    );
    const { app } = setup();
    await waitForFrame(app, 'Proxy port      9000');
    await press(app, ARROW_DOWN, 7);
    await waitForFrame(app, '▶ Routing');
    await press(app, ENTER);
    await waitForFrame(app, 'Routing         round-robin');
    await press(app, ARROW_DOWN);
    await press(app, ENTER);
    await waitForFrame(app, 'Proxy port: 9000');
    await press(app, BACKSPACE, 4);
    await press(app, '70000');
    await waitForFrame(app, 'Enter a port from 1 to 65535.');
    await press(app, BACKSPACE, 5);
    await press(app, '4100');
    await waitForFrame(app, (f) => f.includes('Proxy port: 4100') && !f.includes('Enter a port'));
    await press(app, ENTER);
    await waitForFrame(app, 'Proxy port      4100');
    await press(app, CTRL_S);
    await waitForFrame(app, 'Saved.');
    const config = yaml.load(await readFile(bed.paths.configFile, 'utf8'));
    expect(config).toEqual({
      proxy: { port: 4100, extra: 1 },
      custom: { keep: 'me' },
      routing: { strategy: 'round-robin' },
    });
    app.unmount();
  });

  it('asks before leaving with unsaved changes', async () => {
    const { app, onBack } = setup();
    await waitForFrame(app, 'Routing');
    await press(app, ARROW_DOWN, 7);
    await press(app, ENTER);
    await waitForFrame(app, '(unsaved)');
    await press(app, 'q');
    await waitForFrame(app, 'Leave without saving your changes? (y/n)');
    await press(app, 'n');
    await waitForFrame(app, (f) => !f.includes('Leave without'));
    expect(onBack).not.toHaveBeenCalled();
    await press(app, ESC);
    await waitForFrame(app, 'Leave without saving');
    await press(app, 'y');
    await vi.waitFor(() => expect(onBack).toHaveBeenCalledOnce());
    expect((await readEnv()).ANTHROPIC_MODEL).toBe('qwen3-coder-plus');
    app.unmount();
  });

  it('leaves at once when nothing changed', async () => {
    const { app, onBack } = setup();
    await waitForFrame(app, 'Routing');
    await press(app, 'q');
    await vi.waitFor(() => expect(onBack).toHaveBeenCalledOnce());
    app.unmount();
  });

  it('names a corrupt settings file and leaves it as it was', async () => {
    await writeFile(settingsFile(), '{"env": {"ANTHROPIC_MAX_TOKENS": "lots"}}');
    const { app } = setup();
    await waitForFrame(app, 'iflow.settings.json is not valid');
    expect(await readFile(settingsFile(), 'utf8')).toBe(
      '{"env": {"ANTHROPIC_MAX_TOKENS": "lots"}}',
    );
    app.unmount();
  });

  it('keeps a long env value on one line at 60×20, the note beside it', async () => {
    await writeFile(
      settingsFile(),
      JSON.stringify({ env: { ANTHROPIC_MODEL: 'qwen3-max', LONGVAR: 'x'.repeat(150) } }),
    );
    const view = renderSized(
      makeServices(bed.paths),
      <SettingsScreen provider={PROVIDER} active onBack={() => {}} />,
      60,
      20,
    );
    await waitForFrame(view, 'LONGVAR');
    for (let i = 0; i < 6; i++) {
      view.stdin.write(ARROW_DOWN);
      await effectsFlushed();
    }
    const frame = await waitForFrame(view, (f) => /▶ LONGVAR/.test(f));
    const lines = frame.split('\n');
    expect(lines.every((line) => line.length <= 60)).toBe(true);
    const row = lines.findIndex((line) => line.includes('LONGVAR'));
    expect(lines[row]).toMatch(/^ ▶ LONGVAR {9}x+… env$/);
    expect(lines[row + 1]).toContain('+ env entry');
    // On an env entry the key bar offers d; the field's keys replace the list's.
    expect(frame).toContain('d delete');
    view.stdin.write(ENTER);
    const editing = await waitForFrame(view, 'enter accept');
    expect(editing).not.toContain('ctrl+s save');
    view.unmount();
  });

  it('keeps every model on one line at 60 columns, the current one included', async () => {
    const view = renderSized(
      makeServices(bed.paths),
      <SettingsScreen provider={PROVIDER} active onBack={() => {}} />,
      60,
      20,
    );
    await waitForFrame(view, '▶ Model');
    view.stdin.write(ENTER);
    const frame = await waitForFrame(view, 'Model: choose with');
    const lines = frame.split('\n');
    expect(lines.every((line) => line.length <= 60)).toBe(true);
    const current = lines.findIndex((line) => line.includes('(current)'));
    expect(lines[current]).toMatch(/^ ▶ qwen3-coder-plus +Qwen3 Coder P\S* \(current\)$/);
    expect(lines[current + 1]).toMatch(/^ {3}qwen3-max +Qwen3 Max$/);
    view.unmount();
  });
});
