import { Box, Text } from 'ink';
import { formatClock } from '../../hooks/use-countdown.js';
import { useTone } from './theme.js';

interface Props {
  msLeft: number;
  totalMs: number;
  width: number;
}

/** Time left as mm:ss and a bar that empties as the code nears expiry. */
export function Countdown({ msLeft, totalMs, width }: Props) {
  const tone = useTone();
  const barWidth = Math.max(10, Math.min(40, width - 24));
  const share = totalMs > 0 ? Math.min(1, Math.max(0, msLeft / totalMs)) : 0;
  const filled = Math.round(share * barWidth);
  const urgent = msLeft <= 60_000;
  if (msLeft <= 0) return <Text color={tone('bad')}>Code expired</Text>;
  return (
    <Box>
      <Text>Expires in </Text>
      <Text bold color={tone(urgent ? 'warn' : 'good')}>
        {formatClock(msLeft)}
      </Text>
      <Text> </Text>
      <Text color={tone(urgent ? 'warn' : 'accent')}>{'█'.repeat(filled)}</Text>
      <Text color={tone('muted')}>{'░'.repeat(barWidth - filled)}</Text>
    </Box>
  );
}
