/**
 * A bounded memo of per-text results, for work that is repeated on the same
 * long texts request after request.
 *
 * Claude Code sends the whole conversation on every turn: the same system
 * prompt, the same tool schemas and the same history, with a little that is
 * new at the end. Looking a long text up in a Map costs V8 a native hash and
 * a memcmp (a fraction of a nanosecond a character), where the token scan in
 * tokens.ts costs about 4 ns a character. The memo keeps the texts alive, so
 * it is bounded by their total length and forgets the oldest first; texts
 * shorter than `minChars` are cheaper to recompute than to keep.
 *
 * A hit deliberately keeps the FIRST copy of the text as the key: swapping in
 * the copy of the current request (as an LRU re-insert would) keeps every
 * request's strings alive until the next one, so they get promoted to V8's
 * old space and the heap grows (measured: proxy peak RSS 121 -> 167 MiB).
 */
export class TextMemo {
  private readonly values = new Map<string, number>();
  private chars = 0;

  constructor(
    private readonly maxChars: number,
    private readonly minChars: number,
  ) {}

  get(text: string, compute: (text: string) => number): number {
    if (text.length < this.minChars || text.length > this.maxChars) return compute(text);
    const known = this.values.get(text);
    if (known !== undefined) return known;
    const value = compute(text);
    this.values.set(text, value);
    this.chars += text.length;
    // Map order is insertion order: the oldest entries come first.
    for (const oldest of this.values.keys()) {
      if (this.chars <= this.maxChars) break;
      this.values.delete(oldest);
      this.chars -= oldest.length;
    }
    return value;
  }

  /** Characters held (for tests). */
  get retainedChars(): number {
    return this.chars;
  }

  get size(): number {
    return this.values.size;
  }
}
