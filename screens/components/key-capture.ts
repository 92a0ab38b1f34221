import { createContext, useContext, useEffect } from 'react';

/**
 * While a text field has focus every key belongs to it, `?` and `q`
 * included. Fields register here; the app's global keys check `capturing`.
 */
export interface KeyCapture {
  capturing: boolean;
  acquire(): () => void;
}

export const KeyCaptureContext = createContext<KeyCapture>({
  capturing: false,
  acquire: () => () => {},
});

/** Holds the keyboard for as long as `active` is true. */
export function useKeyCapture(active: boolean): void {
  const { acquire } = useContext(KeyCaptureContext);
  useEffect(() => (active ? acquire() : undefined), [active, acquire]);
}
