import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

/**
 * The real Claude Code, pinned. It is not a dependency of ccs: this setup
 * installs it once into a cache folder outside the repository and fails
 * (never skips) the e2e run when it cannot.
 */
export const CLAUDE_CODE_VERSION = '2.1.332';

const run = promisify(execFile);

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'ccs-e2e', `claude-code-${CLAUDE_CODE_VERSION}`);
}

function binIn(dir: string): string {
  return path.join(dir, 'node_modules', '.bin', 'claude');
}

async function versionOf(bin: string): Promise<string | undefined> {
  if (!existsSync(bin)) return undefined;
  try {
    const { stdout } = await run(bin, ['--version'], { timeout: 60_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

async function install(dir: string): Promise<void> {
  // Into a temp folder beside the cache entry, renamed when complete, so an
  // interrupted install never leaves a half-filled cache that looks usable.
  const temp = `${dir}.partial-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const spec = `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`;
  try {
    await run(npm, ['install', '--prefix', temp, '--no-save', '--no-audit', '--no-fund', spec], {
      timeout: 15 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // npm puts the cause (code, errno, URL) first and advice last.
    const lines = (error as { stderr?: string }).stderr?.trim().split('\n') ?? [];
    const detail = lines
      .filter((line) => line.startsWith('npm error'))
      .slice(0, 8)
      .join('\n');
    throw new Error(`e2e: could not install ${spec} into ${temp}:\n${detail || error}`);
  }
  await rm(dir, { recursive: true, force: true });
  await rename(temp, dir);
}

export default async function setup(project: TestProject): Promise<void> {
  const dir = cacheDir();
  const bin = binIn(dir);
  let version = await versionOf(bin);
  if (!version?.startsWith(CLAUDE_CODE_VERSION)) {
    await install(dir);
    version = await versionOf(bin);
  }
  if (!version?.startsWith(CLAUDE_CODE_VERSION)) {
    throw new Error(
      `e2e: ${bin} does not run or is not Claude Code ${CLAUDE_CODE_VERSION} ` +
        `(\`claude --version\` said ${JSON.stringify(version ?? 'nothing')}).`,
    );
  }
  project.provide('claudeBin', bin);
}

declare module 'vitest' {
  export interface ProvidedContext {
    claudeBin: string;
  }
}
