// A second (and third) ccs process for the refresh race test: loads the
// built code from dist/, says "ready", waits for a line on stdin, refreshes
// one account, and prints the outcome as one JSON line.
// Usage: node refresh-child.mjs <dist dir> <ccs home> <auth url> <api url> <account id>
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, home, authUrl, apiUrl, accountId] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(path.join(dist, file)).href);

const { ccsPaths } = await load('src/home.js');
const { iflowProvider } = await load('src/providers/iflow.js');
const { listAccounts } = await load('src/accounts/registry.js');
const { refreshAccount } = await load('src/auth/refresh.js');

const paths = ccsPaths(home);
const account = (await listAccounts(paths, 'iflow')).find((a) => a.id === accountId);
if (!account) throw new Error(`no account ${accountId} in ${home}`);

process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const outcome = await refreshAccount({ provider: iflowProvider(authUrl, apiUrl), paths, account });
process.stdout.write(`${JSON.stringify({ type: outcome.type, error: outcome.error?.message })}\n`);
process.exit(0);
