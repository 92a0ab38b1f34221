import { createContext, useContext } from 'react';

/** The app's few colours by meaning, so NO_COLOR can switch them all off. */
const PALETTE = {
  accent: 'cyan',
  good: 'green',
  warn: 'yellow',
  bad: 'red',
  muted: 'gray',
  key: 'magenta',
} as const;

export type Tone = keyof typeof PALETTE;

export const ColorContext = createContext(true);

/** `tone('good')` is a colour name, or undefined when colour is off (NO_COLOR). */
export function useTone(): (tone: Tone) => string | undefined {
  const enabled = useContext(ColorContext);
  return (tone) => (enabled ? PALETTE[tone] : undefined);
}
