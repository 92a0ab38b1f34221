import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { CorruptFileError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';

/** Turns zod's first issue into "field `a.b`: expected string". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const where = issue.path.length > 0 ? `field \`${issue.path.join('.')}\`` : 'the top level';
  return `${where}: ${issue.message}`;
}

/** 1-based line and column of a character offset in `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/**
 * Where Node 20's `Unexpected token 'x', ..."<context>"... is not valid JSON`
 * points, found by looking the context up in the text: the message has no
 * position, and its context (up to ten characters each side) must not be shown.
 */
function unexpectedTokenOffset(message: string, text: string): number | undefined {
  const match = /^Unexpected token '(.)', (\.\.\.)?"(.*?)"(\.\.\.)? is not valid JSON$/s.exec(
    message,
  );
  if (!match) return undefined;
  const [, token = '', cut, context = ''] = match;
  const start = text.indexOf(context);
  const within = context.indexOf(token, cut ? Math.min(10, context.length - 1) : 0);
  return start >= 0 && within >= 0 ? start + within : undefined;
}

/**
 * Says where JSON.parse gave up, in our own words. V8's message can quote a
 * piece of the file (`..."ss_token":at-25zn"...`), and in a token file that
 * piece is a secret that would reach the terminal and the log.
 */
export function describeJsonSyntax(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  if (text.trim() === '') return 'not JSON (the file is empty)';
  const position = /at position (\d+)/.exec(message);
  if (position) {
    const { line, column } = lineColumn(text, Number(position[1]));
    return `not JSON (a syntax error at line ${line}, column ${column})`;
  }
  if (/end of JSON input/i.test(message)) return 'not JSON (it ends in the middle of a value)';
  const offset = unexpectedTokenOffset(message, text);
  if (offset !== undefined) {
    const { line, column } = lineColumn(text, offset);
    return `not JSON (an unexpected character at line ${line}, column ${column})`;
  }
  if (/^Unexpected token/.test(message)) return 'not JSON (an unexpected character)';
  return 'not JSON (a syntax error)';
}

/**
 * Reads and validates a JSON file. Returns `undefined` when the file does not
 * exist; throws `CorruptFileError` naming the file when it is unreadable JSON
 * or fails the schema. Never modifies the file.
 */
export async function readJsonFile<S extends z.ZodType>(
  file: string,
  schema: S,
): Promise<z.output<S> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CorruptFileError(file, describeJsonSyntax(error, text));
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new CorruptFileError(file, describeIssue(parsed.error));
  return parsed.data;
}

export async function writeJsonFile(file: string, value: unknown, mode = 0o600): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, { mode });
}
