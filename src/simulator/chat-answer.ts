/**
 * What the simulated model says: deterministic, derived from the request, so
 * tests can assert on it. A `run: <command>` in the last user text becomes a
 * `Bash` tool call when such a tool is offered; a tool result is quoted back;
 * anything else is echoed.
 */

export interface PlannedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface PlannedAnswer {
  reasoning: string | undefined;
  text: string;
  toolCalls: PlannedToolCall[];
  finishReason: 'stop' | 'tool_calls';
}

interface ChatMessage {
  role?: unknown;
  content?: unknown;
}

/** Models that always think, and the ones that think when asked to. */
const ALWAYS_THINKING = /(^|-)r1$|thinking/;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      part && typeof part === 'object' && (part as { type?: unknown }).type === 'text'
        ? String((part as { text?: unknown }).text ?? '')
        : '',
    )
    .join('');
}

function withoutReminders(text: string): string {
  return text.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '').trim();
}

function offersTool(body: Record<string, unknown>, name: string): boolean {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  return tools.some((tool) => (tool as { function?: { name?: unknown } })?.function?.name === name);
}

function wantsThinking(body: Record<string, unknown>): boolean {
  const model = typeof body.model === 'string' ? body.model : '';
  if (ALWAYS_THINKING.test(model)) return true;
  const kwargs = body.chat_template_kwargs as { enable_thinking?: unknown } | undefined;
  return kwargs?.enable_thinking === true;
}

/** A stable short id from text, so the same request gets the same tool call id. */
function stableId(text: string): string {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

export function planAnswer(body: Record<string, unknown>): PlannedAnswer {
  const messages = (Array.isArray(body.messages) ? body.messages : []) as ChatMessage[];
  const last = messages.at(-1);
  const reasoning = wantsThinking(body) ? 'Let me think about this request.' : undefined;

  if (last?.role === 'tool') {
    const result = textOf(last.content);
    return {
      reasoning,
      text: `The tool returned: ${result}`,
      toolCalls: [],
      finishReason: 'stop',
    };
  }

  // Claude Code sends its environment (working directory, skills) as a
  // <system-reminder> after the prompt; what the person typed is the text
  // outside such blocks.
  const lastUser = [...messages]
    .reverse()
    .find((m) => m.role === 'user' && withoutReminders(textOf(m.content)));
  const said = withoutReminders(textOf(lastUser?.content));
  const command = /run:\s*(.+)$/m.exec(said)?.[1]?.trim();
  if (command && offersTool(body, 'Bash')) {
    return {
      reasoning,
      text: 'I will run that.',
      toolCalls: [
        {
          id: `call_${stableId(command)}`,
          name: 'Bash',
          arguments: JSON.stringify({ command }),
        },
      ],
      finishReason: 'tool_calls',
    };
  }

  return {
    reasoning,
    text: said ? `You said: ${said}` : 'Hello from the simulator.',
    toolCalls: [],
    finishReason: 'stop',
  };
}

/** Splits text into pieces of about `size` characters (code points kept whole). */
export function pieces(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}
