import { chmod, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readConfig, updateConfig } from '../../src/config/config-file.js';
import { CancelledError, CorruptFileError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/fs/atomic.js';
import { readJsonFile } from '../../src/fs/json-file.js';
import { withFileLock } from '../../src/fs/lock.js';
import { ccsPaths, resolveHome } from '../../src/home.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ccs-core-'));
});

afterEach(async () => {
  await chmod(dir, 0o700).catch(() => {});
});

describe('config home', () => {
  it('uses CCS_HOME when set and ~/.ccs otherwise', () => {
    expect(resolveHome({ CCS_HOME: '/tmp/x' })).toBe('/tmp/x');
    expect(resolveHome({})).toBe(path.join(os.homedir(), '.ccs'));
  });

  it('derives file names that are safe for any account id', () => {
    const paths = ccsPaths('/h');
    expect(paths.tokenFile('iflow', 'a/b c@x.com')).toBe('/h/cliproxy/auth/iflow-a_b_c@x.com.json');
    expect(paths.settingsFile('iflow')).toBe('/h/iflow.settings.json');
  });

  it('keeps long ids that share their first 120 characters in separate files', () => {
    const paths = ccsPaths('/h');
    const stem = `${'a'.repeat(120)}`;
    const first = path.basename(paths.tokenFile('iflow', `${stem}1@x.com`));
    const second = path.basename(paths.tokenFile('iflow', `${stem}2@x.com`));
    expect(first).not.toBe(second);
    expect(first).toMatch(/^iflow-a{107}~[0-9a-f]{12}\.json$/);
    // 120 characters exactly is not cut: that name is the one on disk already.
    expect(path.basename(paths.tokenFile('iflow', stem))).toBe(`iflow-${stem}.json`);
  });
});

describe('writeFileAtomic', () => {
  it('writes 0600 files in 0700 directories and leaves no temp file', async () => {
    const file = path.join(dir, 'nested', 'secret.json');
    await writeFileAtomic(file, '{"a":1}');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(await readdir(path.dirname(file))).toEqual(['secret.json']);
  });

  it('replaces the old content whole', async () => {
    const file = path.join(dir, 'f.txt');
    await writeFileAtomic(file, 'old');
    await writeFileAtomic(file, 'new', { mode: 0o644 });
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });
});

describe('readJsonFile', () => {
  const schema = z.object({ name: z.string() });

  it('returns undefined for a missing file', async () => {
    expect(await readJsonFile(path.join(dir, 'none.json'), schema)).toBeUndefined();
  });

  it('names the file and the field when the content is wrong, and keeps the bytes', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, '{"name": 3}');
    const error = await readJsonFile(file, schema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptFileError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('`name`');
    expect(await readFile(file, 'utf8')).toBe('{"name": 3}');
  });

  it('reports text that is not JSON', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, '{oops');
    await expect(readJsonFile(file, schema)).rejects.toThrow(/not JSON/);
  });

  it('says where the JSON breaks without quoting the file (it may hold a secret)', async () => {
    const file = path.join(dir, 'token.json');
    const cases: Array<[string, RegExp]> = [
      ['{\n  "access_token": at-25zngxh9u2wws6qu\n}', /unexpected character at line 2, column 19/],
      ['garbage', /unexpected character at line 1, column 1/],
      ['{\n  "access_token": "at-25zngxh9u2wws6qu" "x"\n}', /at line 2, column 41/],
      ['{"access_token": "at-25zngxh9u2wws6qu', /ends in the middle .*line 1, column 38/],
      // V8 quotes these whole, and the token's first look-alike came earlier.
      ['{"a": a}', /unexpected character at line 1, column 7/],
      ['{"key":1, "tok": k}', /unexpected character at line 1, column 18/],
      ['{"garbage": "a\\u00zz"}', /unexpected character at line 1, column 19/],
      ['{"a": 01}', /unexpected character at line 1, column 8/],
      ['garbage at-25zngxh9u2wws6qu\n', /not JSON/],
      ['  \n', /the file is empty/],
    ];
    for (const [text, problem] of cases) {
      await writeFile(file, text);
      const error = (await readJsonFile(file, schema).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(CorruptFileError);
      expect(error.message).toMatch(problem);
      expect(error.message).not.toMatch(/25zn|garbage/);
      expect(error.message).not.toContain('\n');
      expect(error.cause).toBeUndefined();
    }
  });
});

