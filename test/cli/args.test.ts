import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/args.js';
import { UsageError } from '../../src/errors.js';

const providers = ['iflow', 'deepseek'];
const parse = (...argv: string[]) => parseArgs(argv, { providers });

function usageError(...argv: string[]): UsageError {
  try {
    parse(...argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`expected a usage error for ${JSON.stringify(argv)}`);
}

describe('parseArgs: ccs itself', () => {
  it('opens the TUI with no arguments', () => {
    expect(parse()).toEqual({ kind: 'tui' });
  });

  it('reads help, version, config, demo and simulator', () => {
    expect(parse('--help')).toEqual({ kind: 'help' });
    expect(parse('-h')).toEqual({ kind: 'help' });
    expect(parse('help')).toEqual({ kind: 'help' });
    expect(parse('--version')).toEqual({ kind: 'version' });
    expect(parse('-v')).toEqual({ kind: 'version' });
    expect(parse('help', 'iflow')).toEqual({ kind: 'provider-help', providerId: 'iflow' });
    expect(parse('--help', 'iflow')).toEqual({ kind: 'provider-help', providerId: 'iflow' });
  });

  it('refuses arguments after --version and --help that mean nothing', () => {
    expect(() => parse('--version', 'extra')).toThrow(/--version takes no arguments/);
    expect(() => parse('-v', '--bogus')).toThrow(UsageError);
    expect(() => parse('--help', 'nope')).toThrow(/got nope/);
    expect(() => parse('help', 'iflow', 'more')).toThrow(UsageError);
    expect(parse('config')).toEqual({ kind: 'config' });
    expect(parse('demo')).toEqual({ kind: 'demo' });
    expect(parse('simulator', '--port', '4000')).toEqual({
      kind: 'simulator',
      args: ['--port', '4000'],
    });
  });

  it('refuses unknown commands and flags with exit 2 and the usage line', () => {
    const unknown = usageError('frobnicate');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.message).toContain('"frobnicate" is neither a provider nor a command');
    expect(unknown.message).toContain('iflow, deepseek');
    expect(unknown.usage).toMatch(/^Usage: ccs /);
    expect(usageError('--auth').message).toBe('Unknown option --auth.');
    expect(usageError('config', 'extra').message).toContain('takes no arguments');
  });

  it('accepts a provider id given by the options (configured providers)', () => {
    expect(parse('deepseek', '--accounts')).toEqual({
      kind: 'accounts',
      providerId: 'deepseek',
      json: false,
    });
  });
});

