import { describe, expect, it } from 'vitest';
import { findJsonBreak } from '../../src/fs/json-syntax.js';

const valid = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

// Valid texts that between them use every part of the grammar.
const SAMPLES = [
  '{"access_token": "at-1\\u00e9\\n", "expires_in": -1.5e+3, "ok": true}',
  ' [null, false, 0, 12, 0.25, 1E9, {}, [], "", {"a": [1, {"b": "\\"\\\\/"}]}]\n',
  '"x"',
  '-0',
];

describe('findJsonBreak', () => {
  it('agrees with JSON.parse on every one-character edit of valid texts', () => {
    const edits = ['', ' ', '"', ',', ':', '}', ']', '0', 'e', '-', '\\', 'u', '\t', '\u0001'];
    let checked = 0;
    for (const sample of SAMPLES) {
      expect(findJsonBreak(sample)).toBeUndefined();
      for (let at = 0; at <= sample.length; at++) {
        for (const edit of edits) {
          for (const text of [
            sample.slice(0, at) + edit + sample.slice(at + 1),
            sample.slice(0, at) + edit + sample.slice(at),
          ]) {
            const broken = findJsonBreak(text);
            expect(broken === undefined, JSON.stringify(text)).toBe(valid(text));
            if (broken) expect(broken.offset).toBeLessThanOrEqual(text.length);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(4000);
  });

  it('points at the first character that cannot continue the text', () => {
    expect(findJsonBreak('{"a": a}')).toEqual({ offset: 6, atEnd: false });
    expect(findJsonBreak('[1, 2,]')).toEqual({ offset: 6, atEnd: false });
    expect(findJsonBreak('{"a": nul}')).toEqual({ offset: 9, atEnd: false });
    expect(findJsonBreak('{"a": [1')).toEqual({ offset: 8, atEnd: true });
    expect(findJsonBreak('\uFEFF{}')).toEqual({ offset: 0, atEnd: false });
  });
});
