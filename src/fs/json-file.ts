import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { CorruptFileError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { findJsonBreak } from './json-syntax.js';

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
 * Says where JSON.parse gave up, in our own words. V8's message can quote a
 * piece of the file (`..."ss_token":at-25zn"...`), and in a token file that
 * piece is a secret that would reach the terminal and the log.
 */
function describeJsonSyntax(text: string): string {
  if (text.trim() === '') return 'not JSON (the file is empty)';
  const broken = findJsonBreak(text);
  if (!broken) return 'not JSON (a syntax error)';
  const { line, column } = lineColumn(text, broken.offset);
  const where = `line ${line}, column ${column}`;
  if (broken.atEnd) return `not JSON (it ends in the middle of a value, at ${where})`;
  return `not JSON (an unexpected character at ${where})`;
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
  } catch {
    throw new CorruptFileError(file, describeJsonSyntax(text));
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new CorruptFileError(file, describeIssue(parsed.error));
  return parsed.data;
}

export async function writeJsonFile(file: string, value: unknown, mode = 0o600): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, { mode });
}
