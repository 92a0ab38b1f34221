import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Benchmark, not a test: time from spawning `ccs` in a 100×30 tmux window to
 * its first full frame (the home screen with its key bar and the accounts
 * line, which needs the config files read). tmux's own server is started
 * first so its start-up is not counted; capture-pane is polled every ~7 ms
 * (5 ms apart, plus its own time), which bounds the resolution.
 *
 *   npm run build && node dist/test/tui/bench-first-frame.js [runs]
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// The bundle that package.json's `bin` points at: what a user runs.
const CLI = path.join(ROOT, 'dist/bin/ccs.js');
const SOCKET = `ccs-bench-${process.pid}`;
const runs = Number(process.argv[2] ?? 9);
const POLL_GAP_MS = 5;
const pause = new Int32Array(new SharedArrayBuffer(4));

const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });

function once(home: string, index: number): number {
  const window = `run${index}`;
  const started = performance.now();
  tmux('new-window', '-d', '-n', window, 'env', '-u', 'CI', `CCS_HOME=${home}`, 'node', CLI);
  for (;;) {
    const screen = tmux('capture-pane', '-p', '-t', `bench:${window}`);
    if (screen.includes('? keys') && screen.includes('No accounts yet')) {
      const elapsed = performance.now() - started;
      tmux('send-keys', '-t', `bench:${window}`, 'q');
      waitForExit(window);
      return elapsed;
    }
    if (performance.now() - started > 10_000) throw new Error(`No frame after 10 s:\n${screen}`);
    // A breath between polls: spawning tmux back to back would take a core
    // from the ccs being measured on a small machine.
    Atomics.wait(pause, 0, 0, POLL_GAP_MS);
  }
}

/**
 * Waits for the window to close (ccs has quit), so that a ccs shutting down
 * neither competes with the next run for the CPU nor writes into the home
 * while it is removed.
 */
function waitForExit(window: string): void {
  const deadline = performance.now() + 5_000;
  while (tmux('list-windows', '-t', 'bench', '-F', '#{window_name}').split('\n').includes(window)) {
    if (performance.now() > deadline) throw new Error(`ccs in window ${window} did not quit on q`);
    Atomics.wait(pause, 0, 0, POLL_GAP_MS);
  }
}

const home = mkdtempSync(path.join(os.tmpdir(), 'ccs-bench-'));
try {
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'bench', '-x', '100', '-y', '30');
  once(home, 0); // warm the file system cache; not counted
  const times = Array.from({ length: runs }, (_, i) => once(home, i + 1)).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
  process.stdout.write(
    `first full frame: median ${median.toFixed(0)} ms over ${runs} runs ` +
      `(min ${times[0]?.toFixed(0)}, max ${times.at(-1)?.toFixed(0)}); target < 300 ms\n`,
  );
} finally {
  try {
    // kill-server leaves the socket file behind; remove it too.
    const socket = tmux('display', '-p', '#{socket_path}').trim();
    tmux('kill-server');
    rmSync(socket, { force: true });
  } catch {
    // Already gone.
  }
  rmSync(home, { recursive: true, force: true });
}
