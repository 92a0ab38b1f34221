import type { AccountStatus } from './account-pool.js';

export interface ProxyStats {
  requests: number;
  errors: number;
  failovers: number;
  inputTokens: number;
  outputTokens: number;
}

/** One finished request, as the log line and the TUI summary see it. */
export interface RequestSummary {
  requestId: string;
  route: 'messages' | 'count_tokens';
  /** The name the client sent. */
  model: string;
  upstreamModel: string;
  /** Nickname of the account that answered (last one tried). */
  account: string | undefined;
  status: number;
  stream: boolean;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  failovers: number;
  /** Error type when the answer was an error (before or after the commit point). */
  error: string | undefined;
}

export type ProxyEvent =
  | { type: 'request'; summary: RequestSummary }
  | { type: 'failover'; requestId: string; from: string; reason: string }
  | { type: 'account'; status: AccountStatus };

/** Counters and listeners for the session summary; no bodies, no secrets. */
export class ProxyStatsRecorder {
  private readonly totals: ProxyStats = {
    requests: 0,
    errors: 0,
    failovers: 0,
    inputTokens: 0,
    outputTokens: 0,
  };
  private readonly listeners = new Set<(event: ProxyEvent) => void>();

  snapshot(): ProxyStats {
    return { ...this.totals };
  }

  onEvent(listener: (event: ProxyEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: ProxyEvent): void {
    if (event.type === 'request') {
      const s = event.summary;
      this.totals.requests += 1;
      if (s.error !== undefined) this.totals.errors += 1;
      this.totals.inputTokens += s.inputTokens;
      this.totals.outputTokens += s.outputTokens;
    } else if (event.type === 'failover') {
      this.totals.failovers += 1;
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener (a TUI that went away) must not break the proxy.
      }
    }
  }
}
