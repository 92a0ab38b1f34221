import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptFileError, UserError } from '../../src/errors.js';
import { exitCodeOf, findClaude } from '../../src/launch/claude.js';
import { loadOrCreateProxyKey } from '../../src/launch/proxy-key.js';
import { shellQuote } from '../../src/launch/shell.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ccs-launch-unit-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('loadOrCreateProxyKey', () => {
  it('creates the key once, 0600, and returns the same one to racing callers', async () => {
    const file = path.join(dir, 'cliproxy', 'proxy.key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateProxyKey(file)));
    expect(new Set(keys).size).toBe(1);
    expect((await readFile(file, 'utf8')).trim()).toBe(keys[0]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateProxyKey(file)).toBe(keys[0]);
  });

  it('refuses a damaged key file and leaves it alone', async () => {
    const file = path.join(dir, 'proxy.key');
    await writeFile(file, 'two\nlines that are not a key\n');
    await expect(loadOrCreateProxyKey(file)).rejects.toBeInstanceOf(CorruptFileError);
    expect(await readFile(file, 'utf8')).toBe('two\nlines that are not a key\n');
  });
});

describe('findClaude', () => {
  it('takes the first executable claude on PATH', async () => {
    const [a, b] = [path.join(dir, 'a'), path.join(dir, 'b')];
    await Promise.all([a, b].map((d) => mkdir(d)));
    await writeFile(path.join(a, 'claude'), 'not executable');
    await writeFile(path.join(b, 'claude'), '#!/bin/sh\n');
    await chmod(path.join(b, 'claude'), 0o755);
    expect(await findClaude({ PATH: [a, b].join(path.delimiter) })).toBe(path.join(b, 'claude'));
  });

  it('prefers CCS_CLAUDE_BIN, and says so when it points nowhere', async () => {
    const bin = path.join(dir, 'my-claude');
    await writeFile(bin, '#!/bin/sh\n');
    await chmod(bin, 0o700);
    expect(await findClaude({ CCS_CLAUDE_BIN: bin, PATH: '' })).toBe(bin);
    const missing = findClaude({ CCS_CLAUDE_BIN: path.join(dir, 'nope'), PATH: '' });
    await expect(missing).rejects.toThrow(/CCS_CLAUDE_BIN/);
  });

  it('says how to install claude when there is none', async () => {
    const error = await findClaude({ PATH: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(1);
    expect((error as UserError).nextStep).toContain('npm install -g @anthropic-ai/claude-code');
  });
});

describe('exitCodeOf', () => {
  it("is claude's code, or 128 + the signal number", () => {
    expect(exitCodeOf(3, null)).toBe(3);
    expect(exitCodeOf(null, 'SIGTERM')).toBe(143);
    expect(exitCodeOf(null, 'SIGKILL')).toBe(137);
    expect(exitCodeOf(null, 'SIGHUP')).toBe(129);
  });
});

describe('shellQuote', () => {
  it('leaves URLs and secrets bare and quotes anything a shell would change', () => {
    expect(shellQuote('http://127.0.0.1:8317')).toBe('http://127.0.0.1:8317');
    expect(shellQuote('ccs-AbC_d-9')).toBe('ccs-AbC_d-9');
    expect(shellQuote("it's $x")).toBe(`'it'\\''s $x'`);
  });
});
