/**
 * The two wire formats the translator sits between, hand-written and minimal:
 * only the fields ccs reads or writes. Anthropic shapes follow the Messages
 * API as Claude Code's SDK uses it (PROTOCOL.md §1); OpenAI shapes follow the
 * chat-completions API as iFlow speaks it. Unknown fields are tolerated on
 * input (index signatures or `unknown`) and never produced on output.
 */
import type { ProviderDefinition } from '../../providers/types.js';

// ---------------------------------------------------------------------------
// Anthropic request

export interface CacheControl {
  type: 'ephemeral';
  ttl?: string;
}

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  cache_control?: CacheControl;
  citations?: unknown;
}

export type AnthropicImageSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string }
  | { type: 'file'; file_id: string };

export interface AnthropicImageBlock {
  type: 'image';
  source: AnthropicImageSource;
  cache_control?: CacheControl;
}

export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  cache_control?: CacheControl;
}

export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | AnthropicContentBlock[];
  is_error?: boolean;
  cache_control?: CacheControl;
}

/** Any block type ccs does not translate (documents, server tool results…). */
export interface AnthropicOtherBlock {
  type: string;
  [key: string]: unknown;
}

export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock;

export interface AnthropicMessageParam {
  /** `system` is the mid-conversation system message (PROTOCOL §1.2, §12). */
  role: 'user' | 'assistant' | 'system';
  content: string | Array<AnthropicContentBlock | AnthropicOtherBlock>;
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  /** Absent or `custom` for client tools; versioned for server tools. */
  type?: string;
  cache_control?: CacheControl;
  defer_loading?: boolean;
  [key: string]: unknown;
}

export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export type AnthropicThinking =
  | { type: 'enabled'; budget_tokens?: number; display?: string }
  | { type: 'disabled' }
  | { type: 'adaptive'; display?: string };

export interface AnthropicRequest {
  model: string;
  max_tokens?: number;
  messages: AnthropicMessageParam[];
  system?: string | AnthropicTextBlock[];
  stop_sequences?: string[];
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  thinking?: AnthropicThinking;
  output_config?: { effort?: string; [key: string]: unknown };
  metadata?: unknown;
  /** Everything else (context_management, service_tier, …) is dropped. */
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------
// Anthropic response (non-streaming)

export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal';

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type AnthropicResponseBlock =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

// ---------------------------------------------------------------------------
// Anthropic streaming events (PROTOCOL §1.4)

export type ContentBlockStart =
  | { type: 'thinking'; thinking: ''; signature: '' }
  | { type: 'text'; text: '' }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, never> };

export type ContentBlockDelta =
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string };

export interface AnthropicErrorBody {
  type: string;
  message: string;
}

export type SseEvent =
  | {
      type: 'message_start';
      message: Omit<AnthropicMessage, 'stop_reason'> & { stop_reason: null; content: [] };
    }
  | { type: 'content_block_start'; index: number; content_block: ContentBlockStart }
  | { type: 'content_block_delta'; index: number; delta: ContentBlockDelta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason: AnthropicStopReason; stop_sequence: string | null };
      usage: AnthropicUsage;
    }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: AnthropicErrorBody };

// ---------------------------------------------------------------------------
// OpenAI chat completions request

export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } };

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAIMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAIContentPart[] }
  | {
      role: 'assistant';
      content: string;
      tool_calls?: OpenAIToolCall[];
      reasoning_content?: string;
    }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface OpenAITool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export type OpenAIToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function'; function: { name: string } };

export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIMessage[];
  max_tokens: number;
  stream?: boolean;
  stream_options?: { include_usage: boolean };
  temperature?: number;
  top_p?: number;
  stop?: string[];
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
  /** The thinking knob of models defined with `thinking: 'chat_template_kwargs'`. */
  chat_template_kwargs?: { enable_thinking: boolean };
}

// ---------------------------------------------------------------------------
// OpenAI responses (read leniently: every field may be missing)

export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: {
    cached_tokens?: number;
    cache_creation_tokens?: number;
    cache_write_tokens?: number;
  };
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface OpenAIToolCallDelta {
  index?: number;
  id?: string | null;
  type?: string;
  function?: { name?: string | null; arguments?: string | null | Record<string, unknown> };
}

export interface OpenAIChunk {
  id?: string;
  choices?: Array<{
    index?: number;
    delta?: {
      role?: string;
      content?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: OpenAIToolCallDelta[] | null;
    };
    finish_reason?: string | null;
  }>;
  usage?: OpenAIUsage | null;
  error?: unknown;
}

export interface OpenAICompletion {
  id?: string;
  choices?: Array<{
    index?: number;
    message?: {
      role?: string;
      content?: string | null | Array<{ type?: string; text?: string }>;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: OpenAIToolCallDelta[] | null;
    };
    finish_reason?: string | null;
  }>;
  usage?: OpenAIUsage | null;
  error?: unknown;
}

// ---------------------------------------------------------------------------
// Context shared by the request and response halves of one exchange

export interface TranslateContext {
  provider: ProviderDefinition;
  /** The model name the client sent; echoed in responses. */
  clientModel: string;
  /** The provider model id the request goes upstream with. */
  upstreamModel: string;
  /** Already clamped by the proxy to the model's and the settings' limits. */
  maxTokens: number;
  /** Drop Claude Code's `x-anthropic-billing-header:` system block. */
  stripAttribution?: boolean;
  /** Local estimate for `message_start.usage.input_tokens` and fallbacks. */
  estimatedInputTokens?: number;
  /**
   * Upstream tool name → the client's tool name, for every tool the request
   * declared (some had to be shortened or sanitised). `translateRequest`
   * fills it in; the response translators read it. Pass the same ctx object
   * to both halves.
   */
  toolNames?: Map<string, string>;
}

/** What the translator surfaces upstream failures as (contract #6). */
export type UpstreamErrorKind =
  | 'rate_limit'
  | 'auth'
  | 'forbidden'
  | 'not_found'
  | 'invalid_request'
  | 'server'
  | 'overloaded'
  | 'timeout'
  | 'network'
  | 'model_unsupported';
