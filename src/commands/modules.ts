/*
 * The TUI's entry points (contract #5), loaded only when a command opens the
 * full-screen app, so no other command ever loads React or Ink. Keep these
 * imports dynamic: a static import here would put Ink on every path.
 */

export type { TuiStart } from '../../screens/main.js';

export const loadTui = () => import('../../screens/main.js');
export const loadDemo = () => import('./demo.js');
