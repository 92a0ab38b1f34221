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
 *   (npm run bench runs it after the proxy benchmark)
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

/**
 * The baseline, timed the same way: a bare Node process that draws the same
 * markers and quits on a key, so the figure's tmux, spawn and Node start-up
 * share is known (the ratio is what ccs itself adds).
 */
const BASELINE = [
  'process.stdout.write("? keys No accounts yet");',
  'process.stdin.setRawMode(true);',
  'process.stdin.on("data", () => process.exit(0));',
].join('');

function once(home: string, index: number, command: string[]): number {
  const window = `run${index}`;
  const started = performance.now();
  tmux('new-window', '-d', '-n', window, 'env', '-u', 'CI', `CCS_HOME=${home}`, ...command);
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
  const ccs = ['node', CLI];
  const bare = ['node', '-e', BASELINE];
  once(home, 0, ccs); // warm the file system cache; not counted
  const ccsTimes: number[] = [];
  const bareTimes: number[] = [];
  // Interleaved, so a busy moment of the machine weighs on both alike.
  for (let i = 1; i <= runs; i++) {
    ccsTimes.push(once(home, 2 * i, ccs));
    bareTimes.push(once(home, 2 * i + 1, bare));
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const sorted = [...ccsTimes].sort((a, b) => a - b);
  const frame = median(ccsTimes);
  const baseline = median(bareTimes);
  process.stdout.write(
    `first full frame: median ${frame.toFixed(0)} ms over ${runs} runs ` +
      `(min ${sorted[0]?.toFixed(0)}, max ${sorted.at(-1)?.toFixed(0)}); target < 300 ms\n` +
      `bare node drawing the same markers: median ${baseline.toFixed(0)} ms; ` +
      `ccs is ${(frame / baseline).toFixed(2)}x that, +${(frame - baseline).toFixed(0)} ms\n`,
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
