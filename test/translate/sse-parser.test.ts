import { describe, expect, it } from 'vitest';
import { createSseParser, type SseMessage } from '../../src/proxy/sse/parser.js';
import { intBelow, prng } from './helpers.js';

const encode = (text: string) => new TextEncoder().encode(text);

function parseAll(bytes: Uint8Array, cuts: number[] = []): SseMessage[] {
  const parser = createSseParser();
  const out: SseMessage[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(...parser.feed(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(...parser.feed(bytes.subarray(from)));
  out.push(...parser.end());
  return out;
}

describe('createSseParser', () => {
  it('#52 a 3-byte and a 4-byte character split across chunks', () => {
    const bytes = encode('data: {"t":"北🎉"}\n\n');
    const start = 'data: {"t":"'.length;
    for (const cut of [start + 1, start + 2, start + 4, start + 5, start + 6]) {
      expect(parseAll(bytes, [cut])).toEqual([{ data: '{"t":"北🎉"}', done: false }]);
    }
  });

  it('#53 a single 5 MB line', () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    const bytes = encode(`data: {"a":"${big}"}\n\n`);
    const cuts = Array.from({ length: 80 }, (_, i) => Math.floor((bytes.length * (i + 1)) / 81));
    const messages = parseAll(bytes, cuts);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.data.length).toBe(big.length + 8);
    expect(JSON.parse(messages[0]?.data ?? '').a.length).toBe(big.length);
  });

  it('#54 CRLF and CR framing, comments, id/retry ignored', () => {
    const text =
      ': keep-alive\r\n\r\n' +
      'id: 7\r\nretry: 100\r\ndata: {"a":1}\r\n\r\n' +
      ':ping\rdata: {"b":2}\r\r' +
      'data: {"c":3}\n\n';
    expect(parseAll(encode(text))).toEqual([
      { data: '{"a":1}', done: false },
      { data: '{"b":2}', done: false },
      { data: '{"c":3}', done: false },
    ]);
  });

  it('#54 a CRLF split between chunks is one line end', () => {
    const bytes = encode('data: a\r\n\r\ndata: b\r\n\r\n');
    for (let cut = 1; cut < bytes.length; cut += 1) {
      expect(parseAll(bytes, [cut]).map((m) => m.data)).toEqual(['a', 'b']);
    }
  });

  it('multi-line data, event names, [DONE] with and without a space', () => {
    const text =
      'data: {"x":\ndata: 1}\n\n' +
      'event: error\ndata: {"error":{"message":"m"}}\n\n' +
      'data:[DONE]\n\n' +
      'data: [DONE]\n\n';
    expect(parseAll(encode(text))).toEqual([
      { data: '{"x":\n1}', done: false },
      { event: 'error', data: '{"error":{"message":"m"}}', done: false },
      { data: '[DONE]', done: true },
      { data: '[DONE]', done: true },
    ]);
  });

  it('a last message without its blank line is delivered at end()', () => {
    const parser = createSseParser();
    expect(parser.feed(encode('data: {"last":true}'))).toEqual([]);
    expect(parser.end()).toEqual([{ data: '{"last":true}', done: false }]);
  });

  it('blank lines without data and a BOM produce nothing extra', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...encode('\n\n\ndata: z\n\n')]);
    expect(parseAll(bytes)).toEqual([{ data: 'z', done: false }]);
  });

  it('property: any split of the same bytes gives the same messages', () => {
    const random = prng(20260417);
    const pieces = ['北', '🎉', 'é', 'a', '"', '\\', ' ', '{', '}'];
    for (let round = 0; round < 150; round += 1) {
      let text = '';
      const expected: string[] = [];
      const count = 1 + intBelow(random, 6);
      for (let m = 0; m < count; m += 1) {
        let data = '';
        const length = intBelow(random, 30);
        for (let i = 0; i < length; i += 1) data += pieces[intBelow(random, pieces.length)];
        const eol = ['\n', '\r\n', '\r'][intBelow(random, 3)] as string;
        if (random() < 0.3) text += `: comment ${m}${eol}`;
        text += `data: ${data}${eol}${eol}`;
        expected.push(data);
      }
      text += 'data: [DONE]\n\n';
      const bytes = encode(text);
      const whole = parseAll(bytes);
      expect(whole.map((m) => m.data)).toEqual([...expected, '[DONE]']);
      for (let split = 0; split < 10; split += 1) {
        const cuts = Array.from({ length: intBelow(random, 12) }, () =>
          intBelow(random, bytes.length),
        );
        expect(parseAll(bytes, cuts), `round ${round} cuts ${cuts}`).toEqual(whole);
      }
      // One byte at a time: the hardest split.
      expect(
        parseAll(
          bytes,
          Array.from({ length: bytes.length }, (_, i) => i),
        ),
      ).toEqual(whole);
    }
  });
});
