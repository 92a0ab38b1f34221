import { describe, expect, it } from 'vitest';
import { estimateInputTokens } from '../../src/proxy/translate/index.js';
import { TextMemo } from '../../src/proxy/translate/text-memo.js';
import { textTokenMemo } from '../../src/proxy/translate/tokens.js';
import { claudeCodeLikeRequest } from './token-fixture.js';

const long = (letter: string, length: number) => letter.repeat(length);

describe('TextMemo', () => {
  it('computes a long text once and answers repeats from memory', () => {
    const memo = new TextMemo(1000, 10);
    let calls = 0;
    const compute = (text: string) => {
      calls += 1;
      return text.length * 2;
    };
    expect(memo.get(long('a', 100), compute)).toBe(200);
    // An equal text that is a different string object still hits.
    expect(memo.get(['a'.repeat(50), 'a'.repeat(50)].join(''), compute)).toBe(200);
    expect(calls).toBe(1);
  });

  it('does not keep short texts or texts larger than the whole budget', () => {
    const memo = new TextMemo(1000, 10);
    memo.get('short', (t) => t.length);
    memo.get(long('b', 2000), (t) => t.length);
    expect(memo.size).toBe(0);
    expect(memo.retainedChars).toBe(0);
  });

  it('stays within its character budget, forgetting the oldest', () => {
    const memo = new TextMemo(300, 10);
    let calls = 0;
    const compute = (text: string) => {
      calls += 1;
      return text.length;
    };
    memo.get(long('a', 100), compute);
    memo.get(long('b', 100), compute);
    memo.get(long('c', 100), compute);
    memo.get(long('d', 100), compute); // over budget: a goes
    expect(memo.retainedChars).toBeLessThanOrEqual(300);
    expect(memo.size).toBe(3);
    calls = 0;
    memo.get(long('b', 100), compute);
    memo.get(long('c', 100), compute);
    memo.get(long('d', 100), compute);
    expect(calls).toBe(0);
    memo.get(long('a', 100), compute);
    expect(calls).toBe(1);
  });
});

describe('estimateInputTokens with the memo', () => {
  it('gives the same estimate for a repeated request as for the first one', () => {
    const first = estimateInputTokens(claudeCodeLikeRequest());
    expect(textTokenMemo.size).toBeGreaterThan(0);
    expect(estimateInputTokens(claudeCodeLikeRequest())).toBe(first);
    expect(textTokenMemo.retainedChars).toBeLessThanOrEqual(2_000_000);
  });
});
