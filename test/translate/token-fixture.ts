/**
 * A Claude-Code-shaped request for the token estimate: a long system prompt,
 * 20 tools with real JSON schemas, a mid-conversation system message, a tool
 * round trip. Deterministic (built from fixed sentences), so its reference
 * count below stays valid.
 */
import type { AnthropicRequest, AnthropicTool } from '../../src/proxy/translate/index.js';

const SENTENCES = [
  'You are an interactive command line assistant that helps people with software engineering work.',
  'Use the tools available to you to read files, search the code base and run commands.',
  'Before you change a file, read it first, and keep your edits small and focused on the task.',
  'When a command fails, look at its output carefully and explain what went wrong in plain words.',
  'Never invent file paths; if you are unsure where something lives, search for it with Grep or Glob.',
  'Prefer editing existing files to creating new ones, and do not add documentation nobody asked for.',
  'Answer concisely: one or two short paragraphs are usually enough unless the user asks for detail.',
  'If the user asks about a library, check the version in package.json before relying on its API.',
  'Tests live next to the code they cover; run them with `npx vitest run <path>` after each change.',
  'Report progress with a short list of what changed, which tests ran, and anything left to do.',
];

function prose(paragraphs: number, offset: number): string {
  const out: string[] = [];
  for (let p = 0; p < paragraphs; p += 1) {
    const sentences: string[] = [];
    for (let s = 0; s < 5; s += 1) {
      sentences.push(SENTENCES[(offset + p * 3 + s * 7) % SENTENCES.length] as string);
    }
    out.push(sentences.join(' '));
  }
  return out.join('\n\n');
}

const TOOL_NAMES = [
  'Bash',
  'Read',
  'Write',
  'Edit',
  'MultiEdit',
  'Glob',
  'Grep',
  'LS',
  'WebFetch',
  'WebSearch',
  'TodoWrite',
  'NotebookEdit',
  'Task',
  'ExitPlanMode',
  'BashOutput',
  'KillShell',
  'mcp__github__create_issue',
  'mcp__github__list_pull_requests',
  'mcp__db__query',
  'SlashCommand',
];

function tool(name: string, index: number): AnthropicTool {
  return {
    name,
    description: prose(1, index),
    input_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      required: ['file_path', 'mode'],
      properties: {
        file_path: { type: 'string', description: 'The absolute path to the file to operate on' },
        mode: { type: 'string', enum: ['read', 'write', 'append'], description: 'How to open it' },
        offset: { type: 'number', description: 'The line number to start reading from' },
        limit: { type: 'integer', minimum: 1, maximum: 2000, description: 'How many lines' },
        options: {
          type: 'object',
          properties: {
            recursive: { type: 'boolean', description: 'Descend into subdirectories' },
            patterns: { type: 'array', items: { type: 'string' }, description: 'Glob patterns' },
          },
        },
      },
    },
  };
}

export function claudeCodeLikeRequest(): AnthropicRequest {
  return {
    model: 'claude-opus-5-5',
    max_tokens: 32000,
    stream: true,
    system: [
      {
        type: 'text',
        text: 'x-anthropic-billing-header: cc_version=2.1.332.a1b; cc_entrypoint=cli',
      },
      { type: 'text', text: prose(4, 1), cache_control: { type: 'ephemeral' } },
      { type: 'text', text: prose(30, 2), cache_control: { type: 'ephemeral' } },
    ],
    tools: TOOL_NAMES.map(tool),
    messages: [
      {
        role: 'user',
        content: [{ type: 'text', text: 'Why does the build fail on CI but not locally?' }],
      },
      {
        role: 'system',
        content: `Primary working directory: /home/dev/project\nPlatform: linux\nToday's date: 2026-01-15\n\n${prose(6, 3)}`,
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look at the CI configuration first.' },
          {
            type: 'tool_use',
            id: 'toolu_01',
            name: 'Read',
            input: { file_path: '/home/dev/project/.ci/build.yml', mode: 'read' },
          },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01',
            content:
              'jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci\n      - run: npm test\n',
          },
        ],
      },
    ],
  };
}

/**
 * o200k_base count of the request translated for the provider, computed once
 * offline with the `gpt-tokenizer` package (not a dependency): the tokens of
 * every message's content plus 3 per message and 3 for the reply priming
 * (OpenAI's cookbook recipe), plus the tokens of `JSON.stringify(function)`
 * for each tool. Recompute it if the fixture or translateRequest changes.
 */
export const REFERENCE_TOKENS = 9489;
/** The same recipe over the text of the messages only (no tools, no overheads). */
export const REFERENCE_TEXT_TOKENS = 4100;
