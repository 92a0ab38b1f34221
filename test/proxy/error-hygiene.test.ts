/**
 * Claude Code shows an error's message to the user (PROTOCOL §12): whatever
 * the upstream sends, the proxy's envelope is readable and carries no stack
 * trace and no file path of the upstream's machine.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  call,
  openStream,
  setUpProxyWithUpstream,
  sseData,
  sseHead,
  textChunk,
  userRequest,
} from './helpers.js';

const bed = setUpProxyWithUpstream({ proxy: false });

const NODE_TRACE = [
  'TypeError: Cannot read properties of undefined (reading "choices")',
  '    at toChat (/srv/gateway/dist/chat.js:118:22)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
].join('\n');

const PYTHON_TRACE = [
  'Traceback (most recent call last):',
  '  File "/opt/venv/lib/python3.11/site-packages/uvicorn/protocols/http.py", line 404, in run',
  '    result = await app(scope, receive, send)',
  '  File "/opt/app/server.py", line 88, in chat',
  '    raise RuntimeError("model backend crashed")',
  'RuntimeError: model backend crashed',
].join('\n');

const JAVA_TRACE = [
  'java.lang.IllegalStateException: pool closed',
  '\tat com.example.gw.Pool.take(Pool.java:41)',
  '\tat com.example.gw.Handler.chat(Handler.java:77)',
  '\t... 12 more',
].join('\n');

const GO_PANIC = [
  'panic: runtime error: invalid memory address or nil pointer dereference',
  '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6b1f2a]',
  '',
  'goroutine 1 [running]:',
  'main.handle(0xc000010000)',
  '\t/home/build/gw/main.go:42 +0x2a',
].join('\n');

const PATH_IN_JSON = JSON.stringify({
  error: {
    message:
      "ENOENT: no such file or directory, open '/etc/iflow/keys/primary.json' " +
      '(see C:\\inetpub\\gw\\logs\\err.log)',
  },
});

/** Nothing that looks like a trace frame or a file system path. */
function expectClean(message: string): void {
  expect(message.length).toBeGreaterThan(10);
  expect(message.length).toBeLessThan(500);
  expect(message).not.toMatch(
    /\bat \S+ \(|\bat \S+\.java|Traceback|File "|goroutine|\.\.\. \d+ more/,
  );
  expect(message).not.toMatch(/\/(srv|opt|etc|home)\/|[A-Z]:\\|node:internal|\.(js|py|go):\d+/);
  expect(message).not.toContain('\n');
}

const bodies: Array<[string, string, string]> = [
  ['a Node stack trace', NODE_TRACE, 'text/plain'],
  ['a Python traceback', PYTHON_TRACE, 'text/plain'],
  ['a Java stack trace', JAVA_TRACE, 'text/plain'],
  ['a Go panic', GO_PANIC, 'text/plain'],
  ['a JSON error naming files', PATH_IN_JSON, 'application/json'],
];

describe('upstream error envelopes carry no stack trace or file path', () => {
  it.each(bodies)('before the commit point: %s', async (_name, text, type) => {
    bed.upstream.setHandler((_req, res: ServerResponse) => {
      res.writeHead(500, { 'content-type': type });
      res.end(text);
    });
    for (const stream of [false, true]) {
      // A fresh proxy each time: the 500 cools the only account for a minute.
      await bed.start();
      const answer = await call(bed.proxy, '/v1/messages', userRequest('hi', { stream }));
      expect(answer.status).toBe(500);
      const envelope = answer.json();
      expect(envelope).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      expectClean(envelope.error.message);
      expect(envelope.error.message).toMatch(/^iFlow had a server error/);
    }
  });

  it.each(bodies)('after the commit point, in the error event: %s', async (_name, text) => {
    bed.upstream.setHandler((_req, res: ServerResponse) => {
      sseHead(res);
      res.write(sseData(textChunk('partial')));
      res.end(sseData({ error: { message: text, code: 500 } }));
    });
    await bed.start();
    const frames = await (await openStream(bed.proxy, userRequest('hi', { stream: true }))).rest();
    const last = frames.at(-1)!;
    expect(last.event).toBe('error');
    expectClean(last.data.error.message);
  });

  it('an upstream `event: error` frame with a trace is cleaned too', async () => {
    bed.upstream.setHandler((_req, res: ServerResponse) => {
      sseHead(res);
      res.write(sseData(textChunk('partial')));
      res.end(`event: error\ndata: ${JSON.stringify({ message: PYTHON_TRACE })}\n\n`);
    });
    await bed.start();
    const frames = await (await openStream(bed.proxy, userRequest('hi', { stream: true }))).rest();
    expect(frames.at(-1)!.event).toBe('error');
    expectClean(frames.at(-1)!.data.error.message);
  });

  it('keeps a route the upstream names: it says what is wrong with api_url', async () => {
    bed.upstream.setHandler((_req, res: ServerResponse) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<pre>Cannot POST /api/v2/chat/completions</pre>');
    });
    await bed.start();
    const answer = await call(bed.proxy, '/v1/messages', userRequest('hi'));
    expect(answer.json().error.message).toContain('/api/v2/chat/completions');
  });

  it('the readable part of the upstream message is kept', async () => {
    bed.upstream.setHandler((_req, res: ServerResponse) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(PYTHON_TRACE);
    });
    await bed.start();
    const answer = await call(bed.proxy, '/v1/messages', userRequest('hi'));
    expect(answer.json().error.message).toContain('model backend crashed');
  });
});
