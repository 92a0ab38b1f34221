/**
 * Where a JSON text first breaks: the offset of the first character that
 * cannot continue it, or the text's length when it ends inside a value.
 */
export interface JsonBreak {
  offset: number;
  atEnd: boolean;
}

class Broken {
  constructor(readonly offset: number) {}
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const ESCAPES = '"\\/bfnrt';
const LITERALS = ['true', 'false', 'null'];

/**
 * Scans `text` as JSON (RFC 8259, as JSON.parse reads it) and returns where it
 * breaks, or `undefined` when it is valid. We scan ourselves because V8's
 * message has no position for an unexpected character, only a quoted piece of
 * the text, and that piece may be a secret. Nesting deep enough to overflow
 * the stack also gives `undefined`; the caller then says less.
 */
export function findJsonBreak(text: string): JsonBreak | undefined {
  let i = 0;
  const fail = (): never => {
    throw new Broken(i);
  };
  const skipSpace = () => {
    while (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r') i++;
  };
  const expect = (char: string) => {
    if (text[i] !== char) fail();
    i++;
  };
  const digits = () => {
    if (!isDigit(text[i])) fail();
    while (isDigit(text[i])) i++;
  };

  const string = () => {
    expect('"');
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') fail();
      i++;
      if (c === '"') return;
      if (c !== '\\') continue;
      const escaped = text[i];
      if (escaped === 'u') {
        i++;
        for (let k = 0; k < 4; k++) {
          if (!isHex(text[i])) fail();
          i++;
        }
      } else if (escaped !== undefined && ESCAPES.includes(escaped)) {
        i++;
      } else {
        fail();
      }
    }
  };

  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };

  // Each of the two containers: the opening character is already checked.
  const members = (close: string, member: () => void) => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      skipSpace();
      if (text[i] !== ',') break;
      i++;
    }
    expect(close);
  };

  const member = () => {
    skipSpace();
    string();
    skipSpace();
    expect(':');
    value();
  };

  function value(): void {
    skipSpace();
    const c = text[i];
    if (c === '{') members('}', member);
    else if (c === '[') members(']', value);
    else if (c === '"') string();
    else if (c === '-' || isDigit(c)) number();
    else {
      const literal = LITERALS.find((word) => word[0] === c) ?? fail();
      for (const char of literal) expect(char);
    }
  }

  try {
    value();
    skipSpace();
    if (i < text.length) fail();
    return undefined;
  } catch (error) {
    if (error instanceof Broken) {
      return { offset: error.offset, atEnd: error.offset >= text.length };
    }
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}
