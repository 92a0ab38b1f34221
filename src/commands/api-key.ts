import { loginWithApiKey } from '../auth/api-key-login.js';
import { CancelledError, UserError } from '../errors.js';
import { adoptPreset } from '../providers/adopt.js';
import type { ProviderDefinition } from '../providers/types.js';
import type { CommandContext } from './context.js';

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = new Set(['\u0008', '\u007f']);

/**
 * Reads all of a piped stdin; the key is its first non-empty line. Ctrl-C or
 * SIGTERM ends the wait even when the pipe never closes (`sleep 9 | ccs …`).
 */
function readPipedKey(input: NodeJS.ReadableStream, signal: AbortSignal): Promise<string> {
  let text = '';
  input.setEncoding('utf8');
  return new Promise<string>((resolve, reject) => {
    const settle = (finish: () => void) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      signal.removeEventListener('abort', onAbort);
      input.pause();
      finish();
    };
    const onData = (chunk: string) => {
      text += chunk;
    };
    const onEnd = () => settle(() => resolve(firstLine(text)));
    const onError = (error: Error) => settle(() => reject(error));
    const onAbort = () => settle(() => reject(new CancelledError()));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
  });
}

function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .find((line) => line.trim() !== '')
      ?.trim() ?? ''
  );
}

/** Reads one line from a terminal without echoing it: a key must not stay on screen. */
function readHiddenKey(ctx: CommandContext, prompt: string): Promise<string> {
  const { stdin } = ctx;
  // The prompt goes where the person is: stdout may be redirected to a file.
  const stdout = ctx.isTTY ? ctx.stdout : ctx.stderr;
  // Echo off before the prompt shows: a key typed the moment it appears stays hidden.
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  stdout.write(prompt);
  let key = '';

  return new Promise<string>((resolve, reject) => {
    const finish = (settle: () => void) => {
      stdin.off('data', onData);
      ctx.signal.removeEventListener('abort', onAbort);
      stdin.setRawMode(false);
      stdin.pause();
      stdout.write('\n');
      settle();
    };
    const onAbort = () => finish(() => reject(new CancelledError()));
    const onData = (chunk: string) => {
      for (const char of chunk) {
        // Raw mode turns Ctrl-C into a byte; treat it as the signal it would have been.
        if (char === CTRL_C) return finish(() => reject(new CancelledError()));
        if (char === '\r' || char === '\n' || char === CTRL_D) {
          return finish(() => resolve(key.trim()));
        }
        if (BACKSPACE.has(char)) key = key.slice(0, -1);
        else if (char >= ' ') key += char;
      }
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    stdin.on('data', onData);
  });
}

function keyFromTerminal(ctx: CommandContext): boolean {
  return ctx.isTTY || ctx.stdin.isTTY === true;
}

/**
 * `ccs <provider> --auth [--api-key]` for an API-key provider: the key comes
 * from standard input (hidden on a terminal), never from an argument, and is
 * stored as an account whose id is a fingerprint of the key.
 */
export async function runApiKeyAuth(
  ctx: CommandContext,
  provider: ProviderDefinition,
  nickname: string | undefined,
): Promise<number> {
  if (provider.auth.kind !== 'api-key') return 1;
  if (provider.auth.key === 'none') {
    const added = await adoptPreset(ctx.paths, provider.id, { signal: ctx.signal });
    ctx.stdout.write(
      `${provider.displayName} takes no key: there is nothing to log in to. ` +
        `Run \`ccs ${provider.id}\` to use it.\n`,
    );
    if (added) ctx.stdout.write(`Added ${provider.id} to ${ctx.paths.configFile}.\n`);
    return 0;
  }

  // Hidden whenever stdin is a terminal, even with stdout redirected: the
  // terminal would echo a key read as a plain line.
  const apiKey = keyFromTerminal(ctx)
    ? await readHiddenKey(ctx, `API key for ${provider.displayName} (hidden): `)
    : await readPipedKey(ctx.stdin, ctx.signal);
  if (!apiKey) {
    throw new UserError(
      'no_api_key',
      `No API key for ${provider.displayName} on standard input.`,
      `Pipe it in, e.g. \`ccs ${provider.id} --auth --api-key < key.txt\`.`,
    );
  }

  const { account, created, addedToConfig } = await loginWithApiKey({
    provider,
    paths: ctx.paths,
    apiKey,
    clock: ctx.clock,
    signal: ctx.signal,
    ...(nickname !== undefined ? { nickname } : {}),
  });
  ctx.stdout.write(
    `${created ? 'Saved' : 'Updated'} the ${provider.displayName} API key as ${account.nickname}.\n`,
  );
  if (addedToConfig) ctx.stdout.write(`Added ${provider.id} to ${ctx.paths.configFile}.\n`);
  return 0;
}
