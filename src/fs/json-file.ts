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
    throw new CorruptFileError(file, `not JSON (${(error as Error).message})`, error);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new CorruptFileError(file, describeIssue(parsed.error));
  return parsed.data;
}

export async function writeJsonFile(file: string, value: unknown, mode = 0o600): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, { mode });
}
