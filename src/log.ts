import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const SECRET_KEYS =
  /^(access_?token|refresh_?token|api_?key|apikey|authorization|x-api-key|id_?token|device_?code|client_?secret|secret|password|x-iflow-signature)$/i;
const SECRET_TEXT = [
  /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
  /((?:access_?token|refresh_?token|api_?key|apikey|accessToken|device_code)["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
];

/** Replaces every secret-looking value; used on everything that reaches a log. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return SECRET_TEXT.reduce((text, pattern) => text.replace(pattern, '$1[redacted]'), value);
  }
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return redact(`${value.name}: ${value.message}`, depth);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEYS.test(key) ? '[redacted]' : redact(item, depth + 1);
  }
  return out;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  file?: string;
  level?: LogLevel;
  /** Also write to stderr (CCS_DEBUG=1); never while a TUI or claude owns the terminal. */
  stderr?: boolean;
  now?: () => Date;
}

/**
 * One logger for the whole program: lines of `time level message {json}` to
 * logs/ccs.log. Synchronous appends keep lines whole when several ccs
 * processes share the file, and a failing disk never breaks the caller.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  let dirReady = false;

  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < threshold) return;
    const extra = fields ? ` ${JSON.stringify(redact(fields))}` : '';
    const line = `${now().toISOString()} ${level.padEnd(5)} ${redact(message)}${extra}\n`;
    if (options.stderr) process.stderr.write(line);
    if (!options.file) return;
    try {
      if (!dirReady) {
        mkdirSync(path.dirname(options.file), { recursive: true, mode: 0o700 });
        dirReady = true;
      }
      appendFileSync(options.file, line, { mode: 0o600 });
    } catch {
      // Logging must never take the program down.
    }
  };

  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** A logger that drops everything; the default for library code under test. */
export const silentLogger: Logger = createLogger({ level: 'error' });

let shared: Logger = silentLogger;

/** The process-wide logger, set once by the CLI entry. */
export function getLogger(): Logger {
  return shared;
}

export function setLogger(logger: Logger): void {
  shared = logger;
}
