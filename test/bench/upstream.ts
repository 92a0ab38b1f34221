/**
 * The benchmark's upstream: a minimal OpenAI-compatible server in its own
 * process. It reads and parses each request like a real server would, then
 * answers at once. The last user message says how long the answer is:
 * `chunks: N` streams N content chunks (default 10).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

function answerLength(body: { messages?: Array<{ role?: string; content?: unknown }> }): number {
  const last = body.messages?.at(-1);
  const text = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content);
  const match = /chunks: (\d+)/.exec(text ?? '');
  return match ? Number(match[1]) : 10;
}

const usage = { prompt_tokens: 12000, completion_tokens: 40, total_tokens: 12040 };

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', async () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const count = answerLength(body);
    if (!body.stream) {
      const text = 'word '.repeat(count);
      const answer = JSON.stringify({
        id: 'chatcmpl-bench',
        object: 'chat.completion',
        model: body.model,
        choices: [
          { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' },
        ],
        usage,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const frame = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
      id: 'chatcmpl-bench',
      object: 'chat.completion.chunk',
      model: body.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    res.write(frame(chunk({ role: 'assistant', content: '' })));
    for (let i = 0; i < count; i++) {
      // Each chunk is its own write, as a model server flushes tokens one by one.
      if (!res.write(frame(chunk({ content: `w${i} ` })))) {
        await new Promise((resolve) => res.once('drain', resolve));
      }
    }
    res.write(frame(chunk({}, 'stop')));
    res.write(frame({ id: 'chatcmpl-bench', choices: [], usage }));
    res.end('data: [DONE]\n\n');
  });
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
