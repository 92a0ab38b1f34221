/**
 * `npm run bench`: the proxy's overhead, measured against the same request
 * sent straight to a minimal upstream in the same run. The upstream and the
 * proxy each run in their own process; this one only sends requests.
 *
 * Reports medians over BENCH_RUNS runs (default 5) of: added latency p50/p99
 * at concurrency 1 and 8, time to first byte of a stream, translated stream
 * events per second for a 2,000-chunk answer, and the proxy's peak RSS.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { recordLogin } from '../../src/accounts/registry.js';
import { ccsPaths } from '../../src/home.js';
import { iflowProvider } from '../../src/providers/iflow.js';
import { chooseModel } from '../../src/proxy/model-map.js';
import { translateRequest } from '../../src/proxy/translate/index.js';
import { benchRequest } from './fixture.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LATENCY_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const SECRET = 'bench-secret';
const here = path.dirname(fileURLToPath(import.meta.url));

interface Sample {
  totalMs: number;
  firstByteMs: number;
  frames: number;
}

interface Target {
  name: 'direct' | 'proxy';
  pool: Pool;
  path: string;
  headers: Record<string, string>;
  /** Body for a streamed answer of `chunks` chunks. */
  body(chunks: number): string;
}

function startChild(
  script: string,
  args: string[] = [],
  execArgv: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.join(here, script), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.on('message', (message: { port?: number }) => {
      if (message.port) resolve({ child, port: message.port });
    });
  });
}

async function send(target: Target, chunks: number): Promise<Sample> {
  const started = performance.now();
  const answer = await target.pool.request({
    path: target.path,
    method: 'POST',
    headers: target.headers,
    body: target.body(chunks),
  });
  if (answer.statusCode !== 200) {
    throw new Error(`${target.name} answered ${answer.statusCode}: ${await answer.body.text()}`);
  }
  let firstByteMs = -1;
  let frames = 0;
  let lastWasNewline = false;
  for await (const chunk of answer.body) {
    if (firstByteMs < 0) firstByteMs = performance.now() - started;
    const bytes = chunk as Buffer;
    for (let i = 0; i < bytes.length; i++) {
      const isNewline = bytes[i] === 0x0a;
      if (isNewline && lastWasNewline) frames++;
      lastWasNewline = isNewline;
    }
  }
  return { totalMs: performance.now() - started, firstByteMs, frames };
}

