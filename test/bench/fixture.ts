/**
 * A request shaped like what Claude Code 2.1.332 sends (PROTOCOL.md §12):
 * about 50 KB, 12 tools with real JSON schemas (one deferred), three system
 * blocks (attribution first, two with cache_control), adaptive thinking,
 * output_config, context_management, metadata, and a mid-conversation
 * system message carrying the environment. The prose is generated filler.
 */
import type { AnthropicRequest, AnthropicTool } from '../../src/proxy/translate/types.js';

const WORDS = (
  'the agent reads files before editing them and keeps changes small so that reviewers can ' +
  'follow each step while tests run after every change and failures are reported with the ' +
  'command that produced them along with a short explanation of what was expected instead ' +
  'of what happened when the build ran on the local machine under the project settings'
).split(' ');

/** Deterministic prose of about `chars` characters. */
export function filler(chars: number, seed = 1): string {
  let out = '';
  let state = seed;
  while (out.length < chars) {
    const length = 8 + (state % 9);
    const words: string[] = [];
    for (let i = 0; i < length; i++) {
      state = (state * 1103515245 + 12345) % 2147483648;
      words.push(WORDS[state % WORDS.length]!);
    }
    const sentence = words.join(' ');
    out += `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}. `;
  }
  return out.slice(0, chars).trimEnd();
}

const str = (description: string) => ({ type: 'string', description });
const num = (description: string) => ({ type: 'number', description });
const bool = (description: string) => ({ type: 'boolean', description });

function tool(
  name: string,
  descriptionChars: number,
  properties: Record<string, unknown>,
  required: string[],
  extra: Partial<AnthropicTool> = {},
): AnthropicTool {
  return {
    name,
    description: filler(descriptionChars, name.length * 7),
    input_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties,
      required,
      additionalProperties: false,
    },
    ...extra,
  };
}

export const BENCH_TOOLS: AnthropicTool[] = [
  tool(
    'Bash',
    2600,
    {
      command: str('The command to execute'),
      timeout: num('Optional timeout in milliseconds (max 600000)'),
      description: str('What the command does, in five to ten words'),
      run_in_background: bool('Run the command in the background'),
    },
    ['command'],
  ),
  tool(
    'Read',
    1400,
    {
      file_path: str('The absolute path to the file to read'),
      offset: num('The line number to start reading from'),
      limit: num('The number of lines to read'),
    },
    ['file_path'],
  ),
  tool(
    'Write',
    900,
    {
      file_path: str('The absolute path to the file to write'),
      content: str('The content to write to the file'),
    },
    ['file_path', 'content'],
  ),
  tool(
    'Edit',
    1500,
    {
      file_path: str('The absolute path to the file to modify'),
      old_string: str('The text to replace'),
      new_string: str('The text to replace it with'),
      replace_all: { type: 'boolean', default: false, description: 'Replace every occurrence' },
    },
    ['file_path', 'old_string', 'new_string'],
  ),
  tool(
    'Glob',
    700,
    {
      pattern: str('The glob pattern to match files against'),
      path: str('The directory to search in'),
    },
    ['pattern'],
  ),
  tool(
    'Grep',
    1800,
    {
      pattern: str('The regular expression pattern to search for'),
      path: str('File or directory to search in'),
      glob: str('Glob pattern to filter files'),
      output_mode: { type: 'string', enum: ['content', 'files_with_matches', 'count'] },
      '-i': bool('Case insensitive search'),
      '-n': bool('Show line numbers'),
      head_limit: num('Limit output to the first N lines'),
    },
    ['pattern'],
  ),
  tool(
    'WebFetch',
    900,
    {
      url: { type: 'string', format: 'uri', description: 'The URL to fetch content from' },
      prompt: str('The prompt to run on the fetched content'),
    },
    ['url', 'prompt'],
  ),
  tool(
    'WebSearch',
    700,
    {
      query: { type: 'string', minLength: 2, description: 'The search query to use' },
      allowed_domains: { type: 'array', items: { type: 'string' } },
      blocked_domains: { type: 'array', items: { type: 'string' } },
    },
    ['query'],
  ),
  tool(
    'TodoWrite',
    2200,
    {
      todos: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            content: { type: 'string', minLength: 1 },
            status: { type: 'string', enum: ['pending', 'in_progress', 'completed'] },
            activeForm: { type: 'string', minLength: 1 },
          },
          required: ['content', 'status', 'activeForm'],
          additionalProperties: false,
        },
      },
    },
    ['todos'],
  ),
  tool(
    'Task',
    2400,
    {
      description: str('A short (3-5 word) description of the task'),
      prompt: str('The task for the agent to perform'),
      subagent_type: str('The type of specialized agent to use for this task'),
    },
    ['description', 'prompt', 'subagent_type'],
  ),
  tool(
    'NotebookEdit',
    800,
    {
      notebook_path: str('The absolute path to the Jupyter notebook file'),
      cell_id: str('The ID of the cell to edit'),
      new_source: str('The new source for the cell'),
      cell_type: { type: 'string', enum: ['code', 'markdown'] },
      edit_mode: { type: 'string', enum: ['replace', 'insert', 'delete'] },
    },
    ['notebook_path', 'new_source'],
  ),
  tool('DeferredToolPlaceholder', 300, { name: str('The deferred tool to load') }, ['name'], {
    defer_loading: true,
  }),
];

const ENVIRONMENT =
  '<env>\nPrimary working directory: /home/dev/projects/bench-app\nIs directory a git repo: ' +
  "yes\nPlatform: linux\nOS Version: Linux 6.8.0\nToday's date: 2026-03-01\n</env>\n" +
  `<skills>\n${filler(12400, 99)}\n</skills>`;

/** The benchmark request; `stream` and the answer length hint are parameters. */
export function benchRequest(options: { stream: boolean; answer?: string }): AnthropicRequest {
  return {
    model: 'qwen3-coder-plus',
    max_tokens: 32000,
    stream: options.stream,
    system: [
      {
        type: 'text',
        text: 'x-anthropic-billing-header: cc_version=2.1.332.a1b; cc_entrypoint=cli; cch=5f3e1;',
      },
      {
        type: 'text',
        text: 'You are an interactive command-line coding agent.',
        cache_control: { type: 'ephemeral' },
      },
      { type: 'text', text: filler(9000, 3), cache_control: { type: 'ephemeral' } },
    ],
    messages: [
      {
        role: 'user',
        content: [{ type: 'text', text: `Please look at the failing test. ${filler(600, 5)}` }],
      },
      {
        role: 'system',
        content: [{ type: 'text', text: ENVIRONMENT, cache_control: { type: 'ephemeral' } }],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'I will read the test first.' },
          {
            type: 'tool_use',
            id: 'toolu_01BenchRead',
            name: 'Read',
            input: { file_path: '/home/dev/projects/bench-app/test/app.test.ts' },
          },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01BenchRead', content: filler(4200, 11) },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: filler(700, 13) }] },
      {
        role: 'user',
        content: [{ type: 'text', text: options.answer ?? 'Now fix it, please.' }],
      },
    ],
    tools: BENCH_TOOLS,
    tool_choice: { type: 'auto' },
    thinking: { type: 'adaptive', display: 'omitted' },
    output_config: { effort: 'medium' },
    context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    metadata: { user_id: 'user_bench_account_0000_session_1111' },
  };
}
