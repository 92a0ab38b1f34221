import { Box, Text } from 'ink';
import { shortDuration } from '../../hooks/account-state.js';
import type { LaunchSummary } from '../navigation.js';
import { useTone } from './theme.js';

/** How the last `claude` run went: exit code, time, and the proxy's figures. */
export function SessionSummary({ summary }: { summary: LaunchSummary }) {
  const tone = useTone();
  const ok = summary.exitCode === 0 && !summary.error;
  const figures: Array<[string, string]> = [
    ['exit code', String(summary.exitCode)],
    ['duration', shortDuration(summary.durationMs)],
    ['requests', String(summary.requests)],
    ['tokens in', String(summary.inputTokens)],
    ['tokens out', String(summary.outputTokens)],
    ['errors', String(summary.errors)],
    ['failovers', String(summary.failovers)],
  ];
  // The figures wrap between pairs: two lines at 60 columns, so the summary
  // and what the launch screen shows below it fit a 60×20 terminal.
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text bold color={tone(ok ? 'good' : 'warn')}>
        {ok ? 'claude finished.' : 'claude ended with a problem.'}
      </Text>
      {summary.error ? <Text color={tone('bad')}>{summary.error}</Text> : null}
      <Box flexWrap="wrap" columnGap={3}>
        {figures.map(([label, value]) => (
          <Text key={label}>
            <Text color={tone('muted')}>{label}</Text> {value}
          </Text>
        ))}
      </Box>
    </Box>
  );
}
