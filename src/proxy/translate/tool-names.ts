/**
 * Tool names the provider will accept. iFlow (like OpenAI) takes
 * `^[a-zA-Z0-9_-]{1,64}$`; Claude Code's MCP tools can be longer or carry
 * dots. A name that does not fit is sanitised and, if still too long, cut,
 * and always suffixed with a hash of the original so two names never collide
 * and the same name always maps the same way. The reverse map lives in the
 * TranslateContext so responses can restore the client's name.
 */
import { createHash } from 'node:crypto';

const VALID = /^[a-zA-Z0-9_-]+$/;
const HASH_CHARS = 8;

export function upstreamToolName(name: string, maxLength: number): string {
  if (name.length > 0 && name.length <= maxLength && VALID.test(name)) return name;

  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_CHARS);
  const room = Math.max(0, maxLength - HASH_CHARS - 1);
  const base = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, room);
  return base === '' ? `t${hash}`.slice(0, maxLength) : `${base}_${hash}`;
}

/** The upstream name for `name`, recording the way back. */
export function mapToolName(name: string, maxLength: number, names: Map<string, string>): string {
  const upstream = upstreamToolName(name, maxLength);
  names.set(upstream, name);
  return upstream;
}

/**
 * The client's name for a tool name the upstream used: the recorded mapping,
 * else a declared name that differs only in case (some models write `bash`
 * for `Bash`), else the name as it came.
 */
export function clientToolName(name: string, names: Map<string, string> | undefined): string {
  if (!names) return name;
  const exact = names.get(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [upstream, client] of names) {
    if (upstream.toLowerCase() === lower) return client;
  }
  return name;
}
