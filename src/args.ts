import { isValidNickname } from './accounts/identity.js';
import { UsageError } from './errors.js';
import { BUILT_IN_PROVIDER_IDS } from './providers/registry.js';

/** What the command line asks for. Pure data: `parseArgs` does no I/O. */
export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'tui' }
  | { kind: 'config' }
  | { kind: 'demo' }
  | { kind: 'simulator'; args: string[] }
  | { kind: 'provider-help'; providerId: string }
  | { kind: 'auth'; providerId: string; add: boolean; apiKey: boolean; nickname?: string }
  | { kind: 'logout'; providerId: string }
  | { kind: 'accounts'; providerId: string; json: boolean }
  | { kind: 'use'; providerId: string; nickname: string }
  | { kind: 'nickname'; providerId: string; name: string }
  | { kind: 'proxy'; providerId: string }
  | { kind: 'launch'; providerId: string; claudeArgs: string[] };

export const USAGE = [
  'Usage: ccs [<provider> [--auth|--accounts|--use|--nickname|--logout|--proxy|claude arguments...]]',
  '       ccs config | simulator | demo | --help | --version',
].join('\n');

/** The usage lines; `kind`, when known, drops the `--auth` option that kind refuses. */
export function providerUsage(providerId: string, kind?: 'device-code' | 'api-key'): string {
  const apiKey = kind === 'device-code' ? '' : ' [--api-key]';
  return [
    `Usage: ccs ${providerId} [--] [claude arguments...]`,
    `       ccs ${providerId} --auth [--add]${apiKey} [--nickname <name>]`,
    `       ccs ${providerId} --accounts [--json] | --use <nickname> | --nickname <name>`,
    `       ccs ${providerId} --logout | --proxy | --help`,
  ].join('\n');
}

export interface ParseOptions {
  /** Provider ids that are commands; the built-in ones by default. */
  providers?: readonly string[];
}

/** The first words that ask for help: `ccs help`, `ccs --help`, `ccs -h`. */
export const HELP_WORDS: ReadonlySet<string> = new Set(['help', '--help', '-h']);

/**
 * Turns `process.argv.slice(2)` into a Command, or throws a UsageError (exit
 * 2) carrying the usage line to print.
 */
export function parseArgs(argv: readonly string[], options: ParseOptions = {}): Command {
  const providers = options.providers ?? BUILT_IN_PROVIDER_IDS;
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'tui' };
  if (HELP_WORDS.has(first)) return parseHelp(rest, providers);

  switch (first) {
    case '--version':
    case '-v':
      if (rest.length > 0) throw usage(`${first} takes no arguments (got ${rest[0]}).`);
      return { kind: 'version' };
    case 'config':
    case 'demo':
      return noArguments(first, rest);
    case 'simulator':
      // The simulator command parses its own options (AUTH owns them).
      return { kind: 'simulator', args: [...rest] };
  }

  if (providers.includes(first)) return parseProviderArgs(first, rest);
  if (first.startsWith('-')) throw usage(`Unknown option ${first}.`);
  throw usage(
    `"${first}" is neither a provider nor a command. Known providers: ${providers.join(', ')}.`,
  );
}

/** `ccs --help` alone, or `ccs help <provider>` for that provider's help. */
function parseHelp(rest: readonly string[], providers: readonly string[]): Command {
  const [topic, extra] = rest;
  if (topic === undefined) return { kind: 'help' };
  if (extra === undefined && providers.includes(topic)) {
    return { kind: 'provider-help', providerId: topic };
  }
  throw usage(
    `Help is about ccs or one provider (${providers.join(', ')}); got ${rest.join(' ')}.`,
  );
}

function usage(message: string, line: string = USAGE): UsageError {
  return new UsageError(message, line);
}

