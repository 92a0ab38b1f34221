import type { LoginAgain } from './navigation.js';

/** The line a login screen opens with when an existing account is logged in again. */
export function againLine(again: LoginAgain, step: string): string {
  return `Logging in again as ${again.nickname} (${again.label}): ${step}.`;
}

/**
 * The success message, with a warning when the login stored another account
 * than the one being logged in again: that one still needs login.
 */
export function namingAgain(message: string, accountId: string, again?: LoginAgain): string {
  if (!again || again.accountId === accountId) return message;
  return `${message} That is not ${again.nickname}, which still needs login.`;
}
