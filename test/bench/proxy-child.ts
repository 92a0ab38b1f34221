/**
 * The proxy under test, in its own process so its peak RSS can be measured.
 * Config arrives as JSON in argv[2]; the port goes back over IPC, and the
 * peak RSS on request.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import v8 from 'node:v8';
import { ccsPaths } from '../../src/home.js';
import { iflowProvider } from '../../src/providers/iflow.js';
import { startProxy } from '../../src/proxy/server.js';

interface ChildConfig {
  home: string;
  apiUrl: string;
  secret: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const proxy = await startProxy({
  provider: iflowProvider('http://127.0.0.1:9', config.apiUrl),
  paths: ccsPaths(config.home),
  secret: config.secret,
  settings: { env: { ANTHROPIC_MODEL: 'qwen3-coder-plus', ANTHROPIC_MAX_TOKENS: '8192' } },
  // The c=8 runs need more than iFlow's one request in flight per account.
  maxConcurrentPerAccount: 0,
});

// BENCH_PROFILE=1: a CPU profile of this process, saved when the runner asks for memory.
let profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

process.on('message', async (message: { type?: string }) => {
  if (message.type === 'rss') {
    if (profiler) {
      const session = profiler;
      profiler = undefined;
      const { profile } = await session.post('Profiler.stop');
      await writeFile(`proxy-${process.pid}.cpuprofile`, JSON.stringify(profile));
    }
    // maxRSS is in kilobytes.
    process.send?.({
      type: 'rss',
      peakBytes: process.resourceUsage().maxRSS * 1024,
      memory: process.memoryUsage(),
      spaces: Object.fromEntries(
        v8
          .getHeapSpaceStatistics()
          .map((s) => [s.space_name, Math.round(s.space_size / 10485.76) / 100]),
      ),
      cpu: process.cpuUsage(),
    });
  }
});
process.on('disconnect', () => {
  // Exit promptly (a --cpu-prof profile is written on exit); close() is best effort.
  setTimeout(() => process.exit(0), 500).unref();
  void proxy.close().finally(() => process.exit(0));
});
process.send?.({ type: 'ready', port: proxy.port });