function noArguments(command: 'config' | 'demo', rest: readonly string[]): Command {
  if (rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')) return { kind: 'help' };
  if (rest.length > 0) throw usage(`\`ccs ${command}\` takes no arguments (got ${rest[0]}).`);
  return { kind: command };
}

/** The flags that belong to ccs after a provider name; everything else is claude's. */
type OwnFlag =
  | 'auth'
  | 'add'
  | 'api-key'
  | 'logout'
  | 'accounts'
  | 'json'
  | 'use'
  | 'nickname'
  | 'proxy';
const OWN_FLAGS: Record<string, OwnFlag> = {
  '--auth': 'auth',
  '--add': 'add',
  '--api-key': 'api-key',
  '--logout': 'logout',
  '--accounts': 'accounts',
  '--json': 'json',
  '--use': 'use',
  '--nickname': 'nickname',
  '--proxy': 'proxy',
};
/** Every flag ccs reads after a provider name (the help text lists each one). */
export const PROVIDER_FLAGS: readonly string[] = [...Object.keys(OWN_FLAGS), '--help', '-h'];
const TAKES_VALUE: ReadonlySet<OwnFlag> = new Set(['use', 'nickname']);

interface ProviderFlags {
  seen: OwnFlag[];
  values: Partial<Record<OwnFlag, string>>;
  help: boolean;
  claudeArgs: string[];
}

function collectProviderFlags(providerId: string, args: readonly string[]): ProviderFlags {
  const line = providerUsage(providerId);
  const flags: ProviderFlags = { seen: [], values: {}, help: false, claudeArgs: [] };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      flags.claudeArgs.push(...args.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      flags.help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const flag = OWN_FLAGS[name];
    if (!flag) {
      flags.claudeArgs.push(arg);
      continue;
    }
    if (flags.seen.includes(flag)) throw usage(`${name} is given twice.`, line);
    flags.seen.push(flag);

    if (!TAKES_VALUE.has(flag)) {
      if (flag === 'api-key' && eq > 0) {
        // A key in argv would land in shell history and `ps`; stdin only.
        throw usage('--api-key reads the key from standard input, never from an argument.', line);
      }
      if (eq > 0) throw usage(`${name} takes no value.`, line);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        value = next;
        i++;
      }
    }
    if (value === undefined) {
      throw usage(`${name} needs a ${flag === 'use' ? 'nickname' : 'name'}.`, line);
    }
    if (!isValidNickname(value)) {
      throw usage(
        `"${value}" is not a valid nickname: use 1-32 letters, digits, ".", "_" or "-".`,
        line,
      );
    }
    flags.values[flag] = value;
  }
  return flags;
}

function parseProviderArgs(providerId: string, args: readonly string[]): Command {
  const line = providerUsage(providerId);
  const flags = collectProviderFlags(providerId, args);
  if (flags.help) return { kind: 'provider-help', providerId };

  const has = (flag: OwnFlag) => flags.seen.includes(flag);
  const { seen, values, claudeArgs } = flags;

  // `--nickname` names the new account during `--auth`; alone it is a command.
  const commands = seen.filter(
    (flag) =>
      flag === 'auth' ||
      flag === 'logout' ||
      flag === 'accounts' ||
      flag === 'use' ||
      flag === 'proxy' ||
      (flag === 'nickname' && !has('auth')),
  );
  if (commands.length > 1) {
    throw usage(
      `--${commands[0]} and --${commands[1]} are separate commands; run them one at a time.`,
      line,
    );
  }
  const command = commands[0];
  if (has('add') && command !== 'auth') throw usage('--add goes with --auth.', line);
  if (has('api-key') && command !== 'auth') throw usage('--api-key goes with --auth.', line);
  if (has('json') && command !== 'accounts') throw usage('--json goes with --accounts.', line);
  if (command === undefined) return { kind: 'launch', providerId, claudeArgs };

  if (claudeArgs.length > 0) {
    throw usage(
      `--${command} is a command of its own and takes no prompt or claude arguments ` +
        `(got ${JSON.stringify(claudeArgs[0])}).`,
      line,
    );
  }

  switch (command) {
    case 'auth':
      return {
        kind: 'auth',
        providerId,
        add: has('add'),
        apiKey: has('api-key'),
        ...(values.nickname !== undefined ? { nickname: values.nickname } : {}),
      };
    case 'logout':
      return { kind: 'logout', providerId };
    case 'accounts':
      return { kind: 'accounts', providerId, json: has('json') };
    case 'use':
      return { kind: 'use', providerId, nickname: values.use! };
    case 'nickname':
      return { kind: 'nickname', providerId, name: values.nickname! };
    case 'proxy':
      return { kind: 'proxy', providerId };
    default:
      throw usage(`--${command} is not understood here.`, line);
  }
}
