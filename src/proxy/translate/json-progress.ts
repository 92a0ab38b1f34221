/**
 * Tells, fragment by fragment and without re-reading earlier text, whether
 * streamed tool arguments have closed their outermost `{…}` or `[…]`. Both
 * quote kinds open strings, so the single-quoted "JSON" some models produce
 * is tracked as well. Once complete it stays complete: text after the end
 * cannot be part of the same value.
 */
export class JsonProgress {
  private depth = 0;
  private quote = 0;
  private escaped = false;
  private started = false;
  private scalar = false;
  private done = false;

  get complete(): boolean {
    return this.done;
  }

  feed(fragment: string): void {
    if (this.done || this.scalar) return;
    for (let i = 0; i < fragment.length; i += 1) {
      const code = fragment.charCodeAt(i);
      if (this.quote !== 0) {
        if (this.escaped) this.escaped = false;
        else if (code === 92 /* \ */) this.escaped = true;
        else if (code === this.quote) this.quote = 0;
        continue;
      }
      if (code === 32 || code === 10 || code === 13 || code === 9) continue;
      if (!this.started) {
        this.started = true;
        if (code !== 123 /* { */ && code !== 91 /* [ */) {
          // A bare scalar has no closing mark; only the stream's end says.
          this.scalar = true;
          return;
        }
      }
      if (code === 34 /* " */ || code === 39 /* ' */) this.quote = code;
      else if (code === 123 || code === 91) this.depth += 1;
      else if (code === 125 /* } */ || code === 93 /* ] */) {
        this.depth -= 1;
        if (this.depth === 0) {
          this.done = true;
          return;
        }
      }
    }
  }
}
