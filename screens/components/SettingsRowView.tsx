import { Box, Text } from 'ink';
import type { SettingsValues } from '../../hooks/use-settings.js';
import { MAX_TOKENS_KEY, type SettingsRow } from '../settings-form.js';
import { useTone } from './theme.js';

interface Props {
  row: SettingsRow;
  values: SettingsValues;
  /** Names the standalone proxy's command. */
  providerId: string;
  selected: boolean;
  defaultModel: string;
  /** The endpoint in use when config.yaml sets none. */
  endpoint: string;
  limit: number;
}

const LABEL_WIDTH = 16;

/** One line of the settings editor: label and current value. */
export function SettingsRowView(props: Props) {
  const { row, values, selected } = props;
  const tone = useTone();
  const [label, value, note] = describeRow(row, values, props);
  return (
    <Box>
      <Box width={2} flexShrink={0}>
        <Text color={tone('accent')}>{selected ? '▶' : ' '}</Text>
      </Box>
      <Box width={LABEL_WIDTH} flexShrink={0}>
        <Text bold={selected} wrap="truncate-end">
          {label}
        </Text>
      </Box>
      {/* A long value is cut short; the row stays one line and the note stays. */}
      <Box flexShrink={1}>
        <Text inverse={selected} wrap="truncate-end">
          {value}
        </Text>
      </Box>
      {note ? (
        <Box flexShrink={0}>
          <Text color={tone('muted')}> {note}</Text>
        </Box>
      ) : null}
    </Box>
  );
}

function describeRow(
  row: SettingsRow,
  values: SettingsValues,
  {
    providerId,
    defaultModel,
    endpoint,
    limit,
  }: Pick<Props, 'providerId' | 'defaultModel' | 'endpoint' | 'limit'>,
): [string, string, string?] {
  switch (row.kind) {
    case 'model': {
      const value = values.env[row.key];
      if (value) return [row.label, value];
      const fallback = row.key === 'ANTHROPIC_MODEL' ? defaultModel : 'same as Model';
      return [row.label, '(default)', fallback];
    }
    case 'max-tokens':
      return ['Max tokens', values.env[MAX_TOKENS_KEY] ?? '(default)', `1..${limit}`];
    case 'endpoint':
      return values.apiUrl ? ['Endpoint', values.apiUrl] : ['Endpoint', '(default)', endpoint];
    case 'env':
      return [row.name, values.env[row.name] ?? '', 'env'];
    case 'add-env':
      return ['+ env entry', 'NAME=value'];
    case 'strategy':
      return ['Routing', values.strategy, 'enter switches'];
    case 'port':
      return ['Proxy port', String(values.proxyPort), `for ccs ${providerId} --proxy`];
  }
}