async function batch(target: Target, count: number, concurrency: number, chunks: number) {
  const samples: Sample[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      samples.push(await send(target, chunks));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return samples;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const median = (values: number[]) => percentile(values, 50);

interface RunResult {
  [metric: string]: number;
}

async function oneRun(direct: Target, proxy: Target, run: number): Promise<RunResult> {
  const result: RunResult = {};
  // Alternate which side goes first so drift does not favour one of them.
  const order = run % 2 === 0 ? [direct, proxy] : [proxy, direct];
  for (const concurrency of [1, 8]) {
    const count = concurrency === 1 ? LATENCY_REQUESTS : LATENCY_REQUESTS * 2;
    for (const target of order) {
      const totals = (await batch(target, count, concurrency, 10)).map((s) => s.totalMs);
      result[`${target.name}.c${concurrency}.p50`] = percentile(totals, 50);
      result[`${target.name}.c${concurrency}.p99`] = percentile(totals, 99);
    }
  }
  for (const target of order) {
    const samples = await batch(target, Math.max(20, LATENCY_REQUESTS / 4), 1, 10);
    result[`${target.name}.ttfb`] = median(samples.map((s) => s.firstByteMs));
  }
  for (const target of order) {
    const samples = await batch(target, 5, 1, 2000);
    result[`${target.name}.eventsPerSec`] = median(
      samples.map((s) => s.frames / (s.totalMs / 1000)),
    );
    result[`${target.name}.frames`] = samples[0]!.frames;
  }
  return result;
}

async function main(): Promise<void> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'ccs-bench-'));
  const paths = ccsPaths(home);
  await recordLogin(paths, 'iflow', {
    identity: { email: 'bench@example.com' },
    tokens: {
      access_token: 'at-bench',
      refresh_token: 'rt-bench',
      api_key: 'sk-bench',
      expired: '2099-01-01T00:00:00Z',
      last_refresh: '2026-01-01T00:00:00Z',
      token_type: 'bearer',
      scope: 'all',
    },
    now: new Date(),
  });

  const upstream = await startChild('upstream.js');
  const apiUrl = `http://127.0.0.1:${upstream.port}/v1`;
  // BENCH_PROXY_FLAGS: node flags for the proxy process only (experiments, e.g. heap sizes).
  const proxyFlags = process.env.BENCH_PROXY_FLAGS?.split(' ').filter(Boolean) ?? [];
  const proxyChild = await startChild(
    'proxy-child.js',
    [JSON.stringify({ home, apiUrl, secret: SECRET })],
    proxyFlags,
  );

  const provider = iflowProvider('http://127.0.0.1:9', apiUrl);
  const anthropicBody = (chunks: number) =>
    benchRequest({ stream: true, answer: `chunks: ${chunks}` });
  const openAiBody = (chunks: number) => {
    const request = anthropicBody(chunks);
    const choice = chooseModel(provider, { env: { ANTHROPIC_MAX_TOKENS: '8192' } }, request);
    return translateRequest(request, { provider, ...choice, stripAttribution: true });
  };
  const bodies = new Map<string, string>();
  const cached = (key: string, make: () => unknown) => {
    let body = bodies.get(key);
    if (body === undefined) {
      body = JSON.stringify(make());
      bodies.set(key, body);
    }
    return body;
  };

  const poolOptions = { connections: 16, pipelining: 1, keepAliveTimeout: 60_000 };
  const direct: Target = {
    name: 'direct',
    pool: new Pool(`http://127.0.0.1:${upstream.port}`, poolOptions),
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: (chunks) => cached(`o${chunks}`, () => openAiBody(chunks)),
  };
  const proxy: Target = {
    name: 'proxy',
    pool: new Pool(`http://127.0.0.1:${proxyChild.port}`, poolOptions),
    path: '/v1/messages?beta=true',
    headers: { 'content-type': 'application/json', 'x-api-key': SECRET },
    body: (chunks) => cached(`a${chunks}`, () => anthropicBody(chunks)),
  };

  const requestBytes = Buffer.byteLength(proxy.body(10));
  process.stdout.write(
    `ccs proxy benchmark: ${RUNS} runs, request ${(requestBytes / 1024).toFixed(1)} KB, ` +
      `node ${process.version}, ${os.cpus().length} CPUs\n`,
  );

  const idleRss = process.env.BENCH_PROFILE ? 0 : await askPeakRss(proxyChild.child);

  // Warm up connections, JIT and caches on both sides.
  await batch(direct, 50, 4, 10);
  await batch(proxy, 50, 4, 10);

  const runs: RunResult[] = [];
  for (let run = 0; run < RUNS; run++) {
    runs.push(await oneRun(direct, proxy, run));
    process.stdout.write(`  run ${run + 1}/${RUNS} done\n`);
  }
  const m = (key: string) => median(runs.map((r) => r[key]!));

  const peakRss = await askPeakRss(proxyChild.child);

  const rows: string[][] = [];
  for (const c of [1, 8]) {
    for (const p of ['p50', 'p99']) {
      const d = m(`direct.c${c}.${p}`);
      const x = m(`proxy.c${c}.${p}`);
      const target = p === 'p50' ? (c === 1 ? '< 1 ms' : '< 3 ms') : '';
      rows.push([`latency c=${c} ${p}`, ms(d), ms(x), `+${ms(x - d)}`, ratio(x / d), target]);
    }
  }
  const dT = m('direct.ttfb');
  const xT = m('proxy.ttfb');
  rows.push(['stream first byte', ms(dT), ms(xT), `+${ms(xT - dT)}`, ratio(xT / dT), '']);
  const dE = m('direct.eventsPerSec');
  const xE = m('proxy.eventsPerSec');
  rows.push([
    'stream events/s (2,000 chunks)',
    Math.round(dE).toLocaleString('en'),
    Math.round(xE).toLocaleString('en'),
    '',
    ratio(xE / dE),
    '>= 0.85x',
  ]);
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  rows.push(['proxy RSS after start', '', mib(idleRss), '', '', '']);
  rows.push(['proxy peak RSS', '', mib(peakRss), '', '', '< 100 MiB']);
  process.stdout.write(
    `\n${table(['metric', 'direct', 'proxy', 'added', 'ratio', 'target'], rows)}\n`,
  );

  await direct.pool.close();
  await proxy.pool.close();
  proxyChild.child.disconnect();
  upstream.child.disconnect();
  await rm(home, { recursive: true, force: true });
}

interface MemoryReport {
  peakBytes: number;
  memory: NodeJS.MemoryUsage;
  /** V8 heap spaces: name -> committed MiB. */
  spaces: Record<string, number>;
}

/** The proxy process's peak RSS so far (bytes); BENCH_MEMORY=1 prints the detail. */
function askPeakRss(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (message: MemoryReport) => {
      if (process.env.BENCH_MEMORY) {
        const mib = (n: number) => (n / 1048576).toFixed(1);
        const m = message.memory;
        process.stdout.write(
          `  proxy memory: peak ${mib(message.peakBytes)}, rss ${mib(m.rss)}, heap ` +
            `${mib(m.heapUsed)}/${mib(m.heapTotal)}, external ${mib(m.external)}, buffers ` +
            `${mib(m.arrayBuffers)} MiB; spaces ${JSON.stringify(message.spaces)}\n`,
        );
      }
      resolve(message.peakBytes);
    });
    child.send({ type: 'rss' });
  });
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const ratio = (value: number) => `${value.toFixed(2)}x`;

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

await main();
