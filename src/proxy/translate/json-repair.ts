/**
 * Tool arguments as an object, whatever the model produced. Qwen and Kimi
 * sometimes emit single-quoted strings, trailing commas or Python literals
 * (PROTOCOL §8); Claude Code needs a JSON object (anything else poisons the
 * next turn, §10 #8). Strict JSON first, then one repair pass; what still
 * fails, or is not an object, becomes `{}`.
 */
export function parseToolArguments(raw: unknown): Record<string, unknown> {
  if (isPlainObject(raw)) return raw;
  if (typeof raw !== 'string') return {};
  const text = raw.trim();
  if (text === '') return {};

  const strict = tryParse(text);
  if (strict.ok) return isPlainObject(strict.value) ? strict.value : {};

  const repaired = tryParse(repairJson(text));
  return repaired.ok && isPlainObject(repaired.value) ? repaired.value : {};
}

type Parsed = { ok: true; value: unknown } | { ok: false };

function tryParse(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * One pass over the text: single-quoted strings become double-quoted (with
 * inner double quotes escaped), bare Python literals become JSON ones, and a
 * comma directly before `}` or `]` is dropped. Content of strings is kept.
 */
export function repairJson(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"' || ch === "'") {
      const end = stringEnd(text, i, ch);
      const body = text.slice(i + 1, end);
      out += ch === '"' ? `"${body}"` : `"${requote(body)}"`;
      i = end + 1;
      continue;
    }
    if (ch === ',') {
      const next = nextSignificant(text, i + 1);
      if (next === '}' || next === ']' || next === undefined) {
        i += 1;
        continue;
      }
    }
    const word = /^(True|False|None)\b/.exec(text.slice(i, i + 5));
    if (word?.[1]) {
      out += word[1] === 'True' ? 'true' : word[1] === 'False' ? 'false' : 'null';
      i += word[1].length;
      continue;
    }
    out += ch;
    i += 1;
  }
  return out;
}

/** Index of the closing quote (or the text's end when unterminated). */
function stringEnd(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') i += 2;
    else if (ch === quote) return i;
    else i += 1;
  }
  return text.length;
}

/** A single-quoted body as a double-quoted one: `\'` → `'`, `"` → `\"`. */
function requote(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i += 1) {
    const ch = body[i] as string;
    if (ch === '\\' && body[i + 1] === "'") {
      out += "'";
      i += 1;
    } else if (ch === '\\') {
      out += ch + (body[i + 1] ?? '');
      i += 1;
    } else if (ch === '"') {
      out += '\\"';
    } else {
      out += ch;
    }
  }
  return out;
}

function nextSignificant(text: string, from: number): string | undefined {
  for (let i = from; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (ch !== ' ' && ch !== '\n' && ch !== '\r' && ch !== '\t') return ch;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