describe('parseArgs: after the provider', () => {
  it('launches with no arguments, and passes claude arguments untouched and in order', () => {
    expect(parse('iflow')).toEqual({ kind: 'launch', providerId: 'iflow', claudeArgs: [] });
    expect(parse('iflow', '-p', 'review this', '--output-format', 'json')).toEqual({
      kind: 'launch',
      providerId: 'iflow',
      claudeArgs: ['-p', 'review this', '--output-format', 'json'],
    });
    expect(parse('iflow', '--model=x', 'a b', '-c')).toMatchObject({
      claudeArgs: ['--model=x', 'a b', '-c'],
    });
  });

  it('gives everything after -- to claude, ccs flags included', () => {
    expect(parse('iflow', '-p', 'hi', '--', '--auth', '--help', '--')).toEqual({
      kind: 'launch',
      providerId: 'iflow',
      claudeArgs: ['-p', 'hi', '--auth', '--help', '--'],
    });
  });

  it('reads each account command', () => {
    expect(parse('iflow', '--auth')).toEqual({
      kind: 'auth',
      providerId: 'iflow',
      add: false,
      apiKey: false,
    });
    expect(parse('iflow', '--auth', '--add', '--nickname', 'work')).toEqual({
      kind: 'auth',
      providerId: 'iflow',
      add: true,
      apiKey: false,
      nickname: 'work',
    });
    expect(parse('iflow', '--nickname=me.2', '--auth')).toEqual({
      kind: 'auth',
      providerId: 'iflow',
      add: false,
      apiKey: false,
      nickname: 'me.2',
    });
    expect(parse('deepseek', '--auth', '--api-key')).toMatchObject({
      kind: 'auth',
      providerId: 'deepseek',
      apiKey: true,
    });
    expect(parse('iflow', '--logout')).toEqual({ kind: 'logout', providerId: 'iflow' });
    expect(parse('iflow', '--accounts', '--json')).toEqual({
      kind: 'accounts',
      providerId: 'iflow',
      json: true,
    });
    expect(parse('iflow', '--use', 'work')).toEqual({
      kind: 'use',
      providerId: 'iflow',
      nickname: 'work',
    });
    expect(parse('iflow', '--use=work_2')).toMatchObject({ kind: 'use', nickname: 'work_2' });
    expect(parse('iflow', '--nickname', 'home')).toEqual({
      kind: 'nickname',
      providerId: 'iflow',
      name: 'home',
    });
    expect(parse('iflow', '--proxy')).toEqual({ kind: 'proxy', providerId: 'iflow' });
    expect(parse('iflow', '--help')).toEqual({ kind: 'provider-help', providerId: 'iflow' });
    expect(parse('iflow', '-h')).toEqual({ kind: 'provider-help', providerId: 'iflow' });
  });

  it('refuses an account command combined with a prompt or claude arguments', () => {
    const withPrompt = usageError('iflow', '--accounts', 'review this');
    expect(withPrompt.exitCode).toBe(2);
    expect(withPrompt.message).toContain('--accounts is a command of its own');
    expect(withPrompt.usage).toMatch(/^Usage: ccs iflow /);
    expect(usageError('iflow', 'hello', '--auth').message).toContain('--auth');
    expect(usageError('iflow', '--logout', '--', 'x').message).toContain('--logout');
    expect(usageError('iflow', '--use', 'work', '-p', 'hi').message).toContain('--use');
    expect(usageError('iflow', '--nickname', 'a', 'prompt').message).toContain('--nickname');
    expect(usageError('iflow', '--proxy', '-c').message).toContain('--proxy');
  });

  it('refuses two account commands at once', () => {
    expect(usageError('iflow', '--accounts', '--logout').message).toContain(
      '--accounts and --logout are separate commands',
    );
    expect(usageError('iflow', '--auth', '--use', 'x').message).toContain('separate commands');
    expect(usageError('iflow', '--use', 'x', '--nickname', 'y').message).toContain('separate');
  });

  it('refuses modifiers without their command, repeats and values on switches', () => {
    expect(usageError('iflow', '--add').message).toBe('--add goes with --auth.');
    expect(usageError('iflow', '--json').message).toBe('--json goes with --accounts.');
    expect(usageError('iflow', '--accounts', '--add').message).toBe('--add goes with --auth.');
    expect(usageError('iflow', '--auth', '--auth').message).toBe('--auth is given twice.');
    expect(usageError('iflow', '--accounts=yes').message).toBe('--accounts takes no value.');
    expect(usageError('deepseek', '--api-key').message).toBe('--api-key goes with --auth.');
    expect(usageError('deepseek', '--auth', '--api-key=sk-secret').message).toBe(
      '--api-key reads the key from standard input, never from an argument.',
    );
  });

  it('refuses a missing value', () => {
    expect(usageError('iflow', '--use').message).toBe('--use needs a nickname.');
    expect(usageError('iflow', '--use', '--json').message).toBe('--use needs a nickname.');
    expect(usageError('iflow', '--auth', '--nickname').message).toBe('--nickname needs a name.');
  });

  it('validates nicknames: 1-32 of letters, digits, "-", "_", "."', () => {
    expect(parse('iflow', '--use', 'a')).toMatchObject({ nickname: 'a' });
    expect(parse('iflow', '--use', 'x'.repeat(32))).toMatchObject({ nickname: 'x'.repeat(32) });
    expect(parse('iflow', '--use', 'A-b_c.9')).toMatchObject({ nickname: 'A-b_c.9' });
    for (const bad of ['x'.repeat(33), 'has space', 'ümlaut', 'a/b', 'a@b']) {
      const error = usageError('iflow', '--nickname', bad);
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain('is not a valid nickname');
    }
    expect(usageError('iflow', '--use=').message).toContain('is not a valid nickname');
  });
});