describe('withFileLock', () => {
  it('serialises critical sections within a process', async () => {
    const target = path.join(dir, 'counter');
    await writeFile(target, '0');
    const bump = () =>
      withFileLock(target, async () => {
        const n = Number(await readFile(target, 'utf8'));
        await new Promise((resolve) => setImmediate(resolve));
        await writeFile(target, String(n + 1));
      });
    await Promise.all(Array.from({ length: 20 }, bump));
    expect(await readFile(target, 'utf8')).toBe('20');
  });

  it('takes over a lock left by a process that is gone', async () => {
    const target = path.join(dir, 'x');
    // PID 2^22 + 1 is above Linux's pid_max default, so no process has it.
    await writeFile(`${target}.lock`, String(4_194_305));
    await expect(withFileLock(target, async () => 'done')).resolves.toBe('done');
  });

  it('lets exactly one of several waiters take over a stale lock', async () => {
    // The overlap needed an unlucky interleaving (about 1 round in 6 before the
    // fix), so several rounds are run.
    let most = 0;
    for (let round = 0; round < 20; round++) {
      const target = path.join(dir, `z${round}`);
      await writeFile(`${target}.lock`, String(4_194_305));
      let inside = 0;
      const enter = () =>
        withFileLock(
          target,
          async () => {
            inside++;
            most = Math.max(most, inside);
            await new Promise((resolve) => setTimeout(resolve, 2));
            inside--;
          },
          { retryMs: 2 },
        );
      await Promise.all(Array.from({ length: 6 }, enter));
    }
    expect(most).toBe(1);
  });

  it('releases the lock when the section throws', async () => {
    const target = path.join(dir, 'y');
    await expect(
      withFileLock(target, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(withFileLock(target, async () => 1, { timeoutMs: 200 })).resolves.toBe(1);
  });

  it('stops waiting at once when its signal fires, leaving no lock of its own', async () => {
    const target = path.join(dir, 'w');
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holder = withFileLock(target, () => held);
    await expect.poll(() => readdir(dir)).toContain('w.lock');

    const controller = new AbortController();
    const started = Date.now();
    // A long retry pause: without the signal the waiter would sleep through it.
    const waiter = withFileLock(target, async () => 'ran', {
      retryMs: 10_000,
      signal: controller.signal,
    });
    setImmediate(() => controller.abort());
    await expect(waiter).rejects.toThrow(CancelledError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await readFile(`${target}.lock`, 'utf8')).toBe(String(process.pid));

    release();
    await holder;
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('config.yaml', () => {
  it('defaults when missing', async () => {
    const config = await readConfig(path.join(dir, 'config.yaml'));
    expect(config.proxyPort).toBe(8317);
    expect(config.routingStrategy).toBe('fill-first');
  });

  it('rewrites only the managed keys and keeps every other key', async () => {
    const file = path.join(dir, 'config.yaml');
    await writeFile(file, 'custom:\n  keep: [1, 2]\nproxy:\n  port: 9000\n  extra: true\n');
    await updateConfig(file, (doc) => {
      doc.routing = { ...doc.routing, strategy: 'round-robin' };
    });
    const config = await readConfig(file);
    expect(config.routingStrategy).toBe('round-robin');
    expect(config.proxyPort).toBe(9000);
    expect(config.document.custom).toEqual({ keep: [1, 2] });
    expect(config.document.proxy).toMatchObject({ extra: true });
  });

  it("keeps the user's comments and layout; only the changed keys are rewritten", async () => {
    const file = path.join(dir, 'config.yaml');
    const before = [
      '# ccs configuration, kept by hand',
      'providers:',
      '  corp: # the company gateway',
      '    kind: device-code',
      '    issuer: https://sso.example.com/realms/dev',
      '    client_id: ccs-cli',
      '    api_url: https://llm.example.com/v1',
      '    models: [corp-coder]',
      'proxy:',
      '  port: 9000 # IDE settings point here',
      '',
    ].join('\n');
    await writeFile(file, before);
    await updateConfig(file, (doc) => {
      doc.proxy = { ...doc.proxy, port: 9100 };
      doc.routing = { strategy: 'round-robin' };
    });
    const after = await readFile(file, 'utf8');
    // Every comment survives; the yaml library puts one that followed a
    // collection's key on the line below it.
    for (const comment of ['# ccs configuration', '# the company gateway', '# IDE settings']) {
      expect(after).toContain(comment);
    }
    expect(after).toContain('  port: 9100 # IDE settings point here\n');
    expect(after).toContain('    models: [corp-coder]\n');
    expect(after.endsWith('routing:\n  strategy: round-robin\n')).toBe(true);
    const config = await readConfig(file);
    expect(config.proxyPort).toBe(9100);
    expect(config.providers.corp?.raw).toMatchObject({ client_id: 'ccs-cli' });
  });

  it('writes a new file, and one that held only comments keeps them', async () => {
    const file = path.join(dir, 'config.yaml');
    await updateConfig(file, (doc) => {
      doc.proxy = { port: 9300 };
    });
    expect(await readFile(file, 'utf8')).toBe('proxy:\n  port: 9300\n');
    await writeFile(file, '# to be filled in\n');
    await updateConfig(file, (doc) => {
      doc.proxy = { port: 9400 };
    });
    const text = await readFile(file, 'utf8');
    expect(text).toContain('# to be filled in');
    expect((await readConfig(file)).proxyPort).toBe(9400);
  });

  it('deletes a key it removes, and rewrites what only js-yaml reads the same way', async () => {
    const file = path.join(dir, 'config.yaml');
    await writeFile(file, '# note\nproxy:\n  port: 9000\nrouting:\n  strategy: round-robin\n');
    await updateConfig(file, (doc) => {
      delete doc.routing;
    });
    expect(await readFile(file, 'utf8')).toBe('# note\nproxy:\n  port: 9000\n');

    // Merge keys: the two YAML libraries disagree, so the file is dumped
    // afresh; its content is still right.
    await writeFile(file, 'base: &b\n  x: 1\ncustom:\n  <<: *b\n  y: 2\n');
    const read = (await readConfig(file)).document.custom;
    await updateConfig(file, (doc) => {
      doc.proxy = { port: 9200 };
    });
    const config = await readConfig(file);
    expect(config.proxyPort).toBe(9200);
    expect(config.document.custom).toEqual(read);

    // An edit through an anchor would change its alias too: dumped afresh instead.
    await writeFile(file, 'proxy: &p\n  port: 9000\ncustom: *p\n');
    await updateConfig(file, (doc) => {
      doc.proxy = { ...doc.proxy, port: 9500 };
    });
    const anchored = await readConfig(file);
    expect(anchored.proxyPort).toBe(9500);
    expect(anchored.document.custom).toEqual({ port: 9000 });
  });

  it('refuses a bad port naming the file, leaving it as it was', async () => {
    const file = path.join(dir, 'config.yaml');
    await writeFile(file, 'proxy:\n  port: 99999\n');
    const error = await readConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptFileError);
    expect((error as Error).message).toContain('proxy.port');
    expect(await readFile(file, 'utf8')).toBe('proxy:\n  port: 99999\n');
  });
  it('refuses an iflow endpoint that is not http(s), naming the field', async () => {
    const file = path.join(dir, 'config.yaml');
    for (const bad of ['not-a-url', 'ftp://127.0.0.1/v1']) {
      await writeFile(file, `providers:\n  iflow:\n    api_url: ${bad}\n`);
      const error = await readConfig(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptFileError);
      expect((error as Error).message).toContain(
        'field `providers.iflow.api_url`: must be an http:// or https:// URL',
      );
    }
  });
});
