/**
 * The error hierarchy. Every error a user can see carries a stable `code`, a
 * sentence saying what went wrong and, where the user can fix it, the next step.
 */
export class CcsError extends Error {
  readonly code: string;
  readonly nextStep: string | undefined;
  readonly exitCode: number;

  constructor(
    code: string,
    message: string,
    options: { nextStep?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.nextStep = options.nextStep;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad command line: exit 2 with the usage line. */
export class UsageError extends CcsError {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super('usage', message, { exitCode: 2 });
  }
}

/** A failure the user can act on: exit 1, one sentence plus the next step. */
export class UserError extends CcsError {
  constructor(code: string, message: string, nextStep?: string, cause?: unknown) {
    super(code, message, { exitCode: 1, ...(nextStep ? { nextStep } : {}), cause });
  }
}

/** A file on disk failed validation. It is never rewritten or reset. */
export class CorruptFileError extends UserError {
  constructor(
    readonly file: string,
    readonly problem: string,
    cause?: unknown,
  ) {
    super(
      'corrupt_file',
      `${file} is not valid: ${problem}.`,
      'Fix or move the file by hand; ccs left it exactly as it was.',
      cause,
    );
  }
}

/** The user pressed Ctrl-C or an AbortSignal fired. */
export class CancelledError extends CcsError {
  constructor(message = 'Cancelled.') {
    super('cancelled', message, { exitCode: 130 });
  }
}

/** A defect in ccs itself, not something the user did. */
export class BugError extends CcsError {
  constructor(message: string, cause?: unknown) {
    super('bug', message, {
      exitCode: 1,
      nextStep: 'This is a bug in ccs; please report it with logs/ccs.log.',
      cause,
    });
  }
}

/**
 * `text` as the end of a sentence: one full stop, also when it quotes a
 * server's message that brings its own (`Server busy, try again later.`).
 */
export function endSentence(text: string): string {
  return /[.!?]$/.test(text.trimEnd()) ? text.trimEnd() : `${text.trimEnd()}.`;
}

/** The text shown to a user for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof CcsError) {
    return error.nextStep ? `${error.message} ${error.nextStep}` : error.message;
  }
  if (error instanceof Error) return `Unexpected error: ${error.message}`;
  return `Unexpected error: ${String(error)}`;
}

export function isAbortError(error: unknown): boolean {
  return (
    error instanceof CancelledError ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
  );
}
