import { describe, expect, it } from 'vitest';
import { planAnswer } from '../../src/simulator/chat-answer.js';

const bash = [{ type: 'function', function: { name: 'Bash', parameters: {} } }];

describe('planAnswer', () => {
  it('reads the prompt, not the environment reminder Claude Code sends after it', () => {
    const answer = planAnswer({
      model: 'qwen3-coder-plus',
      tools: bash,
      messages: [
        { role: 'user', content: 'run: echo hi' },
        {
          role: 'user',
          content: '<system-reminder>Skills:\n- run: Launch the app</system-reminder>',
        },
      ],
    });
    expect(answer.toolCalls).toEqual([
      expect.objectContaining({ name: 'Bash', arguments: '{"command":"echo hi"}' }),
    ]);
  });

  it('answers plain text with what was said, reminders left out', () => {
    const answer = planAnswer({
      model: 'qwen3-coder-plus',
      messages: [{ role: 'user', content: 'hello <system-reminder>cwd: /x</system-reminder>' }],
    });
    expect(answer.text).toBe('You said: hello');
  });
});
