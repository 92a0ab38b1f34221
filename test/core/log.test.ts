import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../src/log.js';

describe('redact', () => {
  it('hides secret fields at any depth', () => {
    expect(
      redact({ access_token: 'a', nested: { refresh_token: 'r', api_key: 'k', ok: 1 } }),
    ).toEqual({
      access_token: '[redacted]',
      nested: { refresh_token: '[redacted]', api_key: '[redacted]', ok: 1 },
    });
  });

  it('hides bearer tokens and key=value secrets inside text', () => {
    const text = redact('Authorization: Bearer sk-123abc and apiKey=zzz&x=1') as string;
    expect(text).not.toContain('sk-123abc');
    expect(text).not.toContain('zzz');
    expect(text).toContain('x=1');
  });
});

describe('createLogger', () => {
  it('appends redacted lines at or above its level', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ccs-log-'));
    const file = path.join(dir, 'logs', 'ccs.log');
    const log = createLogger({ file, level: 'info', now: () => new Date(0) });
    log.debug('hidden');
    log.info('refreshed', { account: 'work', access_token: 'secret-value' });
    const text = await readFile(file, 'utf8');
    expect(text).toBe(
      '1970-01-01T00:00:00.000Z info  refreshed {"account":"work","access_token":"[redacted]"}\n',
    );
  });
});
