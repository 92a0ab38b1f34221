/**
 * The app's screen machine: one discriminated union of routes, a back stack,
 * and a pure reducer. Leaving the app (quit) and handing the terminal to
 * `claude` (launch) are outcomes the reducer records; `runTui` acts on them.
 */

/** How a `claude` run went, shown when the app comes back. */
export interface LaunchSummary {
  exitCode: number;
  durationMs: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  errors: number;
  failovers: number;
  /** Set when claude could not be started or the session failed. */
  error?: string;
}

/**
 * An existing account being logged in again (it needs login). It is only
 * shown: the login refuses a nickname any account has, this one's included,
 * and approving as the same identity repairs the account anyway.
 */
export interface LoginAgain {
  accountId: string;
  nickname: string;
  /** E-mail, else the masked phone. */
  label: string;
}

export type Route =
  /** `providerId`: the provider selected on home, kept while the user is elsewhere. */
  | { screen: 'home'; providerId?: string }
  | { screen: 'accounts'; providerId: string }
  | { screen: 'settings'; providerId: string }
  | { screen: 'launch'; providerId: string; summary?: LaunchSummary }
  | {
      screen: 'login';
      providerId: string;
      nickname?: string;
      again?: LoginAgain;
      /** Opened as `ccs <provider> --auth`: finishing ends the app. */
      standalone: boolean;
    };

export type Outcome =
  /** `message` is printed after the terminal is restored (e.g. who logged in). */
  { type: 'quit'; code: number; message?: string } | { type: 'launch'; providerId: string };

export interface NavState {
  route: Route;
  /** Where `back` goes; empty at the screen the app opened on. */
  history: Route[];
  helpOpen: boolean;
  outcome: Outcome | null;
  /**
   * What a login inside the app did ("Logged in to … as …"), shown by the
   * screen it returned to until the user goes somewhere else.
   */
  notice: string | null;
}

export type NavAction =
  | { type: 'open'; route: Route }
  | { type: 'back' }
  | { type: 'quit'; code?: number }
  | { type: 'toggle-help' }
  | { type: 'select'; providerId: string }
  | { type: 'launch'; providerId: string }
  | { type: 'login-finished'; ok: boolean; message?: string };

export function initialNav(route: Route, history: Route[] = []): NavState {
  return { route, history, helpOpen: false, outcome: null, notice: null };
}

export function navigationReducer(state: NavState, action: NavAction): NavState {
  if (state.outcome) return state;

  switch (action.type) {
    case 'open':
      return {
        ...state,
        route: action.route,
        history: [...state.history, state.route],
        notice: null,
      };

    case 'back': {
      if (state.helpOpen) return { ...state, helpOpen: false };
      const previous = state.history.at(-1);
      if (!previous) {
        // Backing out of a standalone login is a cancellation (exit 130).
        const code = state.route.screen === 'login' && state.route.standalone ? 130 : 0;
        return { ...state, outcome: { type: 'quit', code } };
      }
      return { ...state, route: previous, history: state.history.slice(0, -1), notice: null };
    }

    case 'quit':
      return { ...state, outcome: { type: 'quit', code: action.code ?? 0 } };

    case 'toggle-help':
      return { ...state, helpOpen: !state.helpOpen };

    // Keeps the notice: home reports its selection as it mounts, which is not
    // the user going anywhere.
    case 'select':
      if (state.route.screen !== 'home') return state;
      if (state.route.providerId === action.providerId) return state;
      return { ...state, route: { screen: 'home', providerId: action.providerId } };

    case 'launch':
      return { ...state, outcome: { type: 'launch', providerId: action.providerId } };

    case 'login-finished': {
      if (state.route.screen !== 'login') return state;
      if (state.route.standalone) {
        const code = action.ok ? 0 : 1;
        const message = action.message;
        return { ...state, outcome: { type: 'quit', code, ...(message ? { message } : {}) } };
      }
      // A device login can finish behind the key list: leave the login screen
      // all the same, and keep the key list open over where it returned to.
      const back = navigationReducer({ ...state, helpOpen: false }, { type: 'back' });
      const notice = action.ok && action.message ? action.message : null;
      return { ...back, helpOpen: state.helpOpen, notice };
    }
  }
}
