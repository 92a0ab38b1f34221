import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';
import type { KeyHint } from './KeyHints.js';
import { useKeyCapture } from './key-capture.js';
import { useTone } from './theme.js';

/** The key bar while a field has the keyboard. */
export const FIELD_KEYS: readonly KeyHint[] = [
  ['enter', 'accept'],
  ['esc', 'leave unchanged'],
  ['ctrl+u', 'clear'],
];

interface Props {
  label: string;
  initial: string;
  /** Returns the problem with a value, or null when it is acceptable. */
  validate?: (value: string) => string | null;
  onSubmit: (value: string) => void;
  onCancel: () => void;
  /** Shown under the field while it is empty. */
  placeholder?: string;
}

/**
 * A one-line text field that owns the keyboard while it is shown: every key
 * goes into it, Enter accepts (only a valid value), Esc leaves unchanged.
 * The problem with the current text is shown as the user types.
 */
export function TextField({ label, initial, validate, onSubmit, onCancel, placeholder }: Props) {
  const tone = useTone();
  const [value, setValue] = useState(initial);
  // Keys can arrive faster than React re-renders; the ref is always current.
  const current = useRef(initial);
  const update = (next: string) => {
    current.current = next;
    setValue(next);
  };
  const accept = (text: string) => {
    if ((validate?.(text) ?? null) === null) onSubmit(text);
  };
  useKeyCapture(true);
  const problem = validate?.(value) ?? null;

  useInput((input, key) => {
    if (key.escape) return onCancel();
    if (key.return) return accept(current.current);
    if (key.backspace || key.delete) return update(current.current.slice(0, -1));
    if (key.ctrl && input === 'u') return update('');
    if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow) return;
    if (key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return;
    const typed = applyTyping(current.current, input);
    update(typed.value);
    if (typed.submit) accept(typed.value);
  });

  return (
    <Box flexDirection="column">
      <Box>
        <Text bold>{label}: </Text>
        <Text>{value}</Text>
        <Text inverse> </Text>
      </Box>
      {problem ? (
        <Text color={tone('bad')}>{problem}</Text>
      ) : (
        <Text color={tone('muted')}>{value === '' && placeholder ? placeholder : ' '}</Text>
      )}
    </Box>
  );
}

/**
 * Applies a chunk of typed text. Fast typing and pastes arrive as one
 * string, so erase characters inside it still erase, and an Enter at its
 * very end still submits; other line breaks become spaces (one line only).
 */
export function applyTyping(value: string, chunk: string): { value: string; submit: boolean } {
  let text = value;
  const chars = [...chunk];
  let submit = false;
  for (const [index, char] of chars.entries()) {
    if (char === '\u007F' || char === '\b') text = text.slice(0, -1);
    else if (char === '\r' && index === chars.length - 1) submit = true;
    else if (char === '\r' || char === '\n' || char === '\t') text += ' ';
    else if (!/\p{Cc}/u.test(char)) text += char;
  }
  return { value: text, submit };
}
