import { Box, Text } from 'ink';
import type { SettingsValues } from '../../hooks/use-settings.js';
import { MAX_TOKENS_KEY, type SettingsRow } from '../settings-form.js';
import { useTone } from './theme.js';

interface Props {
  row: SettingsRow;
  values: SettingsValues;
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
      <Text color={tone('accent')}>{selected ? '▶ ' : '  '}</Text>
      <Box width={LABEL_WIDTH} flexShrink={0}>
        <Text bold={selected}>{label}</Text>
      </Box>
      <Text inverse={selected} wrap="truncate-end">
        {value}
      </Text>
      {note ? <Text color={tone('muted')}> {note}</Text> : null}
    </Box>
  );
}

function describeRow(
  row: SettingsRow,
  values: SettingsValues,
  { defaultModel, endpoint, limit }: Pick<Props, 'defaultModel' | 'endpoint' | 'limit'>,
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
      return ['Proxy port', String(values.proxyPort), 'standalone `ccs … proxy`'];
  }
}
