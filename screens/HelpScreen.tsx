import { Box, Text } from 'ink';
import { ACCOUNTS_KEYS } from './AccountsScreen.js';
import { Frame } from './components/Frame.js';
import type { KeyHint } from './components/KeyHints.js';
import { FIELD_KEYS } from './components/TextField.js';
import { useTone } from './components/theme.js';
import { HOME_KEYS } from './HomeScreen.js';
import { LAUNCH_KEYS } from './LaunchScreen.js';
import { SETTINGS_KEYS } from './SettingsScreen.js';

const SECTIONS: ReadonlyArray<[string, readonly KeyHint[]]> = [
  [
    'Everywhere',
    [
      ['?', 'this list'],
      ['q/esc', 'back (q on home quits)'],
      ['ctrl+c', 'quit'],
    ],
  ],
  ['Home', HOME_KEYS],
  ['Accounts', ACCOUNTS_KEYS],
  ['Settings', SETTINGS_KEYS],
  [
    'Log in',
    [
      ['c', 'copy the code (OSC 52)'],
      ['o', 'open the browser (not over SSH)'],
      ['r', 'new code'],
      ['esc', 'cancel'],
    ],
  ],
  ['Launch', LAUNCH_KEYS],
  ['Fields', [...FIELD_KEYS, ['y/n', 'answer a question']]],
];

/**
 * Every key of the app, a line per screen, wrapped between keys (never
 * inside one) so the whole list fits a 60×20 terminal; `?`, q or Esc closes it.
 */
export function HelpScreen() {
  const tone = useTone();
  return (
    <Frame title="Keys" hints={[['q/esc/?', 'close']]} withHelp={false}>
      <Box flexDirection="column">
        {SECTIONS.map(([title, keys]) => (
          <Box key={title} flexWrap="wrap" columnGap={2}>
            <Text bold>{title}:</Text>
            {keys.map(([key, action]) => (
              <Text key={key} wrap="truncate-end">
                <Text color={tone('key')}>{key}</Text> {action}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
    </Frame>
  );
}
