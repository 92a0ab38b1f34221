/**
 * Anthropic Messages request → OpenAI chat-completions request (PROTOCOL §3).
 * Only fields the provider understands are produced; everything else Claude
 * Code sends (metadata, context_management, cache_control, service_tier, …)
 * is dropped by construction, since the output is built field by field.
 */
import { findModel } from '../../providers/types.js';
import { buildMessages } from './messages.js';
import { mapToolName } from './tool-names.js';
import type {
  AnthropicRequest,
  AnthropicTool,
  AnthropicToolChoice,
  OpenAIChatRequest,
  OpenAITool,
  TranslateContext,
} from './types.js';
import { isRecord } from './upstream-error.js';

/**
 * Translates one request. Fills `ctx.toolNames` with the names it had to
 * shorten, so pass the same ctx to the response translators.
 */
export function translateRequest(body: AnthropicRequest, ctx: TranslateContext): OpenAIChatRequest {
  const names = ctx.toolNames ?? new Map<string, string>();
  ctx.toolNames = names;
  const maxLength = ctx.provider.limits.toolNameMaxLength;
  const rename = (name: string) => mapToolName(name, maxLength, names);
  const model = findModel(ctx.provider, ctx.upstreamModel);

  const out: OpenAIChatRequest = {
    model: ctx.upstreamModel,
    messages: buildMessages(body, {
      rename,
      stripAttribution: ctx.stripAttribution === true,
      reasoningHistory: model?.reasoningHistory === true,
    }),
    max_tokens: ctx.maxTokens,
  };

  if (body.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  if (typeof body.temperature === 'number') out.temperature = body.temperature;
  if (typeof body.top_p === 'number') out.top_p = body.top_p;
  const stop = (Array.isArray(body.stop_sequences) ? body.stop_sequences : []).filter(
    (s) => typeof s === 'string' && s !== '',
  );
  if (stop.length > 0) out.stop = stop;

  addTools(out, body, ctx.provider.limits.maxTools, rename);

  if (model?.thinking === 'chat_template_kwargs') {
    const enable = thinkingWanted(body);
    if (enable !== undefined) out.chat_template_kwargs = { enable_thinking: enable };
  }
  return out;
}

/**
 * The boolean thinking knob. An explicit `thinking` wins (`enabled` and
 * `adaptive` switch it on, `disabled` off); an effort of `low` (or lower)
 * switches adaptive thinking off, since a boolean knob has no "a little";
 * an effort alone, without `thinking`, asks for thinking unless it is low.
 * Nothing said: leave the model's default.
 */
function thinkingWanted(body: AnthropicRequest): boolean | undefined {
  const effort = typeof body.output_config?.effort === 'string' ? body.output_config.effort : '';
  const lowEffort = /^(none|minimal|low)$/i.test(effort);
  switch (body.thinking?.type) {
    case 'disabled':
      return false;
    case 'enabled':
      return true;
    case 'adaptive':
      return !lowEffort;
  }
  return effort === '' ? undefined : !lowEffort;
}

function addTools(
  out: OpenAIChatRequest,
  body: AnthropicRequest,
  maxTools: number,
  rename: (name: string) => string,
): void {
  const choice = isRecord(body.tool_choice) ? body.tool_choice : undefined;
  const tools = pickTools(
    Array.isArray(body.tools) ? body.tools : [],
    maxTools,
    choice?.type === 'tool' ? choice.name : '',
  );
  // Empty tools with a tool_choice is a 400 upstream (PROTOCOL §10 #20).
  if (tools.length === 0) return;

  out.tools = tools.map((tool): OpenAITool => {
    return {
      type: 'function',
      function: {
        name: rename(tool.name),
        description: typeof tool.description === 'string' ? tool.description : '',
        parameters: normalizeSchema(tool.input_schema ?? {}, true),
      },
    };
  });
  if (choice) out.tool_choice = toolChoice(choice, rename);
  if (choice && 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use) {
    out.parallel_tool_calls = false;
  }
}

/**
 * Client tools only: server tools carry a versioned `type` (web_search_…,
 * bash_…) and have no schema a chat model could call. At most `maxTools`,
 * keeping the one tool_choice names even when it sits past the limit.
 */
function pickTools(tools: AnthropicTool[], maxTools: number, chosen: string): AnthropicTool[] {
  const custom = tools.filter(
    (tool) =>
      isRecord(tool) &&
      (tool.type === undefined || tool.type === 'custom') &&
      typeof tool.name === 'string' &&
      tool.name !== '',
  );
  if (custom.length <= maxTools) return custom;
  const kept = custom.slice(0, maxTools);
  const wanted = custom.find((tool) => tool.name === chosen);
  if (wanted && !kept.includes(wanted) && maxTools > 0) kept[maxTools - 1] = wanted;
  return kept;
}

function toolChoice(
  choice: AnthropicToolChoice,
  rename: (name: string) => string,
): NonNullable<OpenAIChatRequest['tool_choice']> {
  switch (choice.type) {
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: rename(choice.name) } };
    default:
      return 'auto';
  }
}

const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;
const SCHEMA_MAPS = ['properties', '$defs', 'definitions', 'patternProperties'] as const;
const SCHEMA_SINGLE = ['items', 'additionalProperties', 'not'] as const;

/**
 * A copy of a JSON schema in which every `type: "object"` has `properties`
 * (some OpenAI-compatible backends reject an object schema without them).
 * The top level is always an object schema.
 */
export function normalizeSchema(schema: unknown, topLevel = false): Record<string, unknown> {
  if (!isRecord(schema)) return topLevel ? { type: 'object', properties: {} } : {};
  const copy: Record<string, unknown> = { ...schema };
  if (topLevel && copy.type === undefined) copy.type = 'object';

  const isObject =
    copy.type === 'object' || (Array.isArray(copy.type) && copy.type.includes('object'));
  if (isObject && !isRecord(copy.properties)) copy.properties = {};

  for (const key of SCHEMA_MAPS) {
    const map = copy[key];
    if (!isRecord(map)) continue;
    const next: Record<string, unknown> = {};
    for (const [name, sub] of Object.entries(map)) next[name] = normalizeSchema(sub);
    copy[key] = next;
  }
  for (const key of SCHEMA_LISTS) {
    const list = copy[key];
    if (Array.isArray(list)) copy[key] = list.map((sub) => normalizeSchema(sub));
  }
  for (const key of SCHEMA_SINGLE) {
    if (isRecord(copy[key])) copy[key] = normalizeSchema(copy[key]);
  }
  return copy;
}
