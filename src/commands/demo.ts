import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ccsPaths } from '../home.js';
import { createLogger, setLogger } from '../log.js';
import { startSimulator } from '../simulator/server.js';
import type { CommandContext } from './context.js';
import { loadTui } from './modules.js';

/** How often the demo's login polls: quick, so approving feels immediate. */
const DEMO_INTERVAL_SEC = 2;

/**
 * `ccs demo` (`npm run demo`): the TUI against the bundled iFlow simulator
 * in this process, with a throw-away config home, so a newcomer can log in
 * (approving the code on the simulator's own page, whose address the login
 * screen shows), manage accounts and launch without any real account.
 * Nothing the user has in ~/.ccs is read or touched.
 */
export async function runDemo(ctx: CommandContext): Promise<number> {
  if (!ctx.isTTY) {
    ctx.stderr.write('ccs demo opens a full-screen app: run it in a terminal.\n');
    return 2;
  }

  const home = await mkdtemp(path.join(os.tmpdir(), 'ccs-demo-'));
  // A SIGHUP (the terminal closed) ends the process from the terminal
  // module, past the `finally` below; the home must not outlive it either.
  const removeHome = () => rmSync(home, { recursive: true, force: true });
  process.once('exit', removeHome);
  const paths = ccsPaths(home);
  // The demo's log (the simulator's included) stays in the throw-away home.
  const logger = createLogger({ file: paths.logFile, level: 'info' });
  setLogger(logger);
  const simulator = await startSimulator({ port: 0, intervalSec: DEMO_INTERVAL_SEC });
  logger.info('demo started', { simulator: simulator.url, home });
  const env: NodeJS.ProcessEnv = {
    ...ctx.env,
    CCS_HOME: home,
    CCS_IFLOW_AUTH_URL: simulator.authUrl,
    CCS_IFLOW_API_URL: simulator.apiUrl,
  };

  try {
    const { runTui } = await loadTui();
    return await runTui({ ...ctx, paths, env, logger }, { screen: 'home' });
  } finally {
    await simulator.close();
    await rm(home, { recursive: true, force: true });
    process.off('exit', removeHome);
  }
}
