import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { ModelDefinition } from '../../src/providers/types.js';
import { useKeyCapture } from './key-capture.js';
import { clampIndex, cursorStep } from './keys.js';
import { useTone } from './theme.js';

interface Props {
  label: string;
  models: readonly ModelDefinition[];
  current: string | undefined;
  /** Rows the list may take; it scrolls to keep the cursor in view. */
  height: number;
  onPick: (modelId: string) => void;
  /** The last entry: type a model the list does not have. */
  onType: () => void;
  /** Clear the value, so the default applies. */
  onClear: () => void;
  onCancel: () => void;
}

/** Choose a model from the provider's list, or type one that is not in it. */
export function ModelPicker(props: Props) {
  const { models, current, height } = props;
  const tone = useTone();
  useKeyCapture(true);
  const entries = [...models.map((model) => model.id), 'type a model name…', 'use the default'];
  const [cursor, setCursor] = useState(() => Math.max(0, entries.indexOf(current ?? '')));

  useInput((input, key) => {
    if (key.escape || input === 'q') return props.onCancel();
    const step = cursorStep(input, key);
    if (step !== 0) return setCursor((c) => clampIndex(c, step, entries.length));
    if (input === 't') return props.onType();
    if (!key.return) return;
    if (cursor === models.length) props.onType();
    else if (cursor === models.length + 1) props.onClear();
    else props.onPick(entries[cursor]!);
  });

  const rows = Math.max(3, height);
  // The display names line up in a column after the longest id.
  const idWidth = Math.max(...entries.map((entry) => entry.length)) + 2;
  const start = Math.min(
    Math.max(0, cursor - Math.floor(rows / 2)),
    Math.max(0, entries.length - rows),
  );
  return (
    <Box flexDirection="column">
      <Text bold>{props.label}: choose with ↑↓ and Enter, t to type one</Text>
      {entries.slice(start, start + rows).map((entry, offset) => {
        const row = start + offset;
        const model = models[row];
        return (
          <Box key={entry}>
            <Box width={2} flexShrink={0}>
              <Text color={tone('accent')}>{row === cursor ? '▶' : ' '}</Text>
            </Box>
            <Box width={idWidth} flexShrink={0}>
              <Text inverse={row === cursor}>{entry}</Text>
            </Box>
            {/* Only the display name gives way on a narrow terminal. */}
            {model?.displayName ? (
              <Box flexShrink={1}>
                <Text color={tone('muted')} wrap="truncate-end">
                  {model.displayName}
                </Text>
              </Box>
            ) : null}
            {entry === current ? (
              <Box flexShrink={0}>
                <Text color={tone('good')}> (current)</Text>
              </Box>
            ) : null}
          </Box>
        );
      })}
    </Box>
  );
}
