import { Text } from 'ink';
import { useServices } from '../../hooks/services.js';
import { hyperlink } from '../../src/terminal/escapes.js';
import { useTone } from './theme.js';

/** A URL, clickable (OSC 8) where the terminal supports it. */
export function Link({ url }: { url: string }) {
  const { hyperlinks } = useServices();
  const tone = useTone();
  return (
    <Text underline color={tone('accent')}>
      {hyperlinks ? hyperlink(url) : url}
    </Text>
  );
}
