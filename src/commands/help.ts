import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { providerUsage, USAGE } from '../args.js';
import { PRESETS } from '../providers/presets.js';
import { BUILT_IN_PROVIDER_IDS } from '../providers/registry.js';
import type { ProviderDefinition } from '../providers/types.js';

function presetLines(): string {
  return Object.entries(PRESETS)
    .map(([id, preset]) => {
      const key = preset.kind === 'api-key' && preset.api_key === 'none' ? 'no key' : 'API key';
      return `    ${id.padEnd(12)} ${preset.api_url} (${key})`;
    })
    .join('\n');
}

// Kept in step with src/args.ts: every command and flag the parser accepts is listed here.
export function mainHelp(): string {
  return `ccs runs Claude Code (\`claude\`) on other providers' models: device-code login,
several accounts per provider, a local Anthropic-to-OpenAI proxy and a full-screen TUI.

${USAGE}

Commands:
  ccs                          full-screen TUI (needs a terminal)
  ccs config                   the TUI opened on the settings editor
  ccs <provider> [args...]     run claude through the provider; other arguments go to claude
  ccs <provider> --help        the provider's commands and flags
  ccs simulator [--port N]     a local iFlow-compatible server for trying ccs without an account
  ccs demo                     the TUI against a built-in simulator and a throw-away home
  ccs --help, -h               this text
  ccs --version, -v            the version

Providers:
  Built in: ${BUILT_IN_PROVIDER_IDS.join(', ')}.
  Presets (added to config.yaml the first time you run \`ccs <id> --auth\`):
${presetLines()}
  Your own: any providers.<id> of <home>/cliproxy/config.yaml, kind device-code (an
  OAuth server with the device grant, e.g. a company gateway) or api-key (any
  OpenAI-compatible endpoint; api_key: none for a local server). See the README.
  iFlow announced the end of its service on 2026-04-17: set CCS_IFLOW_AUTH_URL and
  CCS_IFLOW_API_URL (or providers.iflow.auth_url/api_url in config.yaml) to use a
  compatible endpoint, or try \`ccs simulator\`.

Environment:
  CCS_HOME          config home (default ~/.ccs)
  CCS_DEBUG=1       also write the log to stderr (it always goes to <home>/logs/ccs.log)
`;
}

function authLines(provider: ProviderDefinition | undefined): string {
  const auth = provider?.auth;
  if (auth?.kind === 'api-key' && auth.key === 'none') {
    return `  --auth                 nothing to log in to: ${provider?.displayName} takes no key
                         (one implicit account, local)`;
  }
  if (auth?.kind === 'api-key') {
    return `  --auth [--api-key]     store an API key read from standard input (hidden on a
                         terminal), never from an argument
  --auth --add           store another key, keeping the existing ones
  --auth --nickname <n>  name the key's account`;
  }
  const device = `  --auth                 log in with a device code (works over SSH)
  --auth --add           log in another account, keeping the existing ones
  --auth --nickname <n>  name the account being logged in`;
  if (auth) return device;
  // Not resolvable (config.yaml broken): both kinds.
  return `${device}
  --auth --api-key       API-key providers: read the key from standard input
                         (hidden on a terminal), never from an argument`;
}

function endpointLines(providerId: string, provider: ProviderDefinition | undefined): string {
  const upper = providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const where = provider ? `${provider.displayName} at ${provider.apiUrl}` : providerId;
  if (providerId === 'iflow') {
    // Both endpoints can be overridden, so both are shown as they resolve now.
    const now = provider
      ? `Endpoints: login at ${provider.authUrl ?? 'the default'}, chat at ${provider.apiUrl}.\n`
      : '';
    return `${now}Override them with CCS_IFLOW_AUTH_URL and CCS_IFLOW_API_URL, or with
providers.iflow.auth_url and api_url in cliproxy/config.yaml.`;
  }
  return `Endpoint (${where}): CCS_${upper}_API_URL, or providers.${providerId}.api_url
in cliproxy/config.yaml (see the README's Providers section for every key).`;
}

/** `ccs <id> --help`, for the provider as resolved when it could be (its kind decides --auth). */
export function providerHelp(providerId: string, provider?: ProviderDefinition): string {
  return `${providerUsage(providerId, provider?.auth.kind)}

Run claude through ${providerId} (arguments that are not ccs's own go to claude as given):
  ccs ${providerId} "review this code"
  ccs ${providerId} -p "..." --output-format json
  ccs ${providerId} -- <arguments>     everything after -- goes to claude untouched

Accounts (each is a command of its own; none takes a prompt):
${authLines(provider)}
  --accounts [--json]    list the accounts; the default is marked [default]
  --use <nickname>       make that account the default
  --nickname <name>      rename the default account
  --logout               delete every ${providerId} token and account entry
  --proxy                run the proxy alone for other clients (prints export lines)
  --help, -h             this text

Nicknames are 1-32 letters, digits, ".", "_" or "-".
${endpointLines(providerId, provider)}
`;
}

/** The version from package.json, found by walking up from this file (src/ or dist/src/). */
export function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'ccs' && pkg.version) return pkg.version;
    } catch {
      // Not here; keep walking up.
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}
