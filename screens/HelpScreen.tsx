import { Box, Text } from 'ink';
import { ACCOUNTS_KEYS } from './AccountsScreen.js';
import { Frame } from './components/Frame.js';
import type { KeyHint } from './components/KeyHints.js';
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
  [
    'Text fields and questions',
    [
      ['enter', 'accept'],
      ['esc', 'leave unchanged'],
      ['y/n', 'answer'],
    ],
  ],
];

/** Every key of the app, grouped by screen; `?`, q or Esc closes it. */
export function HelpScreen() {
  const tone = useTone();
  return (
    <Frame title="Keys" hints={[['q/esc/?', 'close']]}>
      <Box flexDirection="row" flexWrap="wrap">
        {SECTIONS.map(([title, keys]) => (
          <Box key={title} flexDirection="column" width={34} marginBottom={1}>
            <Text bold>{title}</Text>
            {keys.map(([key, action]) => (
              <Box key={key}>
                <Box width={10}>
                  <Text color={tone('key')}>{key}</Text>
                </Box>
                <Text>{action}</Text>
              </Box>
            ))}
          </Box>
        ))}
      </Box>
    </Frame>
  );
}
