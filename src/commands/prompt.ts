import { createInterface } from 'node:readline';
import { CancelledError } from '../errors.js';

/**
 * Asks a yes/no question on a terminal; only `y` or `yes` count as yes, and
 * end of input counts as no. Cooked mode (terminal: false) leaves Ctrl-C to
 * the terminal, which sends SIGINT and fires `signal`.
 */
export function confirm(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  question: string,
  signal: AbortSignal,
): Promise<boolean> {
  if (signal.aborted) return Promise.reject(new CancelledError());
  const rl = createInterface({ input, terminal: false });

  return new Promise<boolean>((resolve, reject) => {
    const finish = (settle: () => void, endLine = false) => {
      signal.removeEventListener('abort', onAbort);
      rl.removeAllListeners();
      rl.close();
      // Ctrl-C and Ctrl-D leave the cursor after the question; end its line.
      if (endLine) output.write('\n');
      settle();
    };
    const onAbort = () => finish(() => reject(new CancelledError()), true);
    signal.addEventListener('abort', onAbort, { once: true });
    rl.once('line', (line) => finish(() => resolve(/^y(es)?$/i.test(line.trim()))));
    rl.once('close', () => finish(() => resolve(false), true));
    output.write(question);
  });
}
