/**
 * The proxy under test, in its own process so its peak RSS can be measured.
 * Config arrives as JSON in argv[2]; the port goes back over IPC, and the
 * peak RSS on request.
 */
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

process.on('message', (message: { type?: string }) => {
  if (message.type === 'rss') {
    // maxRSS is in kilobytes.
    process.send?.({
      type: 'rss',
      peakBytes: process.resourceUsage().maxRSS * 1024,
      memory: process.memoryUsage(),
    });
  }
});
process.on('disconnect', () => {
  void proxy.close().finally(() => process.exit(0));
});
process.send?.({ type: 'ready', port: proxy.port });
